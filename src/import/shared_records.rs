//! Companies and participants are shared between buyers: a row that would change a known one
//! is a row problem unless the uploader answers for every buyer it is tied to (the domain's
//! `may_change_shared_record`). A new record, or a row repeating what is stored, passes.

use std::collections::{BTreeSet, HashMap};
use std::hash::Hash;

use super::error::ImportError;
use super::kinds::participants::Participant;
use super::parsed::Parsed;
use super::profile::Profile;
use super::report::ImportReport;
use super::reporter::Reporter;
use crate::domain::authorization::may_change_shared_record;
use crate::storage::companies::CompanyUpsert;
use crate::storage::shared_records::{self, StoredCompany, StoredParticipant};
use crate::storage::users::BuyerScope;
use crate::storage::{BuyerId, CompanyId, DbConnection, ParticipantId};

const COMPANY_REFUSED: &str = "Cette entreprise travaille aussi pour d'autres acheteurs : seul un facilitateur de tous ces acheteurs peut la modifier. Retirez cette ligne, ou recopiez-y les informations enregistrées.";
const PARTICIPANT_REFUSED: &str = "Ce participant travaille aussi pour d'autres acheteurs : seul un facilitateur de tous ces acheteurs peut le modifier. Retirez cette ligne, ou recopiez-y les informations enregistrées.";

/// A row that would change the known record `record`.
struct Change<R> {
    row: u32,
    /// The column naming the record, and its value there.
    key: &'static str,
    value: String,
    record: R,
}

/// Reports each row of `parsed` that would change a shared record the uploader, of `scope`,
/// does not answer for.
pub fn check(
    conn: &mut DbConnection,
    parsed: &Parsed,
    scope: &BuyerScope,
    profile: &Profile,
    report: &mut ImportReport,
) -> Result<(), ImportError> {
    let sheet = report.sheet.clone().unwrap_or_default();
    let mut problems = crate::import::problem::Problems::resume(
        std::mem::take(&mut report.problems),
        report.problems_left_out,
    );
    let mut reporter = Reporter::new(&sheet, profile, &mut problems);
    match parsed {
        Parsed::Structures(list) => {
            let rows = list.iter().map(|s| (s.row, "siret", s.as_upsert()));
            let changes = company_changes(conn, rows.collect())?;
            let ties = shared_records::buyers_of_companies(conn, &records(&changes))?;
            refuse_unanswered(changes, &ties, scope, COMPANY_REFUSED, &mut reporter);
        }
        Parsed::Contracts(list) => {
            let awards = list
                .iter()
                .flat_map(|c| c.lots.values())
                .flat_map(|l| &l.awards);
            let rows = awards.map(|a| (a.row, "holder_siret", a.as_upsert()));
            let changes = company_changes(conn, rows.collect())?;
            let ties = shared_records::buyers_of_companies(conn, &records(&changes))?;
            refuse_unanswered(changes, &ties, scope, COMPANY_REFUSED, &mut reporter);
        }
        Parsed::Participants(list) => {
            let changes = participant_changes(conn, list)?;
            let ties = shared_records::buyers_of_participants(conn, &records(&changes))?;
            refuse_unanswered(changes, &ties, scope, PARTICIPANT_REFUSED, &mut reporter);
        }
        Parsed::Hours(_) | Parsed::WorkContracts(_) => {}
    }
    (report.problems, report.problems_left_out) = problems.into_parts();
    Ok(())
}

/// Reports, with `message`, each change of a record tied to a buyer outside `scope`.
fn refuse_unanswered<R: Hash + Eq>(
    changes: Vec<Change<R>>,
    ties: &HashMap<R, BTreeSet<BuyerId>>,
    scope: &BuyerScope,
    message: &str,
    reporter: &mut Reporter<'_>,
) {
    let none = BTreeSet::new();
    for change in changes {
        let tied = ties.get(&change.record).unwrap_or(&none);
        if !may_change_shared_record(tied, |buyer| scope.follows(*buyer)) {
            reporter.add(change.row, change.key, Some(change.value), message);
        }
    }
}

/// The records changed, each once.
fn records<R: Ord + Copy>(changes: &[Change<R>]) -> Vec<R> {
    let ids: BTreeSet<R> = changes.iter().map(|c| c.record).collect();
    ids.into_iter().collect()
}

/// The rows (number, column, what they write) that would change a known company.
fn company_changes(
    conn: &mut DbConnection,
    rows: Vec<(u32, &'static str, CompanyUpsert<'_>)>,
) -> Result<Vec<Change<CompanyId>>, ImportError> {
    let keys: Vec<&str> = rows.iter().map(|(_, _, c)| c.identifier.as_str()).collect();
    let stored = shared_records::companies_by_identifier(conn, &keys)?;
    Ok(rows
        .iter()
        .filter_map(|(row, key, company)| {
            let known = stored.get(company.identifier.as_str())?;
            company_changed(company, known).then(|| Change {
                row: *row,
                key,
                value: company.identifier.to_string(),
                record: known.id,
            })
        })
        .collect())
}

fn company_changed(new: &CompanyUpsert<'_>, stored: &StoredCompany) -> bool {
    new.name
        .is_some_and(|name| Some(name) != stored.name.as_ref())
        || new.kind.is_some_and(|kind| Some(kind) != stored.kind)
        || new.postal_code.changes(stored.postal_code.as_ref())
        || new.size_class.changes(stored.size_class)
}

/// The rows that would change a known participant.
fn participant_changes(
    conn: &mut DbConnection,
    list: &[Participant],
) -> Result<Vec<Change<ParticipantId>>, ImportError> {
    let pseudonyms: Vec<&str> = list.iter().map(|p| p.pseudonym.as_str()).collect();
    let stored: HashMap<String, StoredParticipant> =
        shared_records::participants_by_pseudonym(conn, &pseudonyms)?;
    Ok(list
        .iter()
        .filter_map(|p| {
            let known = stored.get(&p.pseudonym)?;
            participant_changed(p, known).then(|| Change {
                row: p.row,
                key: "pseudonym",
                value: p.pseudonym.clone(),
                record: known.id,
            })
        })
        .collect())
}

fn participant_changed(new: &Participant, stored: &StoredParticipant) -> bool {
    !changed_facts(new, stored).is_empty()
}

/// The facts of a known participant that `new` changes, by their French names (never their
/// values: criteria are health data).
pub fn changed_facts(new: &Participant, stored: &StoredParticipant) -> Vec<&'static str> {
    let six = &new.six_month;
    [
        ("critère", Some(new.criterion) != stored.criterion),
        (
            "date de validation",
            new.validated_on.changes(stored.validated_on),
        ),
        (
            "prescripteur",
            new.prescriber.as_ref().changes(stored.prescriber.as_ref()),
        ),
        (
            "année de naissance",
            new.birth_year.changes(stored.birth_year),
        ),
        ("sexe", new.sex.changes(stored.sex)),
        ("résidence en QPV", new.qpv.changes(stored.qpv)),
        (
            "type de sortie",
            new.exit_outcome.changes(stored.exit_outcome),
        ),
        ("date de sortie", new.exit_date.changes(stored.exit_date)),
        (
            "situation à 6 mois",
            six.situation.changes(stored.six_month_situation),
        ),
        (
            "date de la situation à 6 mois",
            six.on.changes(stored.six_month_on),
        ),
        (
            "source de la situation à 6 mois",
            six.source
                .as_ref()
                .changes(stored.six_month_source.as_ref()),
        ),
    ]
    .into_iter()
    .filter_map(|(name, changed)| changed.then_some(name))
    .collect()
}
