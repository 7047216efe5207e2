//! The rules of one statement row, one named check each, over its typed row and what the
//! database holds. A check returns the refusal to report, or what it establishes.

use chrono::NaiveDate;

use super::context::Context;
use super::row::StatementRow;
use crate::domain::{Labelled, Modality, Month, StructureKind};
use crate::import::refusal::Refusal;
use crate::storage::contracts::LotPeriod;
use crate::storage::{CompanyId, ParticipantId};

/// A company account declares for its own SIRET only.
pub fn company_is_own(row: &StatementRow, context: &Context) -> Result<(), Refusal> {
    match context.only_company.as_deref() {
        Some(own) if own != row.company.as_str() => Err(Refusal::new(
            "company_siret",
            Some(row.company.to_string()),
            "Un compte entreprise ne déclare que ses propres heures : ce SIRET n'est pas celui de votre établissement.",
        )),
        _ => Ok(()),
    }
}

/// The company's id, when it is known.
pub fn company_known(row: &StatementRow, context: &Context) -> Result<CompanyId, Refusal> {
    match context.companies.get(row.company.as_str()) {
        Some(&(id, _)) => Ok(id),
        None => Err(Refusal::new(
            "company_siret",
            Some(row.company.to_string()),
            "Cette entreprise n'est pas connue : vérifiez le SIRET, ou importez d'abord le registre des marchés.",
        )),
    }
}

pub fn company_holds_lot(
    row: &StatementRow,
    lot: &LotPeriod,
    company_id: CompanyId,
    context: &Context,
) -> Result<(), Refusal> {
    if context.holders.contains(&(lot.lot_id, company_id)) {
        return Ok(());
    }
    Err(Refusal::new(
        "company_siret",
        Some(row.company.to_string()),
        "Cette entreprise ne détient pas ce lot (ni titulaire, ni co-traitante, ni sous-traitante déclarée) : vérifiez le SIRET ou le lot.",
    ))
}

/// First and last month of a contract: its end date, else notification plus duration.
fn period(lot: &LotPeriod) -> (Option<Month>, Option<Month>) {
    let start = Month::of_date(lot.notification_date).ok();
    let end =
        crate::domain::contract::last_day(lot.notification_date, lot.duration_months, lot.end_date);
    (start, end.and_then(|d: NaiveDate| Month::of_date(d).ok()))
}

/// A closed clause's hours no longer change: a row on its lot is refused, saying since when,
/// by whom and whom to ask.
pub fn clause_not_closed(
    row: &StatementRow,
    lot: &LotPeriod,
    context: &Context,
) -> Result<(), Refusal> {
    match context.closed.get(&lot.lot_id) {
        Some(message) => Err(Refusal::new(
            "reference",
            Some(row.reference.clone()),
            message.clone(),
        )),
        None => Ok(()),
    }
}

pub fn month_within_contract(row: &StatementRow, lot: &LotPeriod) -> Result<(), Refusal> {
    let (start, end) = period(lot);
    if !(start.is_some_and(|s| row.month < s) || end.is_some_and(|e| row.month > e)) {
        return Ok(());
    }
    let bounds = match (start, end) {
        (Some(s), Some(e)) => format!("de {s} à {e}"),
        (Some(s), None) => format!("à partir de {s}"),
        _ => String::new(),
    };
    Err(Refusal::new(
        "month",
        Some(row.month.to_string()),
        format!(
            "Ce mois est hors de la période du marché ({bounds}) : vérifiez le mois ou la référence."
        ),
    ))
}

/// The participant's id, when the facilitator has imported them.
pub fn participant_known(row: &StatementRow, context: &Context) -> Result<ParticipantId, Refusal> {
    match context.participants.get(&row.pseudonym) {
        Some(&id) => Ok(id),
        None => Err(Refusal::new(
            "pseudonym",
            Some(row.pseudonym.clone()),
            "Identifiant de participant inconnu : le facilitateur doit d'abord importer ou valider ce participant.",
        )),
    }
}

/// The insertion employer's id for the modalities that go through one (none for the others):
/// its SIRET is given, known, of an insertion structure, and one that may second its staff for
/// a secondment.
pub fn insertion_employer(
    row: &StatementRow,
    context: &Context,
) -> Result<Option<CompanyId>, Refusal> {
    if !row.modality.needs_insertion_structure() {
        return Ok(None);
    }
    let Some(siret) = &row.structure else {
        return Err(Refusal::new(
            "structure_siret",
            None,
            format!(
                "La modalité « {} » se déclare avec le SIRET de la structure d'insertion : remplissez-le.",
                row.modality.label()
            ),
        ));
    };
    let refusal =
        |message: String| Refusal::new("structure_siret", Some(siret.to_string()), message);
    let Some((id, code)) = context.companies.get(siret.as_str()) else {
        return Err(refusal("Cette structure d'insertion n'est pas connue : importez-la d'abord (fichier des structures).".to_owned()));
    };
    let Some(kind) = StructureKind::from_code(code).filter(|k| k.is_insertion_structure()) else {
        return Err(refusal("Ce SIRET n'est pas celui d'une structure d'insertion (SIAE, GEIQ, EA, ESAT) : vérifiez-le, ou importez la structure avec son type.".to_owned()));
    };
    if row.modality == Modality::Secondment && !kind.can_second_staff() {
        return Err(refusal(format!(
            "Une mise à disposition se fait par une ETTI, une EATT, une AI ou un GEIQ ; cette structure est un(e) {}.",
            kind.label()
        )));
    }
    Ok(Some(*id))
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use super::*;
    use crate::domain::{Hours, Siret};
    use crate::import::kinds::lots::{LotCell, LotsByReference, lot_of_row};
    use crate::storage::{BuyerId, LotId};

    const COMPANY: &str = "44306184100047";
    const STRUCTURE: &str = "35600000049837";

    fn row() -> StatementRow {
        StatementRow {
            number: 4,
            reference: "2025-001".to_owned(),
            lot: 0,
            company: Siret::parse(COMPANY).unwrap(),
            month: Month::new(2025, 6).unwrap(),
            pseudonym: "P-001".to_owned(),
            modality: Modality::DirectHire,
            hours: Hours::from_whole(35).unwrap(),
            structure: None,
            employment_contract: None,
        }
    }

    fn lot(buyer_id: i64, lot_number: i32) -> LotPeriod {
        let buyer_id = BuyerId::from(buyer_id);
        LotPeriod {
            buyer_id,
            reference: "2025-001".to_owned(),
            notification_date: NaiveDate::from_ymd_opt(2025, 3, 14).unwrap(),
            duration_months: Some(12),
            end_date: None,
            lot_number,
            lot_id: LotId::from(10 + i64::from(lot_number)),
        }
    }

    fn context() -> Context {
        Context {
            lots: Vec::new(),
            holders: HashSet::from([(LotId::from(10), CompanyId::from(1))]),
            companies: HashMap::from([(COMPANY.to_owned(), (1.into(), "company".to_owned()))]),
            participants: HashMap::from([("P-001".to_owned(), 7.into())]),
            only_company: None,
            max_hours_per_month: Hours::from_whole(200).unwrap(),
            closed: HashMap::from([(LotId::from(12), "La clause est close.".to_owned())]),
        }
    }

    #[test]
    fn a_row_on_a_closed_clause_is_refused_with_its_message() {
        let context = context();
        assert!(clause_not_closed(&row(), &lot(1, 1), &context).is_ok());
        let refused = clause_not_closed(&row(), &lot(1, 2), &context).unwrap_err();
        assert_eq!(
            (refused.key, refused.message.as_str()),
            ("reference", "La clause est close.")
        );
    }

    #[test]
    fn the_reference_names_one_lot_of_one_buyer() {
        let lot_of_row = |row: &StatementRow, candidates: &[&LotPeriod]| {
            let cell = LotCell {
                reference: &row.reference,
                lot: row.lot,
            };
            lot_of_row(&cell, candidates).map(|lot| lot.lot_id)
        };
        let lots = [lot(1, 1), lot(1, 2)];
        let index = LotsByReference::new(&lots);
        assert!(index.get("2025-002").is_empty());
        let unknown = lot_of_row(&row(), index.get("2025-002")).unwrap_err();
        assert_eq!(unknown.key, "reference");

        let unnumbered = lot_of_row(&row(), index.get("2025-001")).unwrap_err();
        assert!(unnumbered.message.contains("divisé en lots (1, 2)"));
        let mut third = row();
        third.lot = 3;
        let missing = lot_of_row(&third, index.get("2025-001")).unwrap_err();
        assert_eq!(
            missing.message,
            "Lot 3 inconnu pour vos marchés : les lots de ce marché que vous pouvez déclarer sont 1, 2 ; corrigez le numéro du lot."
        );
        third.lot = 2;
        assert_eq!(
            lot_of_row(&third, index.get("2025-001")).unwrap(),
            LotId::from(12)
        );

        let shared = [lot(1, 0), lot(2, 0)];
        let index = LotsByReference::new(&shared);
        let two_buyers = lot_of_row(&row(), index.get("2025-001")).unwrap_err();
        assert!(two_buyers.message.starts_with("Plusieurs acheteurs"));
    }

    #[test]
    fn the_company_is_known_holds_the_lot_and_is_the_account_s_own() {
        let mut context = context();
        let company = CompanyId::from(1);
        assert_eq!(company_known(&row(), &context), Ok(company));
        assert!(company_holds_lot(&row(), &lot(1, 0), company, &context).is_ok());
        assert!(company_holds_lot(&row(), &lot(1, 1), company, &context).is_err());
        context.only_company = Some(STRUCTURE.to_owned());
        assert!(company_is_own(&row(), &context).is_err());
        context.only_company = Some(COMPANY.to_owned());
        assert!(company_is_own(&row(), &context).is_ok());
        context.companies.clear();
        assert_eq!(
            company_known(&row(), &context).unwrap_err().key,
            "company_siret"
        );
    }

    #[test]
    fn the_month_falls_within_the_contract() {
        let mut row = row();
        for (year, month, within) in [
            (2025, 3, true),
            (2026, 3, true),
            (2025, 2, false),
            (2026, 4, false),
        ] {
            row.month = Month::new(year, month).unwrap();
            assert_eq!(
                month_within_contract(&row, &lot(1, 0)).is_ok(),
                within,
                "{year}-{month}"
            );
        }
        let refusal = month_within_contract(&row, &lot(1, 0)).unwrap_err();
        assert!(refusal.message.contains("(de "), "{}", refusal.message);
    }

    #[test]
    fn the_participant_is_known() {
        assert_eq!(participant_known(&row(), &context()), Ok(7.into()));
        let mut other = row();
        other.pseudonym = "P-002".to_owned();
        let refusal = participant_known(&other, &context()).unwrap_err();
        assert_eq!(refusal.value.as_deref(), Some("P-002"));
    }

    #[test]
    fn hours_through_a_structure_name_an_insertion_structure_that_may_do_it() {
        let mut context = context();
        let mut row = row();
        assert_eq!(insertion_employer(&row, &context), Ok(None));
        row.modality = Modality::Secondment;
        assert_eq!(insertion_employer(&row, &context).unwrap_err().value, None);
        row.structure = Some(Siret::parse(STRUCTURE).unwrap());
        let unknown = insertion_employer(&row, &context).unwrap_err();
        assert!(unknown.message.contains("n'est pas connue"));
        let mut with_kind = |code: &str| {
            context
                .companies
                .insert(STRUCTURE.to_owned(), (5.into(), code.to_owned()));
            insertion_employer(&row, &context)
        };
        assert!(
            with_kind("company")
                .unwrap_err()
                .message
                .contains("n'est pas celui d'une structure")
        );
        assert!(with_kind("aci").unwrap_err().message.contains("un(e) ACI"));
        assert_eq!(with_kind("etti"), Ok(Some(5.into())));
    }
}
