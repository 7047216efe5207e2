//! Where a stored value that does not decode lies. `FromSql` sees one value, not its row: when
//! a read fails on such a value, the typed columns of the tables it read are scanned, page by
//! page, for the first value their type refuses, so that the error names its table, row and
//! column. Only a failed read pays for the scan.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::DbConnection;
use super::codecs::{NotDecodable, Stored, Undecodable};
use crate::domain::{
    AuditAction, AwardRole, Ccag, ContractNature, ContractType, CpvCode, Departement,
    EligibilityCriterion, Email, EmploymentContract, ExitOutcome, Hours, ImportKind, ImportPhase,
    ImportStatus, Modality, Money, Month, Name, PenaltyChange, PostalCode, Procedure, Rate,
    Reservation, ReviewState, Role, Sex, Siret, SixMonthSituation, SizeClass, StructureKind,
};

/// How a column's values are checked: read as text or as an integer, then decoded.
#[derive(Clone, Copy)]
enum Check {
    Text(fn(String) -> Result<(), String>),
    Integer(fn(i64) -> Result<(), String>),
}

fn text<T: Stored<Raw = String>>(raw: String) -> Result<(), String> {
    T::decode(raw).map(drop)
}

fn integer<T: Stored>(raw: i64) -> Result<(), String>
where
    T::Raw: TryFrom<i64>,
{
    let raw = T::Raw::try_from(raw).map_err(|_| format!("{raw} est hors des bornes"))?;
    T::decode(raw).map(drop)
}

/// Every column stored as a domain type, by table (tables with an `id`).
const TYPED_COLUMNS: &[(&str, &str, Check)] = &[
    ("buyers", "siret", Check::Text(text::<Siret>)),
    ("buyers", "name", Check::Text(text::<Name>)),
    ("companies", "siret", Check::Text(text::<Siret>)),
    ("companies", "name", Check::Text(text::<Name>)),
    (
        "companies",
        "structure_kind",
        Check::Text(text::<StructureKind>),
    ),
    ("companies", "size_class", Check::Text(text::<SizeClass>)),
    ("companies", "postal_code", Check::Text(text::<PostalCode>)),
    ("companies", "departement", Check::Text(text::<Departement>)),
    ("users", "email", Check::Text(text::<Email>)),
    ("users", "display_name", Check::Text(text::<Name>)),
    ("users", "role", Check::Text(text::<Role>)),
    ("audit_log", "action", Check::Text(text::<AuditAction>)),
    ("imports", "kind", Check::Text(text::<ImportKind>)),
    ("imports", "status", Check::Text(text::<ImportStatus>)),
    ("imports", "phase", Check::Text(text::<ImportPhase>)),
    ("contracts", "nature", Check::Text(text::<ContractNature>)),
    ("contracts", "procedure", Check::Text(text::<Procedure>)),
    ("contracts", "ccag", Check::Text(text::<Ccag>)),
    ("contracts", "cpv_code", Check::Text(text::<CpvCode>)),
    (
        "contracts",
        "contract_type",
        Check::Text(text::<ContractType>),
    ),
    (
        "contracts",
        "estimated_value_cents",
        Check::Integer(integer::<Money>),
    ),
    ("lots", "amount_cents", Check::Integer(integer::<Money>)),
    ("lots", "reservation", Check::Text(text::<Reservation>)),
    ("awards", "role", Check::Text(text::<AwardRole>)),
    ("awards", "amount_cents", Check::Integer(integer::<Money>)),
    (
        "insertion_clauses",
        "target_hours",
        Check::Integer(integer::<Hours>),
    ),
    (
        "insertion_clauses",
        "base_amount_cents",
        Check::Integer(integer::<Money>),
    ),
    (
        "insertion_clauses",
        "labour_share_bp",
        Check::Integer(integer::<Rate>),
    ),
    (
        "insertion_clauses",
        "insertion_rate_bp",
        Check::Integer(integer::<Rate>),
    ),
    (
        "insertion_clauses",
        "hourly_cost_cents",
        Check::Integer(integer::<Money>),
    ),
    (
        "insertion_clauses",
        "penalty_per_hour_cents",
        Check::Integer(integer::<Money>),
    ),
    (
        "insertion_clauses",
        "cap_hours_per_participant",
        Check::Integer(integer::<Hours>),
    ),
    (
        "insertion_clauses",
        "qpv_share_bp",
        Check::Integer(integer::<Rate>),
    ),
    (
        "clause_closures",
        "counted_hours",
        Check::Integer(integer::<Hours>),
    ),
    (
        "clause_closures",
        "target_hours",
        Check::Integer(integer::<Hours>),
    ),
    (
        "clause_closures",
        "missing_hours",
        Check::Integer(integer::<Hours>),
    ),
    (
        "clause_closures",
        "clause_penalty_per_hour_cents",
        Check::Integer(integer::<Money>),
    ),
    (
        "clause_closures",
        "penalty_per_hour_cents",
        Check::Integer(integer::<Money>),
    ),
    (
        "clause_closures",
        "penalty_cents",
        Check::Integer(integer::<Money>),
    ),
    (
        "clause_closures",
        "penalty_change",
        Check::Text(text::<PenaltyChange>),
    ),
    (
        "participants",
        "criterion",
        Check::Text(text::<EligibilityCriterion>),
    ),
    ("participants", "sex", Check::Text(text::<Sex>)),
    (
        "participants",
        "exit_outcome",
        Check::Text(text::<ExitOutcome>),
    ),
    (
        "participants",
        "six_month_situation",
        Check::Text(text::<SixMonthSituation>),
    ),
    ("hour_entries", "month", Check::Integer(integer::<Month>)),
    ("hour_entries", "modality", Check::Text(text::<Modality>)),
    ("hour_entries", "hours", Check::Integer(integer::<Hours>)),
    ("hour_entries", "review", Check::Text(text::<ReviewState>)),
    (
        "hour_entries",
        "employment_contract",
        Check::Text(text::<EmploymentContract>),
    ),
    (
        "work_contracts",
        "contract_type",
        Check::Text(text::<EmploymentContract>),
    ),
    (
        "work_contracts",
        "weekly_hours",
        Check::Integer(integer::<Hours>),
    ),
];

/// Rows read at a time while scanning a column.
const SCAN_PAGE: i64 = 10_000;

#[derive(QueryableByName)]
struct TextCell {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    value: String,
}

#[derive(QueryableByName)]
struct IntegerCell {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = BigInt)]
    value: i64,
}

/// Runs `read`; when it fails on a stored value its type refuses, the error becomes
/// [`Undecodable`], naming where that value lies among `tables`.
pub(crate) fn located<T>(
    conn: &mut DbConnection,
    tables: &[&'static str],
    read: impl FnOnce(&mut DbConnection) -> QueryResult<T>,
) -> QueryResult<T> {
    match read(conn) {
        Err(diesel::result::Error::DeserializationError(error)) if refused_by_its_type(&*error) => {
            match first_undecodable(conn, tables)? {
                Some(found) => Err(diesel::result::Error::DeserializationError(Box::new(found))),
                None => Err(diesel::result::Error::DeserializationError(error)),
            }
        }
        other => other,
    }
}

/// Whether a read failed on a value its type refuses (diesel wraps that error with the name
/// of the field it was reading).
fn refused_by_its_type(error: &(dyn std::error::Error + 'static)) -> bool {
    std::iter::successors(Some(error), |e| e.source()).any(|e| e.is::<NotDecodable>())
}

/// The first value of the typed columns of `tables` that its type refuses, if any.
pub fn first_undecodable(
    conn: &mut DbConnection,
    tables: &[&'static str],
) -> QueryResult<Option<Undecodable>> {
    for &(table, column, check) in TYPED_COLUMNS.iter().filter(|c| tables.contains(&c.0)) {
        if let Some(found) = scan(conn, table, column, check)? {
            return Ok(Some(found));
        }
    }
    Ok(None)
}

/// The first value of one column that does not decode, by id.
fn scan(
    conn: &mut DbConnection,
    table: &'static str,
    column: &'static str,
    check: Check,
) -> QueryResult<Option<Undecodable>> {
    let found = |row: i64, problem: String| Undecodable {
        table,
        row,
        column,
        problem,
    };
    let mut after = 0_i64;
    loop {
        let page = |value: &str| {
            format!(
                "SELECT id, {value} AS value FROM {table} WHERE {column} IS NOT NULL \
                 AND id > {after} ORDER BY id LIMIT {SCAN_PAGE}"
            )
        };
        let (last, problem) = match check {
            Check::Text(decode) => {
                let cells: Vec<TextCell> = diesel::sql_query(page(column)).load(conn)?;
                let last = cells.last().map(|c| c.id);
                let bad = cells
                    .into_iter()
                    .find_map(|c| decode(c.value).err().map(|e| (c.id, e)));
                (last, bad)
            }
            Check::Integer(decode) => {
                let cells: Vec<IntegerCell> =
                    diesel::sql_query(page(&format!("CAST({column} AS BIGINT)"))).load(conn)?;
                let last = cells.last().map(|c| c.id);
                let bad = cells
                    .into_iter()
                    .find_map(|c| decode(c.value).err().map(|e| (c.id, e)));
                (last, bad)
            }
        };
        if let Some((row, problem)) = problem {
            return Ok(Some(found(row, problem)));
        }
        match last {
            Some(last) => after = last,
            None => return Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_typed_column_is_listed_once() {
        for (i, (table, column, _)) in TYPED_COLUMNS.iter().enumerate() {
            assert!(
                !TYPED_COLUMNS[i + 1..]
                    .iter()
                    .any(|(t, c, _)| t == table && c == column),
                "{table}.{column}"
            );
        }
    }
}
