//! Work contracts: the facilitateur's register of the employment contracts participants hold,
//! one row per contract. A register replaces, for its participants, the contracts derived
//! from the hour statements.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::lots::{LotCell, LotsByReference, lot_of_row};
use crate::domain::work_contract::{WorkContractPeriod, check_weekly_hours, parse_lot_numbers};
use crate::domain::{EmploymentContract, Hours, Labelled, Siret, StructureKind};
use crate::import::cells::Value;
use crate::import::problem::Problems;
use crate::import::profile::{Profile, ValueType};
use crate::import::progress::Progress;
use crate::import::refusal::Refusal;
use crate::import::reporter::Reporter;
use crate::import::rows::{ParsedRow, RowView};
use crate::storage::contracts::LotPeriod;
use crate::storage::work_contracts::{self, NewWorkContract};
use crate::storage::{CompanyId, DbConnection, ImportId, LotId, ParticipantId};

/// The columns a work-contracts profile must declare.
pub const COLUMNS: &[(&str, ValueType)] = &[
    ("pseudonym", ValueType::Text),
    ("employer_siret", ValueType::Siret),
    ("structure_siret", ValueType::Siret),
    ("contract_type", ValueType::EmploymentContract),
    ("start_date", ValueType::Date),
    ("end_date", ValueType::Date),
    ("weekly_hours", ValueType::Hours),
    ("reference", ValueType::Text),
    ("lot", ValueType::Text),
];

/// What the checks need from the database: the lots the uploader may name, the known
/// establishments (SIRET → id and kind code) and participants.
#[derive(Default)]
pub struct Context {
    pub lots: Vec<LotPeriod>,
    pub companies: HashMap<String, (CompanyId, String)>,
    pub participants: HashMap<String, ParticipantId>,
}

/// A checked row, ready to write.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkContract {
    pub row: u32,
    pub contract: NewWorkContract,
}

/// A row whose required cells hold a value, its cells read once.
struct ContractRow {
    number: u32,
    pseudonym: String,
    employer: Siret,
    structure: Option<Siret>,
    contract_type: EmploymentContract,
    start: NaiveDate,
    end: Option<NaiveDate>,
    weekly_hours: Option<Hours>,
    reference: String,
    lots: String,
}

impl ContractRow {
    fn read(profile: &Profile, row: &ParsedRow) -> Option<ContractRow> {
        let view = RowView { profile, row };
        let Some(Value::EmploymentContract(contract_type)) = view.get("contract_type") else {
            return None;
        };
        Some(ContractRow {
            number: row.number,
            pseudonym: view.text("pseudonym")?,
            employer: view.siret("employer_siret")?,
            structure: view.siret("structure_siret"),
            contract_type: *contract_type,
            start: view.date("start_date")?,
            end: view.date("end_date"),
            weekly_hours: match view.get("weekly_hours") {
                Some(Value::Hours(h)) => Some(*h),
                _ => None,
            },
            reference: view.text("reference")?,
            lots: view.text("lot").unwrap_or_default(),
        })
    }
}

fn participant_known(row: &ContractRow, context: &Context) -> Result<ParticipantId, Refusal> {
    context.participants.get(&row.pseudonym).copied().ok_or_else(|| {
        Refusal::new(
            "pseudonym",
            Some(row.pseudonym.clone()),
            "Identifiant de participant inconnu : importez d'abord ce participant (fichier des participants).",
        )
    })
}

fn employer_known(row: &ContractRow, context: &Context) -> Result<CompanyId, Refusal> {
    match context.companies.get(row.employer.as_str()) {
        Some((id, _)) => Ok(*id),
        None => Err(Refusal::new(
            "employer_siret",
            Some(row.employer.to_string()),
            "Cet employeur n'est pas connu : vérifiez le SIRET, ou importez-le d'abord (fichier des structures).",
        )),
    }
}

/// The insertion structure, when one is given: known, and of an insertion kind.
fn structure_known(row: &ContractRow, context: &Context) -> Result<Option<CompanyId>, Refusal> {
    let Some(siret) = &row.structure else {
        return Ok(None);
    };
    let refusal = |message: &str| Refusal::new("structure_siret", Some(siret.to_string()), message);
    let Some((id, code)) = context.companies.get(siret.as_str()) else {
        return Err(refusal(
            "Cette structure d'insertion n'est pas connue : importez-la d'abord (fichier des structures).",
        ));
    };
    match StructureKind::from_code(code) {
        Some(kind) if kind.is_insertion_structure() => Ok(Some(*id)),
        _ => Err(refusal(
            "Ce SIRET n'est pas celui d'une structure d'insertion (SIAE, GEIQ, EA, ESAT) : vérifiez-le, ou laissez la cellule vide.",
        )),
    }
}

fn period_valid(row: &ContractRow) -> Result<WorkContractPeriod, Refusal> {
    WorkContractPeriod::new(row.start, row.end).map_err(|message| {
        let end = row.end.map(|d| d.format("%d/%m/%Y").to_string());
        Refusal::new("end_date", end, message)
    })
}

fn weekly_hours_valid(row: &ContractRow) -> Result<(), Refusal> {
    match row.weekly_hours {
        Some(hours) => check_weekly_hours(hours)
            .map_err(|message| Refusal::new("weekly_hours", Some(hours.to_string()), message)),
        None => Ok(()),
    }
}

/// The lots the contract served, each a lot of the reference within the uploader's scope.
fn lots_served(row: &ContractRow, lots: &LotsByReference<'_>) -> Result<Vec<LotId>, Refusal> {
    let numbers = parse_lot_numbers(&row.lots)
        .map_err(|message| Refusal::new("lot", Some(row.lots.clone()), message))?;
    numbers
        .into_iter()
        .map(|lot| {
            let cell = LotCell {
                reference: &row.reference,
                lot,
            };
            lot_of_row(&cell, lots.get(&row.reference)).map(|l| l.lot_id)
        })
        .collect()
}

/// The row's contract, once it passes each check in turn.
fn contract_of(
    row: &ContractRow,
    lots: &LotsByReference<'_>,
    context: &Context,
) -> Result<NewWorkContract, Refusal> {
    let participant_id = participant_known(row, context)?;
    let employer_id = employer_known(row, context)?;
    let insertion_employer_id = structure_known(row, context)?;
    let period = period_valid(row)?;
    weekly_hours_valid(row)?;
    let lot_ids = lots_served(row, lots)?;
    Ok(NewWorkContract {
        participant_id,
        employer_id,
        insertion_employer_id,
        contract_type: row.contract_type,
        period,
        weekly_hours: row.weekly_hours,
        lot_ids,
    })
}

/// What identifies a contract of the register: participant, employer, type and first day.
type ContractKey = (ParticipantId, CompanyId, EmploymentContract, NaiveDate);

fn key_of(c: &NewWorkContract) -> ContractKey {
    (
        c.participant_id,
        c.employer_id,
        c.contract_type,
        c.period.start(),
    )
}

/// One row per contract: `first` is the row that already gave it.
fn not_repeated(row: &ContractRow, first: Option<u32>) -> Result<(), Refusal> {
    let Some(first) = first else { return Ok(()) };
    Err(Refusal::new(
        "start_date",
        Some(row.start.format("%d/%m/%Y").to_string()),
        format!(
            "Ce contrat figure déjà ligne {first} (même participant, employeur, type et date de début) : gardez une seule ligne par contrat."
        ),
    ))
}

/// Turns parsed rows into contracts; a contract given twice is a problem on its second row.
pub fn validate(
    profile: &Profile,
    sheet: &str,
    rows: impl IntoIterator<Item = ParsedRow>,
    context: &Context,
    problems: &mut Problems,
) -> Vec<WorkContract> {
    let mut report = Reporter::new(sheet, profile, problems);
    let lots = LotsByReference::new(&context.lots);
    let mut first_row_of: HashMap<ContractKey, u32> = HashMap::new();
    let mut contracts = Vec::new();
    for row in rows {
        let Some(row) = ContractRow::read(profile, &row) else {
            continue; // its empty required cells are already reported
        };
        let checked = contract_of(&row, &lots, context).and_then(|contract| {
            not_repeated(&row, first_row_of.get(&key_of(&contract)).copied())?;
            Ok(contract)
        });
        match checked {
            Ok(contract) => {
                first_row_of.insert(key_of(&contract), row.number);
                contracts.push(WorkContract {
                    row: row.number,
                    contract,
                });
            }
            Err(refusal) => report.refuse(row.number, refusal),
        }
    }
    contracts
}

/// Writes the contracts; the caller provides the transaction.
pub fn write(
    conn: &mut DbConnection,
    contracts: &[WorkContract],
    import_id: ImportId,
    progress: &mut dyn Progress,
) -> diesel::QueryResult<usize> {
    let list: Vec<NewWorkContract> = contracts.iter().map(|c| c.contract.clone()).collect();
    work_contracts::write_register(conn, &list, import_id, || progress.row_written())
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMPLOYER: &str = "44306184100047";
    const ACI: &str = "21310555400017";

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, m, d).unwrap()
    }

    fn row() -> ContractRow {
        ContractRow {
            number: 4,
            pseudonym: "P-001".to_owned(),
            employer: Siret::parse(EMPLOYER).unwrap(),
            structure: None,
            contract_type: EmploymentContract::InsertionFixedTerm,
            start: day(3, 1),
            end: Some(day(8, 31)),
            weekly_hours: Some(Hours::from_whole(26).unwrap()),
            reference: "2025-001".to_owned(),
            lots: String::new(),
        }
    }

    fn context() -> Context {
        Context {
            lots: vec![LotPeriod {
                buyer_id: 1.into(),
                reference: "2025-001".to_owned(),
                notification_date: day(1, 14),
                duration_months: Some(12),
                end_date: None,
                lot_number: 0,
                lot_id: 10.into(),
            }],
            companies: HashMap::from([
                (EMPLOYER.to_owned(), (1.into(), "company".to_owned())),
                (ACI.to_owned(), (2.into(), "aci".to_owned())),
            ]),
            participants: HashMap::from([("P-001".to_owned(), 7.into())]),
        }
    }

    fn check(row: &ContractRow) -> Result<NewWorkContract, Refusal> {
        let context = context();
        let lots = LotsByReference::new(&context.lots);
        contract_of(row, &lots, &context)
    }

    #[test]
    fn a_complete_row_gives_its_contract_on_the_contract_s_lot() {
        let contract = check(&row()).unwrap();
        assert_eq!(contract.lot_ids, [LotId::from(10)]);
        assert_eq!(contract.participant_id, ParticipantId::from(7));
    }

    #[test]
    fn each_fault_names_its_column() {
        let key = |change: fn(&mut ContractRow)| {
            let mut r = row();
            change(&mut r);
            check(&r).unwrap_err().key
        };
        assert_eq!(key(|r| r.pseudonym = "P-404".into()), "pseudonym");
        assert_eq!(
            key(|r| r.employer = Siret::parse("73282932000074").unwrap()),
            "employer_siret"
        );
        assert_eq!(
            key(|r| r.structure = Some(Siret::parse(EMPLOYER).unwrap())),
            "structure_siret"
        );
        assert_eq!(key(|r| r.end = Some(day(2, 1))), "end_date");
        assert_eq!(
            key(|r| r.weekly_hours = Some(Hours::from_whole(60).unwrap())),
            "weekly_hours"
        );
        assert_eq!(key(|r| r.lots = "2".into()), "lot");
        assert_eq!(key(|r| r.reference = "2025-999".into()), "reference");
    }

    #[test]
    fn a_contract_given_twice_is_refused_naming_its_first_row() {
        assert!(not_repeated(&row(), None).is_ok());
        let refused = not_repeated(&row(), Some(2)).unwrap_err();
        assert!(
            refused.message.contains("déjà ligne 2"),
            "{}",
            refused.message
        );
    }
}
