//! Hour statements: hours worked by a participant in a month on a lot, by one modality.

use super::super::progress::Progress;
use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use super::super::cells::Value;
use super::super::problem::RowProblem;
use super::super::profile::{Profile, ValueType};
use super::super::reporter::Reporter;
use super::super::rows::{ParsedRow, RowView};
use crate::domain::{EmploymentContract, Hours, Labelled, Modality, Month, StructureKind};
use crate::storage::DbConnection;
use crate::storage::contracts::LotPeriod;
use crate::storage::hour_entries::{self, HourEntry};

pub const COLUMNS: &[(&str, ValueType)] = &[
    ("reference", ValueType::Text),
    ("lot", ValueType::Integer),
    ("company_siret", ValueType::Siret),
    ("month", ValueType::Month),
    ("pseudonym", ValueType::Text),
    ("modality", ValueType::Modality),
    ("structure_siret", ValueType::Siret),
    ("hours", ValueType::Hours),
    ("employment_contract", ValueType::EmploymentContract),
];

/// What the checks need to know of the database, read before anything is written.
pub struct Context {
    /// Lots of the buyers the uploader may import for (and of the buyer named, if one was).
    pub lots: Vec<LotPeriod>,
    /// (lot, company) of every award of those lots.
    pub holders: HashSet<(i64, i64)>,
    /// Known establishments (SIRET → id and kind code).
    pub companies: HashMap<String, (i64, String)>,
    pub participants: HashMap<String, i64>,
    /// A company account declares for its own SIRET only.
    pub only_company: Option<String>,
    /// Most hours one participant may work in a month, all rows of the file together.
    pub max_hours_per_month: Hours,
}

/// First and last month of a contract: its end date, else notification plus duration.
fn period(lot: &LotPeriod) -> (Option<Month>, Option<Month>) {
    let start = Month::of_date(lot.notification_date).ok();
    let end =
        crate::domain::contract::last_day(lot.notification_date, lot.duration_months, lot.end_date);
    (start, end.and_then(|d: NaiveDate| Month::of_date(d).ok()))
}

#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub row: u32,
    pub entry: EntryKey,
    pub insertion_employer_id: Option<i64>,
    pub hours: Hours,
    pub employment_contract: Option<EmploymentContract>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntryKey {
    pub lot_id: i64,
    pub company_id: i64,
    pub participant_id: i64,
    pub month: Month,
    pub modality: Modality,
}

pub fn validate(
    profile: &Profile,
    sheet: &str,
    rows: impl IntoIterator<Item = ParsedRow>,
    context: &Context,
    problems: &mut Vec<RowProblem>,
) -> Vec<Statement> {
    let mut report = Reporter::new(sheet, profile, problems);
    // Looked up once per row: indexed here rather than searched row after row.
    let mut lots_by_reference: HashMap<&str, Vec<&LotPeriod>> = HashMap::new();
    for lot in &context.lots {
        lots_by_reference
            .entry(lot.reference.as_str())
            .or_default()
            .push(lot);
    }
    let mut statements = Vec::new();
    for row in rows {
        let view = RowView { profile, row: &row };
        let n = row.number;
        let (
            Some(reference),
            Some(company),
            Some(Value::Month(month)),
            Some(pseudonym),
            Some(Value::Modality(modality)),
            Some(Value::Hours(hours)),
        ) = (
            view.text("reference"),
            view.siret("company_siret"),
            view.get("month"),
            view.text("pseudonym"),
            view.get("modality"),
            view.get("hours"),
        )
        else {
            continue;
        };
        let (month, modality, hours) = (*month, *modality, *hours);
        let lot_number = view.integer("lot").unwrap_or(0);
        let candidates: &[&LotPeriod] = lots_by_reference
            .get(reference.as_str())
            .map_or(&[], Vec::as_slice);
        if candidates.is_empty() {
            report.add(n, "reference", Some(reference), "Aucun marché de votre périmètre n'a cette référence : vérifiez-la, ou importez d'abord le registre des marchés.".to_owned());
            continue;
        }
        let buyers: std::collections::BTreeSet<i64> =
            candidates.iter().map(|l| l.buyer_id).collect();
        if buyers.len() > 1 {
            report.add(n, "reference", Some(reference), "Plusieurs acheteurs ont un marché avec cette référence : précisez l'acheteur en envoyant le fichier.".to_owned());
            continue;
        }
        let Some(lot) = candidates
            .iter()
            .find(|l| i64::from(l.lot_number) == lot_number)
        else {
            let numbers: Vec<String> = candidates
                .iter()
                .map(|l| l.lot_number.to_string())
                .collect();
            let message = if lot_number == 0 {
                format!(
                    "Ce marché est divisé en lots ({}) : indiquez le numéro du lot.",
                    numbers.join(", ")
                )
            } else {
                format!(
                    "Ce marché n'a pas de lot {lot_number} (lots : {}).",
                    numbers.join(", ")
                )
            };
            report.add(n, "lot", Some(lot_number.to_string()), message);
            continue;
        };
        if context
            .only_company
            .as_deref()
            .is_some_and(|own| own != company.as_str())
        {
            report.add(n, "company_siret", Some(company.to_string()), "Un compte entreprise ne déclare que ses propres heures : ce SIRET n'est pas celui de votre établissement.".to_owned());
            continue;
        }
        let Some(&(company_id, _)) = context.companies.get(company.as_str()) else {
            report.add(n, "company_siret", Some(company.to_string()), "Cette entreprise n'est pas connue : vérifiez le SIRET, ou importez d'abord le registre des marchés.".to_owned());
            continue;
        };
        if !context.holders.contains(&(lot.lot_id, company_id)) {
            report.add(n, "company_siret", Some(company.to_string()), "Cette entreprise ne détient pas ce lot (ni titulaire, ni co-traitante, ni sous-traitante déclarée) : vérifiez le SIRET ou le lot.".to_owned());
            continue;
        }
        let (start, end) = period(lot);
        if start.is_some_and(|s| month < s) || end.is_some_and(|e| month > e) {
            let bounds = match (start, end) {
                (Some(s), Some(e)) => format!("de {s} à {e}"),
                (Some(s), None) => format!("à partir de {s}"),
                _ => String::new(),
            };
            report.add(
                n,
                "month",
                Some(month.to_string()),
                format!(
                    "Ce mois est hors de la période du marché ({bounds}) : vérifiez le mois ou la référence."
                ),
            );
            continue;
        }
        let Some(&participant_id) = context.participants.get(&pseudonym) else {
            report.add(n, "pseudonym", Some(pseudonym), "Identifiant de participant inconnu : le facilitateur doit d'abord importer ou valider ce participant.".to_owned());
            continue;
        };
        let structure = view.siret("structure_siret");
        let insertion_employer_id = match (modality.needs_insertion_structure(), structure) {
            (true, None) => {
                report.add(
                    n,
                    "structure_siret",
                    None,
                    format!(
                        "La modalité « {} » se déclare avec le SIRET de la structure d'insertion : remplissez-le.",
                        modality.label()
                    ),
                );
                continue;
            }
            (false, _) => None,
            (true, Some(siret)) => {
                let known = context.companies.get(siret.as_str());
                let kind = known.and_then(|(_, code)| StructureKind::from_code(code));
                match (known, kind) {
                    (Some((id, _)), Some(kind)) if kind.is_insertion_structure() => {
                        if modality == Modality::Secondment && !kind.can_second_staff() {
                            report.add(
                                n,
                                "structure_siret",
                                Some(siret.to_string()),
                                format!(
                                    "Une mise à disposition se fait par une ETTI, une EATT, une AI ou un GEIQ ; cette structure est un(e) {}.",
                                    kind.label()
                                ),
                            );
                            continue;
                        }
                        Some(*id)
                    }
                    (Some(_), _) => {
                        report.add(n, "structure_siret", Some(siret.to_string()), "Ce SIRET n'est pas celui d'une structure d'insertion (SIAE, GEIQ, EA, ESAT) : vérifiez-le, ou importez la structure avec son type.".to_owned());
                        continue;
                    }
                    (None, _) => {
                        report.add(n, "structure_siret", Some(siret.to_string()), "Cette structure d'insertion n'est pas connue : importez-la d'abord (fichier des structures).".to_owned());
                        continue;
                    }
                }
            }
        };
        let key = EntryKey {
            lot_id: lot.lot_id,
            company_id,
            participant_id,
            month,
            modality,
        };
        statements.push(Statement {
            row: n,
            entry: key,
            insertion_employer_id,
            hours,
            employment_contract: match view.get("employment_contract") {
                Some(Value::EmploymentContract(c)) => Some(*c),
                _ => None,
            },
        });
    }
    let mut refused = refuse_repeated(&mut statements, &mut report);
    refused.extend(refuse_past_ceiling(
        &mut statements,
        context.max_hours_per_month,
        &refused,
        &mut report,
    ));
    statements.retain(|s| !refused.contains(&s.row));
    statements.sort_unstable_by_key(|s| s.row);
    statements
}

// The two checks below look at every row of the file together. They sort the rows in place
// instead of keeping a map of every key: a million-row statement would hold its keys twice more.

/// A row with the key (lot, company, participant, month, modality) of an earlier row is
/// refused, and named with the first row of that key; returns the rows refused.
fn refuse_repeated(statements: &mut [Statement], report: &mut Reporter<'_>) -> HashSet<u32> {
    statements.sort_unstable_by_key(|s| (s.entry, s.row));
    let mut refused = HashSet::new();
    let mut first: Option<&Statement> = None;
    for statement in statements.iter() {
        match first {
            Some(first) if first.entry == statement.entry => {
                refused.insert(statement.row);
                report.add(
                    statement.row,
                    "pseudonym",
                    None,
                    format!(
                        "Cette ligne répète la ligne {} (même lot, entreprise, participant, mois et modalité) : gardez-en une.",
                        first.row
                    ),
                );
            }
            _ => first = Some(statement),
        }
    }
    refused
}

/// Counted in the file's order, the row with which a participant's hours of a month (all
/// lots, companies and modalities of the file) pass the ceiling is refused, and those after it;
/// returns them. Rows already `refused` do not count.
fn refuse_past_ceiling(
    statements: &mut [Statement],
    max: Hours,
    refused: &HashSet<u32>,
    report: &mut Reporter<'_>,
) -> HashSet<u32> {
    statements.sort_unstable_by_key(|s| (s.entry.participant_id, s.entry.month, s.row));
    let mut past = HashSet::new();
    let mut month: Option<(i64, Month)> = None;
    let mut total = Hours::ZERO;
    for statement in statements.iter().filter(|s| !refused.contains(&s.row)) {
        let this = (statement.entry.participant_id, statement.entry.month);
        if month != Some(this) {
            month = Some(this);
            total = Hours::ZERO;
        }
        total = total
            .checked_add(statement.hours)
            .unwrap_or(statement.hours);
        if total > max {
            past.insert(statement.row);
            report.add(
                statement.row,
                "hours",
                Some(statement.hours.to_string()),
                format!(
                    "Avec cette ligne, le participant dépasse {max} en {} : vérifiez les heures déclarées.",
                    statement.entry.month
                ),
            );
        }
    }
    past
}

/// Writes every statement, replacing earlier values of the same key; returns one French line per
/// value replaced, for the report. The caller provides the transaction.
pub fn write(
    conn: &mut DbConnection,
    statements: &[Statement],
    import_id: i64,
    progress: &mut dyn Progress,
) -> diesel::QueryResult<Vec<String>> {
    let mut replaced = Vec::new();
    // A batch at a time: the entries are never all copied at once.
    for batch in statements.chunks(hour_entries::BATCH) {
        let entries: Vec<HourEntry> = batch
            .iter()
            .map(|s| HourEntry {
                lot_id: s.entry.lot_id,
                company_id: s.entry.company_id,
                participant_id: s.entry.participant_id,
                month: s.entry.month,
                modality: s.entry.modality,
                insertion_employer_id: s.insertion_employer_id,
                hours: s.hours,
                employment_contract: s.employment_contract,
            })
            .collect();
        let previous =
            hour_entries::upsert_all(conn, &entries, import_id, || progress.row_written())?;
        replaced.extend(batch.iter().zip(previous).filter_map(|(s, previous)| {
            previous.filter(|p| *p != s.hours).map(|previous| {
                format!(
                    "Ligne {} : {} remplacent {} déclarées auparavant.",
                    s.row, s.hours, previous
                )
            })
        }));
    }
    Ok(replaced)
}

/// Hours already stored count toward the monthly ceiling too, except the entries this file
/// replaces. Reported on the file's last row for that participant and month.
pub fn check_stored_totals(
    statements: &[Statement],
    stored: &[(EntryKey, Hours)],
    max: Hours,
    report: &mut Reporter<'_>,
) {
    // Only the participants' months with hours stored are concerned, usually few: the maps
    // below hold those, not every row of a large file.
    let stored_keys: HashSet<EntryKey> = stored.iter().map(|(key, _)| *key).collect();
    let replaced: HashSet<EntryKey> = statements
        .iter()
        .map(|s| s.entry)
        .filter(|key| stored_keys.contains(key))
        .collect();
    let mut stored_by_month: HashMap<(i64, Month), Hours> = HashMap::new();
    for (key, hours) in stored.iter().filter(|(key, _)| !replaced.contains(key)) {
        let sum = stored_by_month
            .entry((key.participant_id, key.month))
            .or_insert(Hours::ZERO);
        *sum = sum.checked_add(*hours).unwrap_or(*sum);
    }
    let mut in_file: HashMap<(i64, Month), (Hours, u32)> = HashMap::new();
    for s in statements {
        let month = (s.entry.participant_id, s.entry.month);
        if !stored_by_month.contains_key(&month) {
            continue;
        }
        let slot = in_file.entry(month).or_insert((Hours::ZERO, s.row));
        slot.0 = slot.0.checked_add(s.hours).unwrap_or(slot.0);
        slot.1 = slot.1.max(s.row);
    }
    let mut pairs: Vec<_> = in_file.into_iter().collect();
    pairs.sort_by_key(|(_, (_, row))| *row);
    for ((participant, month), (file_total, last_row)) in pairs {
        let already = stored_by_month
            .get(&(participant, month))
            .copied()
            .unwrap_or(Hours::ZERO);
        if already > Hours::ZERO
            && file_total
                .checked_add(already)
                .is_none_or(|total| total > max)
        {
            report.add(
                last_row,
                "hours",
                Some(file_total.to_string()),
                format!(
                    "Avec les {already} déjà enregistrées pour ce participant en {month} (autres lots ou entreprises), il dépasserait {max} : vérifiez les heures déclarées."
                ),
            );
        }
    }
}
