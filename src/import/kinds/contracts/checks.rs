//! The register's rules, one named check each, over a typed row and what is already known of
//! its contract and lot. A check returns the refusal to report, or what it establishes.

use std::collections::{BTreeMap, HashMap};

use super::context::Context;
use super::contract::{Award, ClausePlan, Contract, Lot};
use super::row::RegisterRow;
use crate::domain::obligations::{Choice, ground_among};
use crate::domain::{AwardRole, CompanyIdentifier, Name};
use crate::import::refusal::Refusal;
use crate::storage::BuyerId;

/// DECP caps a contract's identifier at 16 characters.
const MAX_REFERENCE_CHARS: usize = 16;

pub fn reference_fits_decp(row: &RegisterRow) -> Result<(), Refusal> {
    if row.reference.chars().count() <= MAX_REFERENCE_CHARS {
        return Ok(());
    }
    Err(Refusal::new(
        "reference",
        Some(row.reference.clone()),
        format!(
            "La référence dépasse {MAX_REFERENCE_CHARS} caractères (format DECP) : raccourcissez-la."
        ),
    ))
}

/// A file sent for one buyer holds only that buyer's contracts.
pub fn buyer_is_the_one_sent_for(row: &RegisterRow, context: &Context) -> Result<(), Refusal> {
    match &context.only_buyer {
        Some(only) if *only != row.buyer => Err(Refusal::new(
            "buyer_siret",
            Some(row.buyer.to_string()),
            "Ce fichier est envoyé pour un autre acheteur : retirez cette ligne ou envoyez-la pour le bon acheteur.",
        )),
        _ => Ok(()),
    }
}

/// The buyer's id, when the uploader may import for it.
pub fn buyer_in_scope(row: &RegisterRow, context: &Context) -> Result<BuyerId, Refusal> {
    if let Some(&id) = context.buyers.get(&row.buyer) {
        return Ok(id);
    }
    let message = if context.other_buyers.contains(&row.buyer) {
        "Vous n'avez pas accès à cet acheteur : demandez à un administrateur de l'ajouter à votre périmètre."
    } else {
        "Aucun acheteur n'a ce SIRET : vérifiez-le, ou demandez à un administrateur de créer l'acheteur."
    };
    Err(Refusal::new(
        "buyer_siret",
        Some(row.buyer.to_string()),
        message,
    ))
}

pub fn duration_between_1_and_600_months(row: &RegisterRow) -> Result<(), Refusal> {
    match row.duration_months {
        Some(d) if !(1..=600).contains(&d) => Err(Refusal::new(
            "duration_months",
            Some(d.to_string()),
            "La durée doit être un nombre de mois entre 1 et 600.",
        )),
        _ => Ok(()),
    }
}

pub fn ends_after_notification(row: &RegisterRow) -> Result<(), Refusal> {
    match row.end_date {
        Some(end) if end < row.notified => Err(Refusal::new(
            "end_date",
            Some(end.format("%d/%m/%Y").to_string()),
            "La date de fin précède la date de notification : corrigez l'une des deux.",
        )),
        _ => Ok(()),
    }
}

/// Every row of a reference gives the same contract: the first difference with the contract as
/// its first row gave it is refused.
pub fn same_contract_as_first_row(known: &Contract, this: &Contract) -> Result<(), Refusal> {
    let Some((key, label)) = first_difference(known, this) else {
        return Ok(());
    };
    Err(Refusal::new(
        key,
        None,
        format!(
            "La ligne {} donne une autre valeur pour {label} du marché « {} » : une même référence doit porter les mêmes informations sur toutes ses lignes.",
            known.first_row, this.reference
        ),
    ))
}

/// The first contract-level field on which two rows of one reference disagree; a field left
/// empty on either row does not disagree.
fn first_difference(a: &Contract, b: &Contract) -> Option<(&'static str, &'static str)> {
    fn both_differ<T: PartialEq>(a: &Option<T>, b: &Option<T>) -> bool {
        a.is_some() && b.is_some() && a != b
    }
    [
        (a.object != b.object, "object", "l'objet"),
        (
            both_differ(&a.procedure, &b.procedure),
            "procedure",
            "la procédure",
        ),
        (both_differ(&a.cpv, &b.cpv), "cpv", "le code CPV"),
        (
            a.notification_date != b.notification_date,
            "notification_date",
            "la date de notification",
        ),
        (
            both_differ(&a.duration_months, &b.duration_months),
            "duration_months",
            "la durée",
        ),
        (
            both_differ(&a.end_date, &b.end_date),
            "end_date",
            "la date de fin",
        ),
        (
            both_differ(&a.obligations.launch_date, &b.obligations.launch_date),
            "launch_date",
            "la date de lancement de la consultation",
        ),
        (
            both_differ(&a.obligations.contract_type, &b.obligations.contract_type),
            "contract_type",
            "la nature",
        ),
        (
            both_differ(
                &a.obligations.estimated_value,
                &b.obligations.estimated_value,
            ),
            "estimated_value",
            "la valeur estimée",
        ),
        (
            both_differ(
                &a.obligations.exemption_ground,
                &b.obligations.exemption_ground,
            ),
            "social_exemption_ground",
            "le motif d'absence de condition sociale",
        ),
    ]
    .into_iter()
    .find_map(|(differs, key, label)| differs.then_some((key, label)))
}

/// The ground for leaving out a social condition, one the rules list, with its justification:
/// neither goes without the other.
pub fn exemption_recorded(
    row: &RegisterRow,
    grounds: &[Choice],
) -> Result<Option<(String, String)>, Refusal> {
    let cells = &row.obligations;
    match (&cells.exemption_ground, &cells.exemption_text) {
        (None, None) => Ok(None),
        (Some(written), justification) => {
            let ground = ground_among(grounds, written).map_err(|message| {
                Refusal::new("social_exemption_ground", Some(written.clone()), message)
            })?;
            let text = justification.clone().ok_or_else(|| {
                Refusal::new(
                    "social_exemption_text",
                    None,
                    "Un motif d'absence de condition sociale est donné sans justification : écrivez la justification dans la colonne « Justification ».",
                )
            })?;
            Ok(Some((ground.code.clone(), text)))
        }
        (None, Some(_)) => Err(Refusal::new(
            "social_exemption_ground",
            None,
            "Une justification est donnée sans motif : choisissez le motif d'absence de condition sociale dans la liste.",
        )),
    }
}

/// The lot's number: a whole number from 0 (none, for a contract without lots).
pub fn lot_number_is_positive(row: &RegisterRow) -> Result<i32, Refusal> {
    i32::try_from(row.lot)
        .ok()
        .filter(|l| *l >= 0)
        .ok_or_else(|| {
            Refusal::new(
                "lot",
                Some(row.lot.to_string()),
                "Le numéro de lot doit être un entier positif, ou vide pour un marché sans lots.",
            )
        })
}

/// A contract's lots are all numbered, or it has one lot without a number.
pub fn lots_all_numbered_or_none(lots: &BTreeMap<i32, Lot>, number: i32) -> Result<(), Refusal> {
    let mixed = if number == 0 {
        lots.keys().any(|l| *l != 0)
    } else {
        lots.contains_key(&0)
    };
    if !mixed {
        return Ok(());
    }
    Err(Refusal::new(
        "lot",
        Some(number.to_string()),
        "Ce marché a des lignes avec et sans numéro de lot : numérotez tous ses lots, ou aucun.",
    ))
}

pub fn no_hours_without_clause(row: &RegisterRow) -> Result<(), Refusal> {
    match (row.insertion_clause, row.insertion_hours) {
        (Some(false), Some(hours)) => Err(Refusal::new(
            "insertion_hours",
            Some(hours.to_string()),
            "Des heures d'insertion sont prévues mais « Clause d'insertion » vaut Non : corrigez l'une des deux colonnes.",
        )),
        _ => Ok(()),
    }
}

pub fn one_reservation_per_lot(lot: &Lot, row: &RegisterRow) -> Result<(), Refusal> {
    if lot.reservation == row.reservation {
        return Ok(());
    }
    Err(Refusal::new(
        "reservation",
        None,
        format!(
            "La ligne {} donne une autre réservation pour ce lot : une seule par lot.",
            lot.first_row
        ),
    ))
}

/// What the row says of its lot's clause: "Non", "Oui" or hours (with the row they are on), or
/// nothing.
pub fn clause_said(row: &RegisterRow) -> ClausePlan {
    let n = row.number;
    match (row.insertion_clause, row.insertion_hours) {
        (Some(false), _) => ClausePlan::No { row: n },
        (Some(true), h) | (None, h @ Some(_)) => ClausePlan::Yes {
            hours: h.map(|h| (h, n)),
            row: n,
        },
        (None, None) => ClausePlan::Unsaid,
    }
}

/// The lot's clause with what one more row says: the rows of a lot agree on whether it has a
/// clause, and its hours are given once (or repeated alike).
pub fn clause_agrees(known: ClausePlan, said: ClausePlan) -> Result<ClausePlan, Refusal> {
    match (known, said) {
        (known, ClausePlan::Unsaid) => Ok(known),
        (ClausePlan::Unsaid, said) => Ok(said),
        (ClausePlan::No { .. }, ClausePlan::No { .. }) => Ok(known),
        (ClausePlan::No { row }, ClausePlan::Yes { .. })
        | (ClausePlan::Yes { row, .. }, ClausePlan::No { .. }) => Err(Refusal::new(
            "insertion_clause",
            None,
            format!(
                "La ligne {row} dit l'inverse pour la clause d'insertion de ce lot : mettez la même valeur sur toutes ses lignes."
            ),
        )),
        (
            ClausePlan::Yes {
                hours: Some((known, at)),
                ..
            },
            ClausePlan::Yes {
                hours: Some((h, _)),
                ..
            },
        ) if known != h => Err(Refusal::new(
            "insertion_hours",
            Some(h.to_string()),
            format!(
                "La ligne {at} prévoit déjà {known} pour ce lot : indiquez les heures prévues sur une seule ligne du lot."
            ),
        )),
        (ClausePlan::Yes { hours: Some(_), .. }, ClausePlan::Yes { .. }) => Ok(known),
        (ClausePlan::Yes { hours: None, .. }, yes @ ClausePlan::Yes { .. }) => Ok(yes),
    }
}

/// One row per lot, company and role: `first` is the row that already gave them.
pub fn award_not_repeated(row: &RegisterRow, first: Option<u32>) -> Result<(), Refusal> {
    let Some(first) = first else { return Ok(()) };
    Err(Refusal::new(
        "holder_siret",
        Some(row.holder.to_string()),
        format!(
            "Cette ligne répète la ligne {first} (même lot, même entreprise, même rôle) : gardez-en une."
        ),
    ))
}

/// The company's name: on the row, else on another row of the file (`names`), else none for a
/// company already known. A company without a SIRET, unknown and unnamed (2024 DECP records
/// give no names), is named by its identifier: no file of structures can name it, they
/// require a SIRET.
pub fn holder_named_or_known(
    row: &RegisterRow,
    names: &HashMap<CompanyIdentifier, Name>,
    context: &Context,
) -> Result<Option<Name>, Refusal> {
    let name = match &row.holder_name {
        Some(text) => Some(
            Name::parse(text)
                .map_err(|e| Refusal::new("holder_name", Some(text.clone()), e.to_string()))?,
        ),
        None => names.get(&row.holder).cloned(),
    };
    let known = context.companies.contains_key(row.holder.as_str());
    if name.is_none() && !known && row.holder.siret().is_none() {
        return Ok(Name::parse(&row.holder.to_string()).ok());
    }
    if name.is_none() && !known {
        return Err(Refusal::new(
            "holder_name",
            None,
            "Cette entreprise n'est pas encore connue : indiquez sa raison sociale.",
        ));
    }
    Ok(name)
}

/// Outside a DECP file (the contract's form), a company without a SIRET is one a DECP file
/// already brought: the form names companies by SIRET.
pub fn siret_unless_known(row: &RegisterRow, context: &Context) -> Result<(), Refusal> {
    if row.holder.siret().is_some() || context.companies.contains_key(row.holder.as_str()) {
        return Ok(());
    }
    Err(Refusal::new(
        "holder_siret",
        Some(row.holder.as_str().to_owned()),
        "Aucune entreprise connue n'a cet identifiant ; seul un fichier DECP fait connaître une entreprise sans SIRET : indiquez le SIRET de l'établissement.",
    ))
}

/// A lot has a holder or a co-contractor besides its subcontractors. A lot with no award left
/// had all its rows refused, already reported.
pub fn lot_has_a_holder(reference: &str, lot: &Lot) -> Result<(), Refusal> {
    let holderless = !lot.awards.is_empty()
        && lot
            .awards
            .iter()
            .all(|a: &Award| a.role == AwardRole::Subcontractor);
    if !holderless {
        return Ok(());
    }
    Err(Refusal::new(
        "role",
        None,
        format!(
            "Le lot du marché « {reference} » n'a ni titulaire ni co-traitant : ajoutez la ligne de son titulaire."
        ),
    ))
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::domain::{Hours, Money, Reservation, Siret};

    use crate::import::kinds::contracts::row::{BUYER, HOLDER};

    fn siret(s: &str) -> Siret {
        Siret::parse(s).unwrap()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn row() -> RegisterRow {
        RegisterRow::example()
    }

    fn context() -> Context {
        Context {
            buyers: HashMap::from([(siret(BUYER), BuyerId::from(1))]),
            other_buyers: Vec::new(),
            only_buyer: None,
            companies: HashMap::new(),
            grounds: crate::domain::ObligationRules::built_in().grounds,
            closed: HashMap::new(),
        }
    }

    fn contract(row: &RegisterRow) -> Contract {
        row.contract(BuyerId::from(1))
    }

    fn lot(awards: &[AwardRole]) -> Lot {
        Lot {
            first_row: 3,
            title: None,
            reservation: Reservation::None,
            clause: ClausePlan::Unsaid,
            awards: awards
                .iter()
                .map(|role| Award {
                    row: 3,
                    company: siret(HOLDER).into(),
                    name: None,
                    postal_code: crate::domain::Update::Keep,
                    size_class: crate::domain::Update::Keep,
                    role: *role,
                    amount: Money::ZERO,
                })
                .collect(),
        }
    }

    fn hours(h: i64) -> Hours {
        Hours::from_whole(h).unwrap()
    }

    #[test]
    fn a_reference_holds_16_characters_at_most() {
        let mut row = row();
        row.reference = "A".repeat(16);
        assert!(reference_fits_decp(&row).is_ok());
        row.reference.push('é');
        assert_eq!(reference_fits_decp(&row).unwrap_err().key, "reference");
    }

    #[test]
    fn the_buyer_is_the_one_sent_for_and_within_scope() {
        let mut context = context();
        assert_eq!(buyer_in_scope(&row(), &context), Ok(BuyerId::from(1)));
        context.only_buyer = Some(siret(HOLDER));
        let refusal = buyer_is_the_one_sent_for(&row(), &context).unwrap_err();
        assert!(refusal.message.contains("un autre acheteur"));

        context.buyers.clear();
        let unknown = buyer_in_scope(&row(), &context).unwrap_err();
        assert!(unknown.message.starts_with("Aucun acheteur"));
        context.other_buyers.push(siret(BUYER));
        let outside = buyer_in_scope(&row(), &context).unwrap_err();
        assert!(outside.message.contains("pas accès"));
    }

    #[test]
    fn a_duration_is_1_to_600_months_and_the_end_follows_notification() {
        let mut row = row();
        for (months, fits) in [(1, true), (600, true), (0, false), (601, false)] {
            row.duration_months = Some(months);
            assert_eq!(duration_between_1_and_600_months(&row).is_ok(), fits);
        }
        row.end_date = Some(row.notified);
        assert!(ends_after_notification(&row).is_ok());
        row.end_date = row.notified.pred_opt();
        let refusal = ends_after_notification(&row).unwrap_err();
        assert_eq!(refusal.value.as_deref(), Some("13/03/2025"));
    }

    #[test]
    fn rows_of_one_reference_agree_but_an_empty_field_does_not_disagree() {
        let first = row();
        let mut other = row();
        other.duration_months = Some(12);
        assert!(same_contract_as_first_row(&contract(&first), &contract(&other)).is_ok());
        other.notified = date(2025, 3, 15);
        let refusal = same_contract_as_first_row(&contract(&first), &contract(&other));
        let refusal = refusal.unwrap_err();
        assert_eq!(refusal.key, "notification_date");
        assert!(
            refusal
                .message
                .starts_with("La ligne 7 donne une autre valeur pour la date")
        );
    }

    #[test]
    fn lots_are_numbered_from_zero_all_or_none() {
        let mut row = row();
        row.lot = -1;
        assert!(lot_number_is_positive(&row).is_err());
        row.lot = i64::from(i32::MAX) + 1;
        assert!(lot_number_is_positive(&row).is_err());
        row.lot = 2;
        assert_eq!(lot_number_is_positive(&row), Ok(2));

        let numbered = BTreeMap::from([(1, lot(&[]))]);
        assert!(lots_all_numbered_or_none(&numbered, 2).is_ok());
        assert!(lots_all_numbered_or_none(&numbered, 0).is_err());
        let unnumbered = BTreeMap::from([(0, lot(&[]))]);
        assert!(lots_all_numbered_or_none(&unnumbered, 0).is_ok());
        assert!(lots_all_numbered_or_none(&unnumbered, 1).is_err());
    }

    #[test]
    fn a_lot_has_one_reservation() {
        let mut row = row();
        assert!(one_reservation_per_lot(&lot(&[]), &row).is_ok());
        row.reservation = Reservation::Insertion;
        let refusal = one_reservation_per_lot(&lot(&[]), &row).unwrap_err();
        assert!(
            refusal
                .message
                .starts_with("La ligne 3 donne une autre réservation")
        );
    }

    #[test]
    fn hours_need_the_clause_and_rows_of_a_lot_agree_on_it() {
        let mut row = row();
        row.insertion_clause = Some(false);
        row.insertion_hours = Some(hours(35));
        assert_eq!(
            no_hours_without_clause(&row).unwrap_err().key,
            "insertion_hours"
        );

        let no = ClausePlan::No { row: 3 };
        let yes = |h: Option<i64>, at| ClausePlan::Yes {
            hours: h.map(|h| (hours(h), at)),
            row: at,
        };
        assert_eq!(clause_agrees(no, ClausePlan::Unsaid), Ok(no));
        assert_eq!(clause_agrees(ClausePlan::Unsaid, no), Ok(no));
        let contrary = clause_agrees(no, yes(None, 4)).unwrap_err();
        assert!(contrary.message.starts_with("La ligne 3 dit l'inverse"));
        assert_eq!(
            clause_agrees(yes(None, 3), yes(Some(35), 4)),
            Ok(yes(Some(35), 4))
        );
        assert_eq!(
            clause_agrees(yes(Some(35), 3), yes(None, 4)),
            Ok(yes(Some(35), 3))
        );
        assert_eq!(
            clause_agrees(yes(Some(35), 3), yes(Some(35), 4)),
            Ok(yes(Some(35), 3))
        );
        let twice = clause_agrees(yes(Some(35), 3), yes(Some(40), 4)).unwrap_err();
        assert!(
            twice.message.starts_with("La ligne 3 prévoit déjà 35"),
            "{}",
            twice.message
        );
    }

    #[test]
    fn the_clause_said_by_a_row() {
        let mut row = row();
        assert_eq!(clause_said(&row), ClausePlan::Unsaid);
        row.insertion_hours = Some(hours(10));
        assert_eq!(
            clause_said(&row),
            ClausePlan::Yes {
                hours: Some((hours(10), 7)),
                row: 7
            }
        );
        row.insertion_clause = Some(false);
        assert_eq!(clause_said(&row), ClausePlan::No { row: 7 });
    }

    #[test]
    fn an_award_is_given_once_and_its_company_named_or_known() {
        assert!(award_not_repeated(&row(), None).is_ok());
        let repeated = award_not_repeated(&row(), Some(5)).unwrap_err();
        assert!(
            repeated
                .message
                .starts_with("Cette ligne répète la ligne 5")
        );

        let mut context = context();
        let unknown = holder_named_or_known(&row(), &HashMap::new(), &context).unwrap_err();
        assert_eq!(unknown.key, "holder_name");
        let named_elsewhere =
            HashMap::from([(siret(HOLDER).into(), Name::parse("Bâtir").unwrap())]);
        let name = holder_named_or_known(&row(), &named_elsewhere, &context).unwrap();
        assert_eq!(name.unwrap().as_str(), "Bâtir");
        context
            .companies
            .insert(HOLDER.to_owned(), (9.into(), "company".to_owned()));
        assert_eq!(
            holder_named_or_known(&row(), &HashMap::new(), &context),
            Ok(None)
        );
        let mut blank = row();
        blank.holder_name = Some("\u{7}".to_owned());
        assert!(holder_named_or_known(&blank, &HashMap::new(), &context).is_err());
    }

    #[test]
    fn a_company_without_siret_is_named_by_its_identifier_and_known_outside_a_decp_file() {
        let mut context = context();
        let mut foreign = row();
        foreign.holder = CompanyIdentifier::parse("HORS-UE:GB-7654321").unwrap();
        let name = holder_named_or_known(&foreign, &HashMap::new(), &context).unwrap();
        assert_eq!(
            name.unwrap().as_str(),
            "Identifiant étranger (HORS-UE) GB-7654321"
        );
        assert!(siret_unless_known(&row(), &context).is_ok());
        let refusal = siret_unless_known(&foreign, &context).unwrap_err();
        assert_eq!(refusal.key, "holder_siret");
        context.companies.insert(
            "HORS-UE:GB-7654321".to_owned(),
            (9.into(), "company".to_owned()),
        );
        assert!(siret_unless_known(&foreign, &context).is_ok());
    }

    #[test]
    fn a_lot_of_subcontractors_only_has_no_holder() {
        assert!(lot_has_a_holder("2025-001", &lot(&[])).is_ok());
        let both = lot(&[AwardRole::Holder, AwardRole::Subcontractor]);
        assert!(lot_has_a_holder("2025-001", &both).is_ok());
        let refusal = lot_has_a_holder("2025-001", &lot(&[AwardRole::Subcontractor]));
        assert_eq!(refusal.unwrap_err().key, "role");
    }

    #[test]
    fn a_ground_is_one_of_the_rules_and_goes_with_its_justification() {
        let grounds = context().grounds;
        let mut row = row();
        assert_eq!(exemption_recorded(&row, &grounds), Ok(None));
        row.obligations.exemption_ground = Some("Solution immédiatement disponible".to_owned());
        let refusal = exemption_recorded(&row, &grounds).unwrap_err();
        assert_eq!(refusal.key, "social_exemption_text");
        row.obligations.exemption_text = Some("Achat sur catalogue".to_owned());
        assert_eq!(
            exemption_recorded(&row, &grounds),
            Ok(Some((
                "immediately_available".to_owned(),
                "Achat sur catalogue".to_owned()
            )))
        );
        row.obligations.exemption_ground = Some("Urgence".to_owned());
        let unknown = exemption_recorded(&row, &grounds).unwrap_err();
        assert_eq!(unknown.key, "social_exemption_ground");
        assert!(
            unknown
                .message
                .starts_with("« Urgence » n'est pas un motif")
        );
        assert!(
            unknown
                .message
                .contains("« Solution immédiatement disponible »")
        );
        row.obligations.exemption_ground = None;
        let alone = exemption_recorded(&row, &grounds).unwrap_err();
        assert_eq!(alone.key, "social_exemption_ground");
    }
}
