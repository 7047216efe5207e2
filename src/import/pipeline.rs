//! The reading half of an import, one way: format → reader → header → typed rows → the kind's
//! checks. Nothing here writes; row problems go into the report, a whole-file problem is the
//! error.

use super::context::KindsContext;
use super::decp;
use super::format::{self, FileFormat};
use super::header::{self, Header};
use super::kinds;
use super::limits::ImportLimits;
use super::parsed::Parsed;
use super::problem::{FileProblem, Problems, shorten};
use super::profile::Profile;
use super::reader::{self, Row, Sheet};
use super::report::ImportReport;
use super::rows::RowParser;
use super::upload::Upload;
use crate::domain::ImportKind;

/// Reads and checks the file. The header is looked for in the first rows of each sheet; the
/// rows under it are then checked as they are read, never all held at once.
pub fn parse(
    upload: &Upload,
    profile: &Profile,
    limits: &ImportLimits,
    context: &KindsContext,
    report: &mut ImportReport,
) -> Result<(Parsed, Header), FileProblem> {
    let format = format::detect(&upload.bytes, limits)?;
    report.format = Some(format);
    let register = decp_register(upload, format, profile)?;
    let heads = match &register {
        Some((sheet, notes)) => {
            report.warnings.extend(notes.iter().cloned());
            vec![sheet.clone()]
        }
        None => reader::heads(&upload.bytes, format, limits, header::HEADER_SEARCH_ROWS)?,
    };
    let header = header::locate(&heads, profile)?;
    let sheet = heads[header.sheet].name.clone();
    drop(heads);
    report.sheet = Some(sheet.clone());
    report.header_row = Some(header.row);
    report.warnings.extend(header.unknown.iter().map(|h| {
        format!(
            "La colonne « {} » ne correspond à aucune colonne attendue : elle a été ignorée.",
            shorten(h)
        )
    }));
    let check = |rows: &mut dyn Iterator<Item = Row>| {
        check_rows(upload.kind, profile, &sheet, &header, context, rows)
    };
    let (parsed, checked) = match register {
        Some((whole, _)) => check(&mut whole.rows.into_iter()),
        None => reader::with_rows(&upload.bytes, format, limits, header.sheet, check)?,
    };
    report.warnings.extend(checked.warnings);
    if checked.rows_read == 0 {
        return Err(FileProblem::NoDataRows);
    }
    report.rows_read = checked.rows_read;
    (report.problems, report.problems_left_out) = checked.problems.into_parts();
    Ok((parsed, header))
}

/// The sheet `index` whole, as it was sent: what the error workbook shows. Read again, only
/// for a refused file.
pub fn whole_sheet(
    upload: &Upload,
    profile: &Profile,
    limits: &ImportLimits,
    index: usize,
) -> Result<Sheet, FileProblem> {
    let format = format::detect(&upload.bytes, limits)?;
    let sheets = match decp_register(upload, format, profile)? {
        Some((sheet, _)) => vec![sheet],
        None => reader::read(&upload.bytes, format, limits)?,
    };
    sheets.into_iter().nth(index).ok_or(FileProblem::Empty)
}

/// A register sent as DECP JSON, as one sheet under the register's columns (with notes on
/// what was read); `None` for any other file.
fn decp_register(
    upload: &Upload,
    format: FileFormat,
    profile: &Profile,
) -> Result<Option<(Sheet, Vec<String>)>, FileProblem> {
    match format {
        FileFormat::Json if upload.kind == ImportKind::Contracts => {
            decp::read(&upload.bytes, profile).map(Some)
        }
        _ => Ok(None),
    }
}

/// What checking the rows found besides the kind's rows.
struct RowsChecked {
    rows_read: usize,
    problems: Problems,
    warnings: Vec<String>,
}

/// Parses the rows under the header and runs the kind's checks on them, as they come.
fn check_rows(
    kind: ImportKind,
    profile: &Profile,
    sheet: &str,
    header: &Header,
    context: &KindsContext,
    rows: &mut dyn Iterator<Item = Row>,
) -> (Parsed, RowsChecked) {
    // Problems of the kind's checks, beside those of the cells the parser collects.
    let mut problems = Problems::default();
    let clearable = kinds::clearable_columns(kind);
    let mut rows = RowParser::new(rows, sheet, header, profile, clearable);
    let parsed = match kind {
        ImportKind::Structures => Parsed::Structures(kinds::structures::validate(
            profile,
            sheet,
            rows.by_ref(),
            &mut problems,
        )),
        ImportKind::Contracts => Parsed::Contracts(kinds::contracts::validate(
            profile,
            sheet,
            // Rows of one contract are gathered from anywhere in the file.
            &rows.by_ref().collect::<Vec<_>>(),
            &context.contracts,
            &mut problems,
        )),
        ImportKind::Participants => Parsed::Participants(kinds::participants::validate(
            profile,
            sheet,
            rows.by_ref(),
            chrono::Utc::now().date_naive(),
            &mut problems,
        )),
        ImportKind::Hours => Parsed::Hours(kinds::hours::validate(
            profile,
            sheet,
            rows.by_ref(),
            &context.hours,
            &mut problems,
        )),
    };
    let mut all = std::mem::take(&mut rows.problems);
    all.append(problems);
    let checked = RowsChecked {
        rows_read: rows.rows_read,
        problems: all,
        warnings: rows.take_warnings(),
    };
    (parsed, checked)
}
