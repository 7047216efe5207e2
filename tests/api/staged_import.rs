//! Hour statements are staged a chunk per transaction, then published in one: the result is
//! that of a write in one go, and an import that fails or is cut off leaves nothing visible.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use suivi_clauses::domain::{Hours, ImportStatus, Labelled, Modality, Month, ReviewState};
use suivi_clauses::startup::Application;
use suivi_clauses::storage::schema::{
    hour_entries, imports, participants, replaced_hour_entries, staged_hour_entries, work_contracts,
};
use suivi_clauses::storage::staged_hours::{self, StagedEntry};
use suivi_clauses::storage::{Backend, DbConnection, ImportId, StorageError};

use crate::helpers::{TestApp, backend_under_test, hours_import, spawn_app_with, test_settings};
use crate::hours_import::{STATEMENT, send, territory};

/// An entry as the participant's pages show it: who, when, how, how much, in which state.
type Shown = (String, i32, String, i64, String);

/// What an import left: the entries, the values kept for undoing, the derived contracts.
#[derive(Debug, PartialEq)]
struct Left {
    entries: Vec<Shown>,
    kept: Vec<i64>,
    derived_contracts: i64,
    staged: i64,
}

async fn left(app: &TestApp) -> Left {
    app.database
        .run(|conn| {
            Ok::<_, StorageError>(Left {
                entries: hour_entries::table
                    .inner_join(participants::table)
                    .select((
                        participants::pseudonym,
                        hour_entries::month,
                        hour_entries::modality,
                        hour_entries::hours,
                        hour_entries::review,
                    ))
                    .order((participants::pseudonym, hour_entries::month))
                    .load(conn)?,
                kept: replaced_hour_entries::table
                    .select(replaced_hour_entries::hours)
                    .order(replaced_hour_entries::hours)
                    .load(conn)?,
                derived_contracts: work_contracts::table
                    .filter(work_contracts::derived.eq(true))
                    .count()
                    .get_result(conn)?,
                staged: staged_hour_entries::table.count().get_result(conn)?,
            })
        })
        .await
        .unwrap()
}

/// A statement, then its correction (one value changed, one row added), as a company sends
/// them, with `chunk_rows` entries staged per transaction; what was left and the report's
/// replaced values.
async fn statement_and_correction(chunk_rows: usize) -> (Left, serde_json::Value) {
    let app = spawn_app_with(|s| s.imports.staging_chunk_rows = chunk_rows).await;
    let company = territory(&app).await;
    let (status, body) = send(&app, &company, "hours", STATEMENT).await;
    assert_eq!(status, 201, "{body}");
    let corrected = STATEMENT.replace("35h30", "40")
        + "2025-TX-014;44306184100047;06/2025;P-003;Sous-traitance;21310555400017;12;CDDI\n";
    let (status, body) = send(&app, &company, "hours", &corrected).await;
    assert_eq!(status, 201, "{body}");
    (left(&app).await, body["report"]["replaced"].clone())
}

#[tokio::test]
async fn a_statement_staged_in_chunks_ends_as_one_written_at_once() {
    let (in_one, replaced_in_one) = statement_and_correction(100_000).await;
    let (in_chunks, replaced_in_chunks) = statement_and_correction(1).await;

    assert_eq!(in_chunks, in_one);
    assert_eq!(replaced_in_chunks, replaced_in_one);
    assert_eq!(in_one.entries.len(), 4, "{in_one:?}");
    assert_eq!(in_one.kept.len(), 3, "{in_one:?}");
    assert_eq!(in_one.staged, 0);
    assert_eq!(replaced_in_one.as_array().map(Vec::len), Some(1));
}

/// Makes the write of `hours` hundredths into hour_entries fail, as a constraint would.
fn refuse_hours_on_publication(conn: &mut DbConnection, hours: i64) -> QueryResult<()> {
    let sql = match backend_under_test() {
        Backend::Sqlite => format!(
            "CREATE TRIGGER refuse_hours BEFORE INSERT ON hour_entries WHEN NEW.hours = {hours}
             BEGIN SELECT RAISE(ABORT, 'refused on publication'); END;"
        ),
        Backend::Postgres => format!(
            "CREATE FUNCTION refuse_hours() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN IF NEW.hours = {hours} THEN RAISE EXCEPTION 'refused on publication'; END IF;
             RETURN NEW; END $$;
             CREATE TRIGGER refuse_hours BEFORE INSERT ON hour_entries
             FOR EACH ROW EXECUTE FUNCTION refuse_hours();"
        ),
    };
    conn.batch_execute(&sql)
}

#[tokio::test]
async fn an_import_failing_once_its_chunks_are_staged_leaves_nothing() {
    // One entry per chunk: the statement's three chunks are committed before the publication
    // fails on the second row (120 hours).
    let app = spawn_app_with(|s| s.imports.staging_chunk_rows = 1).await;
    let company = territory(&app).await;
    app.database
        .run(|conn| refuse_hours_on_publication(conn, 12_000).map_err(StorageError::from))
        .await
        .unwrap();

    let (status, body) = send(&app, &company, "hours", STATEMENT).await;

    assert!(status >= 400, "{status} {body}");
    let nothing = Left {
        entries: vec![],
        kept: vec![],
        derived_contracts: 0,
        staged: 0,
    };
    assert_eq!(left(&app).await, nothing);
    let statuses: Vec<String> = app
        .database
        .run(|conn| {
            imports::table
                .filter(imports::kind.eq("hours"))
                .select(imports::status)
                .load(conn)
                .map_err(StorageError::from)
        })
        .await
        .unwrap();
    assert_eq!(statuses, [ImportStatus::Interrupted.code()]);
}

fn staged_entry(import_id: ImportId, participant_id: i64) -> StagedEntry {
    StagedEntry {
        import_id,
        row_number: 2,
        lot_id: 1.into(),
        company_id: 1.into(),
        participant_id: participant_id.into(),
        month: Month::from_yyyymm(202_503).unwrap(),
        modality: Modality::DirectHire,
        insertion_employer_id: None,
        hours: Hours::from_whole(7).unwrap(),
        employment_contract: None,
        review: ReviewState::Declared,
    }
}

#[tokio::test]
async fn what_a_cut_off_import_staged_is_discarded_at_start_up() {
    let app = spawn_app_with(|_| {}).await;
    // Two imports running: one still beating, one whose process stopped an hour ago.
    let (live, cut_off) = app
        .database
        .run(|conn| {
            let live = hours_import(conn)?;
            let cut_off = hours_import(conn)?;
            diesel::update(imports::table.find(cut_off))
                .set(
                    imports::heartbeat_at
                        .eq(chrono::Utc::now().naive_utc() - chrono::Duration::hours(1)),
                )
                .execute(conn)?;
            staged_hours::stage(conn, &[staged_entry(live, 1), staged_entry(cut_off, 2)])?;
            Ok::<_, StorageError>((live, cut_off))
        })
        .await
        .unwrap();

    // Another instance starts on the same database.
    let _restarted = Application::build(test_settings(app.test_database()))
        .await
        .expect("application builds");

    let staged: Vec<ImportId> = app
        .database
        .run(|conn| {
            staged_hour_entries::table
                .select(staged_hour_entries::import_id)
                .load(conn)
                .map_err(StorageError::from)
        })
        .await
        .unwrap();
    assert_eq!(staged, [live]);
    assert_ne!(live, cut_off);
}
