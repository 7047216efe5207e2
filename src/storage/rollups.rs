//! Monthly roll-ups of the hour entries: their hours and count by lot, declaring company,
//! insertion structure, modality, month and review state (`hour_rollups`). The sums of hours
//! read them instead of every entry (at national scale, millions of rows to sum after each
//! write).
//!
//! Kept by deltas, set-based, in the transaction of the write that changes the entries: each
//! write removes the entries it is about to change (their values before) and adds them back
//! after, or, for an import, adds what it holds and removes the values it replaced, which
//! `replaced_hour_entries` keeps as they were. Explicit calls rather than triggers: a trigger
//! runs once per row, on each of an import's million inserts, where one `INSERT … SELECT …
//! GROUP BY` per write does the same work once; the write sites are few (the import, the
//! review, the undoing of an import: nothing else writes hour entries, and a lot, contract,
//! company or participant with entries cannot be deleted). `verify` recomputes the roll-ups
//! from the entries and tells any difference (`suivi-clauses verify`), `rebuild` repairs.
//!
//! The roll-ups keep ids, not what the figures group by (buyer, SIRET, structure kind…): those
//! are joined at reading, so that changing a company or a contract needs no roll-up change.
//! A group is keyed by the entries' review state too: rejected hours are kept, and counted
//! nowhere, like the entries themselves.
//!
//! The statements are written as SQL text, the ids in them being integers written by this
//! module (never text from outside).

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::sql_query;
use diesel::sql_types::{BigInt, Integer, Text};

use super::{DbConnection, HourEntryId, ImportId, MAX_IN_LIST};

/// Which hour entries a delta concerns.
#[derive(Debug, Clone, Copy)]
pub enum Entries<'a> {
    /// Those an import holds (wrote, or replaced and holds now).
    OfImport(ImportId),
    /// Those whose earlier values an import replaced (and kept).
    ReplacedBy(ImportId),
    /// These, by id.
    Ids(&'a [HourEntryId]),
}

/// The roll-up's key, as computed from an entry: no structure is 0 (see the migration).
const KEY: &str = "lot_id, company_id, COALESCE(insertion_employer_id, 0), modality, month, review";
const COLUMNS: &str = "(lot_id, company_id, insertion_employer_id, modality, month, review, \
                       hours, entries)";
/// Adds a delta to the group it falls in, or starts the group. The deltas come in key order,
/// so that two writes touching the same groups lock them in the same order (PostgreSQL): the
/// second waits for the first, neither waits for the other.
const UPSERT: &str = "ON CONFLICT (lot_id, company_id, insertion_employer_id, modality, month, \
                      review) DO UPDATE SET hours = hour_rollups.hours + excluded.hours, \
                      entries = hour_rollups.entries + excluded.entries";

/// Adds the entries, as they are now, to the roll-ups.
pub fn add_rows(conn: &mut DbConnection, entries: Entries<'_>) -> QueryResult<()> {
    apply(conn, entries, 1)
}

/// Takes the entries, as they are now, out of the roll-ups: called before changing or
/// removing them, `add_rows` after.
pub fn remove_rows(conn: &mut DbConnection, entries: Entries<'_>) -> QueryResult<()> {
    apply(conn, entries, -1)?;
    drop_emptied(conn)
}

/// An import's whole change, once its entries are written, in its transaction: what it holds
/// now in, the values it replaced out (a value it wrote twice was replaced by itself, and
/// kept by no one: it never was in the roll-ups). The one call an import makes.
pub fn add_import(conn: &mut DbConnection, import_id: ImportId) -> QueryResult<()> {
    add_rows(conn, Entries::OfImport(import_id))?;
    subtract_replaced(conn, import_id)?;
    drop_emptied(conn)
}

fn apply(conn: &mut DbConnection, entries: Entries<'_>, sign: i64) -> QueryResult<()> {
    for condition in conditions(entries) {
        sql_query(format!(
            "INSERT INTO hour_rollups {COLUMNS} \
             SELECT {KEY}, {sign} * CAST(SUM(hours) AS BIGINT), {sign} * COUNT(*) \
             FROM hour_entries WHERE {condition} GROUP BY {KEY} ORDER BY {KEY} {UPSERT}"
        ))
        .execute(conn)?;
    }
    Ok(())
}

/// The WHERE clauses selecting the entries, a list of ids in slices both backends accept.
fn conditions(entries: Entries<'_>) -> Vec<String> {
    match entries {
        Entries::OfImport(id) => vec![format!("import_id = {}", id.get())],
        Entries::ReplacedBy(id) => vec![format!(
            "id IN (SELECT hour_entry_id FROM replaced_hour_entries WHERE import_id = {})",
            id.get()
        )],
        Entries::Ids(ids) => ids
            .chunks(MAX_IN_LIST)
            .map(|slice| {
                let list: Vec<String> = slice.iter().map(|id| id.get().to_string()).collect();
                format!("id IN ({})", list.join(", "))
            })
            .collect(),
    }
}

/// Takes out the values the import replaced, as they were before (the entries' key columns
/// never change: only their structure, hours and review do).
fn subtract_replaced(conn: &mut DbConnection, import_id: ImportId) -> QueryResult<()> {
    let key = "h.lot_id, h.company_id, COALESCE(r.insertion_employer_id, 0), h.modality, \
               h.month, r.review";
    sql_query(format!(
        "INSERT INTO hour_rollups {COLUMNS} \
         SELECT {key}, -CAST(SUM(r.hours) AS BIGINT), -COUNT(*) \
         FROM replaced_hour_entries r JOIN hour_entries h ON h.id = r.hour_entry_id \
         WHERE r.import_id = {} GROUP BY {key} ORDER BY {key} {UPSERT}",
        import_id.get()
    ))
    .execute(conn)
    .map(drop)
}

/// Groups left without entries go: a sum over no entry is no group at all.
fn drop_emptied(conn: &mut DbConnection) -> QueryResult<()> {
    sql_query("DELETE FROM hour_rollups WHERE entries = 0")
        .execute(conn)
        .map(drop)
}

/// Recomputes every roll-up from the entries. The caller provides the transaction.
pub fn rebuild(conn: &mut DbConnection) -> QueryResult<()> {
    sql_query("DELETE FROM hour_rollups").execute(conn)?;
    sql_query(format!(
        "INSERT INTO hour_rollups {COLUMNS} \
         SELECT {KEY}, CAST(SUM(hours) AS BIGINT), COUNT(*) FROM hour_entries \
         GROUP BY {KEY}"
    ))
    .execute(conn)
    .map(drop)
}

/// A roll-up's key: lot, company, insertion structure (0: none), modality, month, review.
pub type GroupKey = (i64, i64, i64, String, i32, String);

/// Hours (hundredths) and entries of a group.
pub type GroupSums = (i64, i64);

/// A group whose roll-up differs from its entries: what the entries give, what is stored
/// (`None` where there is no group).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub key: GroupKey,
    pub from_entries: Option<GroupSums>,
    pub stored: Option<GroupSums>,
}

#[derive(QueryableByName)]
struct GroupRow {
    #[diesel(sql_type = BigInt)]
    lot_id: i64,
    #[diesel(sql_type = BigInt)]
    company_id: i64,
    #[diesel(sql_type = BigInt)]
    insertion_employer_id: i64,
    #[diesel(sql_type = Text)]
    modality: String,
    #[diesel(sql_type = Integer)]
    month: i32,
    #[diesel(sql_type = Text)]
    review: String,
    #[diesel(sql_type = BigInt)]
    hours: i64,
    #[diesel(sql_type = BigInt)]
    entries: i64,
}

fn load_groups(conn: &mut DbConnection, query: &str) -> QueryResult<BTreeMap<GroupKey, GroupSums>> {
    let rows: Vec<GroupRow> = sql_query(query).load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let key = (
                r.lot_id,
                r.company_id,
                r.insertion_employer_id,
                r.modality,
                r.month,
                r.review,
            );
            (key, (r.hours, r.entries))
        })
        .collect())
}

/// The groups whose roll-up differs from the entries, in key order; none when they agree.
pub fn verify(conn: &mut DbConnection) -> QueryResult<Vec<Difference>> {
    let names = "lot_id, company_id, insertion_employer_id, modality, month, review";
    let from_entries = load_groups(
        conn,
        &format!(
            "SELECT lot_id, company_id, COALESCE(insertion_employer_id, 0) AS insertion_employer_id, \
             modality, month, review, CAST(SUM(hours) AS BIGINT) AS hours, COUNT(*) AS entries \
             FROM hour_entries GROUP BY {KEY}"
        ),
    )?;
    let stored = load_groups(
        conn,
        &format!("SELECT {names}, hours, entries FROM hour_rollups"),
    )?;
    Ok(differences(from_entries, stored))
}

fn differences(
    mut from_entries: BTreeMap<GroupKey, GroupSums>,
    stored: BTreeMap<GroupKey, GroupSums>,
) -> Vec<Difference> {
    let mut found = Vec::new();
    for (key, sums) in stored {
        let expected = from_entries.remove(&key);
        if expected != Some(sums) {
            found.push(Difference {
                key,
                from_entries: expected,
                stored: Some(sums),
            });
        }
    }
    found.extend(from_entries.into_iter().map(|(key, sums)| Difference {
        key,
        from_entries: Some(sums),
        stored: None,
    }));
    found.sort_by(|a, b| a.key.cmp(&b.key));
    found
}
