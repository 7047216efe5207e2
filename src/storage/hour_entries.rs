//! Hour entries: one participant, one month, one lot, one declaring company, one modality.

use diesel::prelude::*;

use super::schema::hour_entries;
use super::{DbConnection, now};
use crate::domain::{EmploymentContract, Hours, Labelled, Modality, Month};

pub struct HourEntry {
    pub lot_id: i64,
    pub company_id: i64,
    pub participant_id: i64,
    pub month: Month,
    pub modality: Modality,
    pub insertion_employer_id: Option<i64>,
    pub hours: Hours,
    pub employment_contract: Option<EmploymentContract>,
}

/// Writes the entry; an entry with the same key is replaced, not added to. Returns the hours
/// it replaced, if any.
pub fn upsert(
    conn: &mut DbConnection,
    entry: &HourEntry,
    import_id: i64,
) -> QueryResult<Option<Hours>> {
    let at = now();
    let key = hour_entries::table
        .filter(hour_entries::lot_id.eq(entry.lot_id))
        .filter(hour_entries::company_id.eq(entry.company_id))
        .filter(hour_entries::participant_id.eq(entry.participant_id))
        .filter(hour_entries::month.eq(entry.month.yyyymm()))
        .filter(hour_entries::modality.eq(entry.modality.code()));
    let existing: Option<(i64, i64)> = key
        .select((hour_entries::id, hour_entries::hours))
        .first(conn)
        .optional()?;
    let values = (
        hour_entries::insertion_employer_id.eq(entry.insertion_employer_id),
        hour_entries::hours.eq(entry.hours.hundredths()),
        hour_entries::employment_contract.eq(entry.employment_contract.map(|c| c.code())),
        hour_entries::import_id.eq(import_id),
        hour_entries::updated_at.eq(at),
    );
    match existing {
        Some((id, previous)) => {
            diesel::update(hour_entries::table.find(id))
                .set(values)
                .execute(conn)?;
            Ok(Hours::from_hundredths(previous).ok())
        }
        None => {
            diesel::insert_into(hour_entries::table)
                .values((
                    hour_entries::lot_id.eq(entry.lot_id),
                    hour_entries::company_id.eq(entry.company_id),
                    hour_entries::participant_id.eq(entry.participant_id),
                    hour_entries::month.eq(entry.month.yyyymm()),
                    hour_entries::modality.eq(entry.modality.code()),
                    hour_entries::created_at.eq(at),
                    values,
                ))
                .execute(conn)?;
            Ok(None)
        }
    }
}

/// A stored entry's key and hours, as read back: lot, company, participant, month (yyyymm),
/// modality code, hours (hundredths).
pub type StoredEntry = (i64, i64, i64, i32, String, i64);

/// Stored entries of these participants in these months, with their hours.
pub fn stored_for(
    conn: &mut DbConnection,
    participant_ids: &[i64],
    months: &[i32],
) -> QueryResult<Vec<StoredEntry>> {
    let mut months = months.to_vec();
    months.sort_unstable();
    months.dedup();
    super::in_slices(participant_ids, |slice| {
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
}
