//! Hour entries: one participant, one month, one lot, one declaring company, one modality.

use diesel::prelude::*;

use super::located::located;
use super::rollups::{self, Entries};
use super::schema::{hour_entries, replaced_hour_entries};
use super::{CompanyId, DbConnection, HourEntryId, ImportId, LotId, ParticipantId, now};
use crate::domain::{EmploymentContract, Hours, Modality, Month, ReviewState};

pub struct HourEntry {
    pub lot_id: LotId,
    pub company_id: CompanyId,
    pub participant_id: ParticipantId,
    pub month: Month,
    pub modality: Modality,
    pub insertion_employer_id: Option<CompanyId>,
    pub hours: Hours,
    pub employment_contract: Option<EmploymentContract>,
    /// Declared, or validated at once (a facilitateur's own statement).
    pub review: ReviewState,
}

/// Writes the entry alone, as `upsert_all` does, and keeps the roll-ups with it: the entry
/// leaves them as it was and comes back as written. For an entry written outside an import's
/// bulk path (whose roll-ups are kept once for the whole import). Returns the hours it
/// replaced, if any.
pub fn upsert(
    conn: &mut DbConnection,
    entry: &HourEntry,
    import_id: ImportId,
) -> QueryResult<Option<Hours>> {
    if let Some(id) = id_of(conn, entry)? {
        rollups::remove_rows(conn, Entries::Ids(&[id]))?;
    }
    let replaced = write(conn, entry, import_id)?;
    if let Some(id) = id_of(conn, entry)? {
        rollups::add_rows(conn, Entries::Ids(&[id]))?;
    }
    Ok(replaced)
}

/// The stored entries with the key of `entry` (one at most).
macro_rules! same_key {
    ($entry:expr) => {
        hour_entries::table
            .filter(hour_entries::lot_id.eq($entry.lot_id))
            .filter(hour_entries::company_id.eq($entry.company_id))
            .filter(hour_entries::participant_id.eq($entry.participant_id))
            .filter(hour_entries::month.eq($entry.month))
            .filter(hour_entries::modality.eq($entry.modality))
    };
}

fn id_of(conn: &mut DbConnection, entry: &HourEntry) -> QueryResult<Option<HourEntryId>> {
    same_key!(entry)
        .select(hour_entries::id)
        .first(conn)
        .optional()
}

/// Writes the entry; an entry with the same key is replaced, not added to (its earlier value
/// kept for undoing the import). Returns the hours it replaced, if any.
fn write(
    conn: &mut DbConnection,
    entry: &HourEntry,
    import_id: ImportId,
) -> QueryResult<Option<Hours>> {
    let at = now();
    let existing: Option<Previous> = located(conn, &["hour_entries"], |conn| {
        same_key!(entry)
            .select(Previous::as_select())
            .first(conn)
            .optional()
    })?;
    let values = (
        hour_entries::insertion_employer_id.eq(entry.insertion_employer_id),
        hour_entries::hours.eq(entry.hours),
        hour_entries::employment_contract.eq(entry.employment_contract),
        hour_entries::import_id.eq(import_id),
        hour_entries::updated_at.eq(at),
        // A corrected statement is reviewed afresh: an earlier rejection's reason goes.
        hour_entries::review.eq(entry.review),
        hour_entries::review_reason.eq(None::<String>),
    );
    match existing {
        Some(previous) => {
            keep_replaced(conn, &previous, import_id)?;
            diesel::update(hour_entries::table.find(previous.id))
                .set(values)
                .execute(conn)?;
            Ok(Some(previous.hours))
        }
        None => {
            diesel::insert_into(hour_entries::table)
                .values((
                    hour_entries::lot_id.eq(entry.lot_id),
                    hour_entries::company_id.eq(entry.company_id),
                    hour_entries::participant_id.eq(entry.participant_id),
                    hour_entries::month.eq(entry.month),
                    hour_entries::modality.eq(entry.modality),
                    hour_entries::created_at.eq(at),
                    values,
                ))
                .execute(conn)?;
            Ok(None)
        }
    }
}

/// A stored entry as it was before an import replaced it: what undoing the import restores.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = hour_entries)]
struct Previous {
    id: HourEntryId,
    import_id: Option<ImportId>,
    insertion_employer_id: Option<CompanyId>,
    hours: Hours,
    employment_contract: Option<EmploymentContract>,
    review: ReviewState,
    review_reason: Option<String>,
    updated_at: chrono::NaiveDateTime,
}

/// Keeps the entry as it was before `import_id` replaces it, once per import: a value the
/// same import wrote earlier is its own, and undoing it removes the entry whole.
fn keep_replaced(
    conn: &mut DbConnection,
    previous: &Previous,
    import_id: ImportId,
) -> QueryResult<()> {
    if previous.import_id == Some(import_id) {
        return Ok(());
    }
    diesel::insert_into(replaced_hour_entries::table)
        .values((
            replaced_hour_entries::import_id.eq(import_id),
            replaced_hour_entries::hour_entry_id.eq(previous.id),
            replaced_hour_entries::previous_import_id.eq(previous.import_id),
            replaced_hour_entries::insertion_employer_id.eq(previous.insertion_employer_id),
            replaced_hour_entries::hours.eq(previous.hours),
            replaced_hour_entries::employment_contract.eq(previous.employment_contract),
            replaced_hour_entries::review.eq(previous.review),
            replaced_hour_entries::review_reason.eq(&previous.review_reason),
            replaced_hour_entries::updated_at.eq(previous.updated_at),
        ))
        .execute(conn)
        .map(drop)
}

/// A stored entry's key and hours, as read back.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct StoredEntry {
    pub lot_id: LotId,
    pub company_id: CompanyId,
    pub participant_id: ParticipantId,
    pub month: Month,
    pub modality: Modality,
    pub hours: Hours,
}

/// Stored entries of these participants in these months, with their hours.
pub fn stored_for(
    conn: &mut DbConnection,
    participant_ids: &[ParticipantId],
    months: &[Month],
) -> QueryResult<Vec<StoredEntry>> {
    let mut months = months.to_vec();
    months.sort_unstable();
    months.dedup();
    // A statement names each participant on many rows: each is looked up once.
    let mut participant_ids = participant_ids.to_vec();
    participant_ids.sort_unstable();
    participant_ids.dedup();
    located(conn, &["hour_entries"], |conn| {
        super::in_slices(&participant_ids, |slice| {
            hour_entries::table
                .filter(hour_entries::participant_id.eq_any(slice))
                .filter(hour_entries::month.eq_any(&months))
                .select((
                    hour_entries::lot_id,
                    hour_entries::company_id,
                    hour_entries::participant_id,
                    hour_entries::month,
                    hour_entries::modality,
                    hour_entries::hours,
                ))
                .load(conn)
        })
    })
}
