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

/// What reading a file gave: its checked rows, its header, and for a DECP file where each
/// row came from.
pub struct Read {
    pub parsed: Parsed,
    pub header: Header,
    pub origins: Option<decp::Origins>,
}

/// Reads and checks the file. The header is looked for in the first rows of each sheet; the
/// rows under it are then checked as they are read, never all held at once.
pub fn parse(
    upload: &Upload,
    profile: &Profile,
    limits: &ImportLimits,
    context: &KindsContext,
    report: &mut ImportReport,
) -> Result<Read, FileProblem> {
    let format = format::detect(&upload.bytes, limits)?;
    report.format = Some(format);
    let decp_profile = is_decp(upload, format).then(|| decp::profile(profile));
    let profile = decp_profile.as_ref().unwrap_or(profile);
    let (register, origins) = match decp_register(upload, format, profile, context)? {
        Some(decp::Register {
            sheet,
            warnings,
            origins,
        }) => {
            report.warnings.extend(warnings);
            (Some(sheet), Some(origins))
        }
        None => (None, None),
    };
    let heads = match &register {
        Some(sheet) => vec![Sheet {
            name: sheet.name.clone(),
            rows: sheet.rows[..1].to_vec(),
        }],
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
        Some(whole) => check(&mut whole.rows.into_iter()),
        None => reader::with_rows(&upload.bytes, format, limits, header.sheet, check)?,
    };
    report.warnings.extend(checked.warnings);
    // A DECP file whose records were all refused before the register has no row, and its
    // problems to tell.
    if checked.rows_read == 0 && origins.is_none() {
        return Err(FileProblem::NoDataRows);
    }
    report.rows_read = checked.rows_read;
    (report.problems, report.problems_left_out) = checked.problems.into_parts();
    Ok(Read {
        parsed,
        header,
        origins,
    })
}

/// The sheet `index` whole, as it was sent: what the error workbook shows. Read again, only
/// for a refused spreadsheet (a refused DECP file has its report only).
pub fn whole_sheet(
    upload: &Upload,
    limits: &ImportLimits,
    index: usize,
) -> Result<Sheet, FileProblem> {
    let format = format::detect(&upload.bytes, limits)?;
    if format == FileFormat::Json {
        return Err(FileProblem::NotARegister);
    }
    let sheets = reader::read(&upload.bytes, format, limits)?;
    sheets.into_iter().nth(index).ok_or(FileProblem::Empty)
}

/// A register sent as DECP JSON, as one sheet under the register's columns (with notes on
/// what was read and where each row came from); `None` for any other file.
fn decp_register(
    upload: &Upload,
    format: FileFormat,
    profile: &Profile,
    context: &KindsContext,
) -> Result<Option<decp::Register>, FileProblem> {
    if !is_decp(upload, format) {
        return Ok(None);
    }
    let known = |siret: &str| context.contracts.companies.contains_key(siret);
    let selection = decp::Selection {
        buyers: &context.contracts.buyers,
        only_buyer: context.contracts.only_buyer.as_ref(),
        departement: upload.departement.as_deref(),
        known_company: &known,
    };
    match &upload.file {
        Some(path) => {
            let file = std::fs::File::open(path)
                .map_err(|e| FileProblem::JsonUnreadable(e.to_string()))?;
            decp::read(std::io::BufReader::new(file), profile, &selection).map(Some)
        }
        None => decp::read(&upload.bytes[..], profile, &selection).map(Some),
    }
}

/// Whether the file is a register sent as DECP JSON.
fn is_decp(upload: &Upload, format: FileFormat) -> bool {
    format == FileFormat::Json && upload.kind == ImportKind::Contracts
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
        ImportKind::WorkContracts => Parsed::WorkContracts(kinds::work_contracts::validate(
            profile,
            sheet,
            rows.by_ref(),
            &context.work_contracts,
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
