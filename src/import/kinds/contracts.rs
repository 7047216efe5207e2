//! The contracts register: one row per lot × awardee, grouped into contracts (buyer and
//! reference) and lots (number; none for a contract without lots).

use super::super::progress::Progress;
use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use super::super::cells::Value;
use super::super::problem::RowProblem;
use super::super::profile::{Profile, ValueType};
use super::super::reporter::Reporter;
use super::super::rows::{ParsedRow, RowView};
use crate::domain::{
    AwardRole, CpvCode, Hours, Money, Name, PostalCode, Procedure, Reservation, Siret, SizeClass,
};
use crate::storage::DbConnection;
use crate::storage::companies::{self, CompanyUpsert};
use crate::storage::contracts::{self as repository, ContractFields};

/// The columns a contracts profile must declare.
pub const COLUMNS: &[(&str, ValueType)] = &[
    ("reference", ValueType::Text),
    ("object", ValueType::Text),
    ("buyer_siret", ValueType::Siret),
    ("procedure", ValueType::Procedure),
    ("cpv", ValueType::CpvCode),
    ("notification_date", ValueType::Date),
    ("duration_months", ValueType::Integer),
    ("end_date", ValueType::Date),
    ("lot", ValueType::Integer),
    ("lot_title", ValueType::Text),
    ("amount", ValueType::Money),
    ("holder_siret", ValueType::Siret),
    ("holder_name", ValueType::Text),
    ("holder_postal_code", ValueType::PostalCode),
    ("holder_size", ValueType::SizeClass),
    ("role", ValueType::AwardRole),
    ("insertion_clause", ValueType::Boolean),
    ("insertion_hours", ValueType::Hours),
    ("social_criterion", ValueType::Boolean),
    ("reservation", ValueType::Reservation),
];

/// DECP caps a contract's identifier at 16 characters.
const MAX_REFERENCE_CHARS: usize = 16;

/// What the checks need to know of the database, read before anything is written.
pub struct Context {
    /// Buyer SIRET → id, for every buyer the uploader may import for.
    pub buyers: HashMap<Siret, i64>,
    /// Buyers that exist but are outside the uploader's scope.
    pub other_buyers: Vec<Siret>,
    /// The buyer the file was sent for, when one was given.
    pub only_buyer: Option<Siret>,
    /// Known establishments (SIRET → id and kind code).
    pub companies: HashMap<String, (i64, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Contract {
    pub first_row: u32,
    pub buyer_id: i64,
    pub reference: String,
    pub object: String,
    pub procedure: Option<Procedure>,
    pub cpv: Option<CpvCode>,
    pub notification_date: NaiveDate,
    pub duration_months: Option<i32>,
    pub end_date: Option<NaiveDate>,
    pub social_criterion: bool,
    pub lots: BTreeMap<i32, Lot>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Lot {
    pub first_row: u32,
    pub title: Option<String>,
    pub reservation: Reservation,
    pub clause: ClausePlan,
    pub awards: Vec<Award>,
}

/// What the register says of a lot's insertion clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClausePlan {
    /// Nothing: a clause set by a facilitator stays as it is.
    Unsaid,
    /// "Non": the lot has no clause.
    No { row: u32 },
    /// "Oui" or target hours given; the row the hours came from.
    Yes {
        hours: Option<(Hours, u32)>,
        row: u32,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Award {
    pub row: u32,
    pub siret: Siret,
    pub name: Option<Name>,
    pub postal_code: Option<PostalCode>,
    pub size_class: Option<SizeClass>,
    pub role: AwardRole,
    pub amount: Money,
}

pub fn validate(
    profile: &Profile,
    sheet: &str,
    rows: &[ParsedRow],
    context: &Context,
    problems: &mut Vec<RowProblem>,
) -> Vec<Contract> {
    let mut report = Reporter::new(sheet, profile, problems);
    // A company named on one row may be left bare on the others.
    let mut names: HashMap<Siret, Name> = HashMap::new();
    for row in rows {
        let view = RowView { profile, row };
        if let (Some(siret), Some(Ok(name))) = (
            view.siret("holder_siret"),
            view.text("holder_name").map(|t| Name::parse(&t)),
        ) {
            names.entry(siret).or_insert(name);
        }
    }
    let mut contracts: Vec<Contract> = Vec::new();
    for row in rows {
        let view = RowView { profile, row };
        let n = row.number;
        let (
            Some(reference),
            Some(object),
            Some(buyer),
            Some(notified),
            Some(Value::Money(amount)),
            Some(holder),
        ) = (
            view.text("reference"),
            view.text("object"),
            view.siret("buyer_siret"),
            view.date("notification_date"),
            view.get("amount"),
            view.siret("holder_siret"),
        )
        else {
            continue; // its empty required cells are already reported
        };
        if reference.chars().count() > MAX_REFERENCE_CHARS {
            let message = format!(
                "La référence dépasse {MAX_REFERENCE_CHARS} caractères (format DECP) : raccourcissez-la."
            );
            report.add(n, "reference", Some(reference), message);
            continue;
        }
        if context
            .only_buyer
            .as_ref()
            .is_some_and(|only| *only != buyer)
        {
            let message = "Ce fichier est envoyé pour un autre acheteur : retirez cette ligne ou envoyez-la pour le bon acheteur.";
            report.add(
                n,
                "buyer_siret",
                Some(buyer.to_string()),
                message.to_owned(),
            );
            continue;
        }
        let Some(&buyer_id) = context.buyers.get(&buyer) else {
            let message = if context.other_buyers.contains(&buyer) {
                "Vous n'avez pas accès à cet acheteur : demandez à un administrateur de l'ajouter à votre périmètre."
            } else {
                "Aucun acheteur n'a ce SIRET : vérifiez-le, ou demandez à un administrateur de créer l'acheteur."
            };
            report.add(
                n,
                "buyer_siret",
                Some(buyer.to_string()),
                message.to_owned(),
            );
            continue;
        };
        let duration = view.integer("duration_months");
        if duration.is_some_and(|d| !(1..=600).contains(&d)) {
            report.add(
                n,
                "duration_months",
                duration.map(|d| d.to_string()),
                "La durée doit être un nombre de mois entre 1 et 600.".to_owned(),
            );
            continue;
        }
        let end_date = view.date("end_date");
        if end_date.is_some_and(|end| end < notified) {
            report.add(
                n,
                "end_date",
                end_date.map(|d| d.format("%d/%m/%Y").to_string()),
                "La date de fin précède la date de notification : corrigez l'une des deux."
                    .to_owned(),
            );
            continue;
        }
        let procedure = match view.get("procedure") {
            Some(Value::Procedure(p)) => Some(*p),
            _ => None,
        };
        let cpv = match view.get("cpv") {
            Some(Value::CpvCode(c)) => Some(c.clone()),
            _ => None,
        };
        let this = Contract {
            first_row: n,
            buyer_id,
            reference: reference.clone(),
            object,
            procedure,
            cpv,
            notification_date: notified,
            duration_months: duration.map(|d| d as i32),
            end_date,
            social_criterion: view.boolean("social_criterion").unwrap_or(false),
            lots: BTreeMap::new(),
        };
        let contract = match contracts
            .iter_mut()
            .find(|c| c.buyer_id == buyer_id && c.reference == reference)
        {
            Some(existing) => {
                if let Some((key, label)) = first_difference(existing, &this) {
                    let message = format!(
                        "La ligne {} donne une autre valeur pour {label} du marché « {reference} » : une même référence doit porter les mêmes informations sur toutes ses lignes.",
                        existing.first_row
                    );
                    report.add(n, key, None, message);
                    continue;
                }
                existing
            }
            None => {
                contracts.push(this);
                contracts.last_mut().expect("just pushed")
            }
        };

        let lot_number = view.integer("lot").unwrap_or(0);
        let Ok(lot_number) = i32::try_from(lot_number)
            .map_err(|_| ())
            .and_then(|l| if l >= 0 { Ok(l) } else { Err(()) })
        else {
            report.add(
                n,
                "lot",
                Some(lot_number.to_string()),
                "Le numéro de lot doit être un entier positif, ou vide pour un marché sans lots."
                    .to_owned(),
            );
            continue;
        };
        if (lot_number == 0 && contract.lots.keys().any(|l| *l != 0))
            || (lot_number != 0 && contract.lots.contains_key(&0))
        {
            report.add(n, "lot", Some(lot_number.to_string()), "Ce marché a des lignes avec et sans numéro de lot : numérotez tous ses lots, ou aucun.".to_owned());
            continue;
        }
        let reservation = match view.get("reservation") {
            Some(Value::Reservation(r)) => *r,
            _ => Reservation::None,
        };
        let hours = match view.get("insertion_hours") {
            Some(Value::Hours(h)) => Some(*h),
            _ => None,
        };
        let clause_flag = view.boolean("insertion_clause");
        if clause_flag == Some(false) && hours.is_some() {
            report.add(n, "insertion_hours", hours.map(|h| h.to_string()), "Des heures d'insertion sont prévues mais « Clause d'insertion » vaut Non : corrigez l'une des deux colonnes.".to_owned());
            continue;
        }
        let lot = contract.lots.entry(lot_number).or_insert_with(|| Lot {
            first_row: n,
            title: view.text("lot_title"),
            reservation,
            clause: ClausePlan::Unsaid,
            awards: Vec::new(),
        });
        if lot.reservation != reservation {
            report.add(
                n,
                "reservation",
                None,
                format!(
                    "La ligne {} donne une autre réservation pour ce lot : une seule par lot.",
                    lot.first_row
                ),
            );
            continue;
        }
        let said = match (clause_flag, hours) {
            (Some(false), _) => ClausePlan::No { row: n },
            (Some(true), h) | (None, h @ Some(_)) => ClausePlan::Yes {
                hours: h.map(|h| (h, n)),
                row: n,
            },
            (None, None) => ClausePlan::Unsaid,
        };
        lot.clause = match (lot.clause, said) {
            (known, ClausePlan::Unsaid) => known,
            (ClausePlan::Unsaid, said) => said,
            (ClausePlan::No { .. }, ClausePlan::No { .. }) => lot.clause,
            (ClausePlan::No { row }, ClausePlan::Yes { .. })
            | (ClausePlan::Yes { row, .. }, ClausePlan::No { .. }) => {
                report.add(
                    n,
                    "insertion_clause",
                    None,
                    format!(
                        "La ligne {row} dit l'inverse pour la clause d'insertion de ce lot : mettez la même valeur sur toutes ses lignes."
                    ),
                );
                continue;
            }
            (
                ClausePlan::Yes {
                    hours: Some((known, at)),
                    ..
                },
                ClausePlan::Yes {
                    hours: Some((h, _)),
                    ..
                },
            ) if known != h => {
                report.add(
                    n,
                    "insertion_hours",
                    Some(h.to_string()),
                    format!(
                        "La ligne {at} prévoit déjà {known} pour ce lot : indiquez les heures prévues sur une seule ligne du lot."
                    ),
                );
                continue;
            }
            (
                ClausePlan::Yes {
                    hours: Some(known),
                    row,
                },
                ClausePlan::Yes { .. },
            ) => ClausePlan::Yes {
                hours: Some(known),
                row,
            },
            (ClausePlan::Yes { hours: None, .. }, yes @ ClausePlan::Yes { .. }) => yes,
        };
        let role = match view.get("role") {
            Some(Value::AwardRole(r)) => *r,
            _ => AwardRole::Holder,
        };
        if let Some(first) = lot
            .awards
            .iter()
            .find(|a| a.siret == holder && a.role == role)
        {
            report.add(
                n,
                "holder_siret",
                Some(holder.to_string()),
                format!(
                    "Cette ligne répète la ligne {} (même lot, même entreprise, même rôle) : gardez-en une.",
                    first.row
                ),
            );
            continue;
        }
        let name = match view.text("holder_name").map(|t| Name::parse(&t)) {
            Some(Ok(name)) => Some(name),
            Some(Err(e)) => {
                report.add(n, "holder_name", view.text("holder_name"), e.to_string());
                continue;
            }
            None => names.get(&holder).cloned(),
        };
        if name.is_none() && !context.companies.contains_key(holder.as_str()) {
            report.add(
                n,
                "holder_name",
                None,
                "Cette entreprise n'est pas encore connue : indiquez sa raison sociale.".to_owned(),
            );
            continue;
        }
        lot.awards.push(Award {
            row: n,
            siret: holder,
            name,
            postal_code: match view.get("holder_postal_code") {
                Some(Value::PostalCode(p)) => Some(p.clone()),
                _ => None,
            },
            size_class: match view.get("holder_size") {
                Some(Value::SizeClass(s)) => Some(*s),
                _ => None,
            },
            role,
            amount: *amount,
        });
    }
    for contract in &contracts {
        for lot in contract.lots.values() {
            // A lot with no award left had all its rows refused, already reported.
            let holderless = !lot.awards.is_empty()
                && lot
                    .awards
                    .iter()
                    .all(|a| a.role == AwardRole::Subcontractor);
            if holderless {
                report.add(
                    lot.first_row,
                    "role",
                    None,
                    format!(
                        "Le lot du marché « {} » n'a ni titulaire ni co-traitant : ajoutez la ligne de son titulaire.",
                        contract.reference
                    ),
                );
            }
        }
    }
    contracts
}

/// The first contract-level field on which two rows of one reference disagree.
fn first_difference(a: &Contract, b: &Contract) -> Option<(&'static str, &'static str)> {
    [
        (a.object != b.object, "object", "l'objet"),
        (
            a.procedure.is_some() && b.procedure.is_some() && a.procedure != b.procedure,
            "procedure",
            "la procédure",
        ),
        (
            a.cpv.is_some() && b.cpv.is_some() && a.cpv != b.cpv,
            "cpv",
            "le code CPV",
        ),
        (
            a.notification_date != b.notification_date,
            "notification_date",
            "la date de notification",
        ),
        (
            a.duration_months.is_some()
                && b.duration_months.is_some()
                && a.duration_months != b.duration_months,
            "duration_months",
            "la durée",
        ),
        (
            a.end_date.is_some() && b.end_date.is_some() && a.end_date != b.end_date,
            "end_date",
            "la date de fin",
        ),
    ]
    .into_iter()
    .find_map(|(differs, key, label)| differs.then_some((key, label)))
}

/// Writes every contract, lot, award and clause; returns how many award rows were written.
/// The caller provides the transaction.
pub fn write(
    conn: &mut DbConnection,
    contracts: &[Contract],
    import_id: i64,
    progress: &mut dyn Progress,
) -> diesel::QueryResult<usize> {
    let mut written = 0;
    for contract in contracts {
        let contract_id = repository::upsert_contract(
            conn,
            &ContractFields {
                buyer_id: contract.buyer_id,
                reference: &contract.reference,
                object: &contract.object,
                procedure: contract.procedure,
                cpv: contract.cpv.as_ref(),
                notification_date: contract.notification_date,
                duration_months: contract.duration_months,
                end_date: contract.end_date,
                social_criterion: contract.social_criterion,
                import_id: Some(import_id),
            },
        )?;
        for (number, lot) in &contract.lots {
            // The lot's amount: its holders' and co-contractors' shares; subcontracting is paid
            // out of them.
            let amount = lot
                .awards
                .iter()
                .filter(|a| a.role != AwardRole::Subcontractor)
                .try_fold(Money::ZERO, |sum, a| sum.checked_add(a.amount))
                .ok_or_else(|| {
                    diesel::result::Error::SerializationError("montant du lot trop grand".into())
                })?;
            let lot_id = repository::upsert_lot(
                conn,
                contract_id,
                *number,
                lot.title.as_deref(),
                amount,
                lot.reservation,
            )?;
            let mut awards = Vec::with_capacity(lot.awards.len());
            for award in &lot.awards {
                let company_id = companies::upsert(
                    conn,
                    &CompanyUpsert {
                        siret: &award.siret,
                        name: award.name.as_ref(),
                        kind: None,
                        postal_code: award.postal_code.as_ref(),
                        size_class: award.size_class,
                    },
                )?;
                awards.push((company_id, award.role, award.amount));
                progress.row_written();
            }
            repository::replace_awards(conn, lot_id, &awards)?;
            match lot.clause {
                ClausePlan::Unsaid => {}
                ClausePlan::No { .. } => repository::remove_clause(conn, lot_id)?,
                ClausePlan::Yes { hours, .. } => {
                    repository::set_clause(conn, lot_id, hours.map(|(h, _)| h))?
                }
            }
            written += lot.awards.len();
        }
    }
    Ok(written)
}
