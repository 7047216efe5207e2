//! The SPASER report as a workbook (indicators, a chart of the shares against the targets
//! over the years, the missing contracts, the method) and as an open-data CSV.

use rust_xlsxwriter::{Chart, ChartType, Workbook, Worksheet, XlsxError};

use super::sheet::{self, Styles, Value, column};
use super::{ExportError, csv_safe};
use crate::domain::{Labelled, Rate};
use crate::indicators::spaser::{BuyerReport, Figure, Indicator, METHOD};

pub const INDICATORS: &str = "Indicateurs";
pub const TREND: &str = "Tendance";
pub const MISSING: &str = "Marchés manquants";
pub const METHOD_SHEET: &str = "Méthode";

/// The columns of the open-data file, in order.
pub const CSV_COLUMNS: [&str; 9] = [
    "siret_acheteur",
    "nom_acheteur",
    "annee",
    "indicateur",
    "nombre_marches",
    "valeur_euros_ht",
    "part_nombre_pct",
    "part_valeur_pct",
    "cible_pct",
];

/// Every buyer × year × indicator, in the order of the reports.
fn rows(reports: &[BuyerReport]) -> impl Iterator<Item = (&BuyerReport, i32, &Figure)> {
    reports.iter().flat_map(|report| {
        report
            .years
            .iter()
            .flat_map(move |year| year.figures.iter().map(move |f| (report, year.year, f)))
    })
}

pub fn workbook(reports: &[BuyerReport], year: i32) -> Result<Vec<u8>, XlsxError> {
    let styles = Styles::default();
    let mut workbook = Workbook::new();
    indicators_sheet(
        workbook.add_worksheet().set_name(INDICATORS)?,
        &styles,
        reports,
    )?;
    trend_sheet(workbook.add_worksheet().set_name(TREND)?, &styles, reports)?;
    missing_sheet(
        workbook.add_worksheet().set_name(MISSING)?,
        &styles,
        reports,
    )?;
    method_sheet(
        workbook.add_worksheet().set_name(METHOD_SHEET)?,
        &styles,
        year,
    )?;
    workbook.save_to_buffer()
}

fn rate(rate: Option<Rate>) -> Value {
    Value::or_empty(rate, Value::Rate)
}

fn indicators_sheet(
    sheet: &mut Worksheet,
    styles: &Styles,
    reports: &[BuyerReport],
) -> Result<(), XlsxError> {
    let columns = [
        column("SIRET acheteur", 19.0),
        column("Acheteur", 30.0),
        column("Année", 8.0),
        column("Indicateur", 44.0),
        column("Nombre de marchés", 12.0),
        column("Valeur (€ HT)", 16.0),
        column("Part en nombre", 12.0),
        column("Part en valeur", 12.0),
        column("Cible", 10.0),
    ];
    let lines = rows(reports).map(|(report, year, f)| {
        vec![
            Value::text(&report.siret),
            Value::text(&report.name),
            Value::Count(i64::from(year)),
            Value::text(f.indicator.label()),
            Value::Count(f.count),
            Value::Money(f.value),
            rate(f.share_by_count),
            rate(f.share_by_value),
            rate(f.target),
        ]
    });
    if sheet::table(sheet, styles, 0, &columns, lines)? == 0 {
        sheet::note(
            sheet,
            styles,
            1,
            &columns,
            "Aucun marché dans le périmètre.",
        )?;
    }
    Ok(())
}

/// Rows given to each buyer's block on the trend sheet, so that its chart fits beside it.
const BLOCK_ROWS: u32 = 18;

fn trend_sheet(
    sheet: &mut Worksheet,
    styles: &Styles,
    reports: &[BuyerReport],
) -> Result<(), XlsxError> {
    let columns = [
        column("Année", 8.0),
        column("Part sociale (nombre)", 14.0),
        column("Part sociale (valeur)", 14.0),
        column("Cible sociale", 12.0),
        column("Part environnementale (nombre)", 16.0),
        column("Cible environnementale", 14.0),
    ];
    let mut top = 0;
    for report in reports {
        sheet.write_string_with_format(top, 0, report_title(report), &styles.subtitle)?;
        sheet::header(sheet, styles, top + 1, &columns)?;
        for (i, year) in report.years.iter().enumerate() {
            let row = top + 2 + i as u32;
            let share = |indicator| year.figure(indicator).and_then(|f| f.share_by_count);
            let social_value = year
                .figure(Indicator::Social)
                .and_then(|f| f.share_by_value);
            let values = [
                Value::Count(i64::from(year.year)),
                rate(share(Indicator::Social)),
                rate(social_value),
                Value::Rate(report.targets.social),
                rate(share(Indicator::Environmental)),
                rate(report.targets.environmental),
            ];
            for (c, value) in values.iter().enumerate() {
                sheet::write(sheet, styles, row, c as u16, value)?;
            }
        }
        let last = top + 1 + report.years.len() as u32;
        sheet.insert_chart(top, 7, &trend_chart(report, top + 2, last))?;
        top += BLOCK_ROWS.max(report.years.len() as u32 + 4);
    }
    sheet::print_setup(sheet, 0)?;
    Ok(())
}

fn report_title(report: &BuyerReport) -> String {
    format!("{} (SIRET {})", report.name, report.siret)
}

/// The shares of contracts with a social or environmental consideration over the years, with
/// the targets as lines.
fn trend_chart(report: &BuyerReport, first: u32, last: u32) -> Chart {
    let mut chart = Chart::new(ChartType::Line);
    let title = format!("{} : parts en nombre et cibles", report.name);
    chart.title().set_name(title.as_str());
    let series = [
        (1, "Part sociale (nombre)"),
        (3, "Cible sociale"),
        (4, "Part environnementale (nombre)"),
        (5, "Cible environnementale"),
    ];
    for (col, name) in series {
        chart
            .add_series()
            .set_name(name)
            .set_categories((TREND, first, 0, last, 0))
            .set_values((TREND, first, col, last, col));
    }
    chart.y_axis().set_num_format("0%").set_min(0).set_max(1);
    chart.x_axis().set_name("Année");
    chart
}

fn missing_sheet(
    sheet: &mut Worksheet,
    styles: &Styles,
    reports: &[BuyerReport],
) -> Result<(), XlsxError> {
    let columns = [
        column("SIRET acheteur", 19.0),
        column("Acheteur", 30.0),
        column("Référence", 16.0),
        column("Notifié le", 12.0),
        column("Valeur (€ HT)", 16.0),
        column("Condition sociale", 26.0),
        column("Condition environnementale", 26.0),
    ];
    let lines = reports.iter().flat_map(|report| {
        report.missing.iter().map(|c| {
            vec![
                Value::text(&report.siret),
                Value::text(&report.name),
                Value::text(&c.reference),
                Value::Date(c.notified),
                Value::Money(c.value),
                Value::text(c.status.social.label()),
                Value::text(c.status.environmental.label()),
            ]
        })
    });
    if sheet::table(sheet, styles, 0, &columns, lines)? == 0 {
        let note = "Aucun marché de l'année sans condition ni motif.";
        sheet::note(sheet, styles, 1, &columns, note)?;
    }
    Ok(())
}

fn method_sheet(sheet: &mut Worksheet, styles: &Styles, year: i32) -> Result<(), XlsxError> {
    let columns = [column("Élément", 32.0), column("Méthode", 110.0)];
    let mut lines = vec![vec![
        Value::text("Année du rapport"),
        Value::Count(i64::from(year)),
    ]];
    lines.extend(
        METHOD
            .iter()
            .map(|(name, text)| vec![Value::text(*name), Value::Long((*text).to_owned())]),
    );
    sheet::table(sheet, styles, 0, &columns, lines)?;
    Ok(())
}

/// Cents as euros with a decimal point: `1234.50`.
fn euros(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, (cents % 100).abs())
}

/// Basis points as a percentage with a decimal point: `33.33`.
fn percent(rate: Option<Rate>) -> String {
    rate.map_or_else(String::new, |r| {
        let bp = r.basis_points();
        format!("{}.{:02}", bp / 100, bp % 100)
    })
}

/// The open-data file: comma-separated UTF-8, decimal points, one row per buyer × year ×
/// indicator, shares and targets in percent, empty when not defined.
pub fn csv(reports: &[BuyerReport]) -> Result<Vec<u8>, ExportError> {
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    writer.write_record(CSV_COLUMNS)?;
    for (report, year, f) in rows(reports) {
        writer.write_record([
            report.siret.clone(),
            csv_safe::cell(&report.name).into_owned(),
            year.to_string(),
            f.indicator.code().to_owned(),
            f.count.to_string(),
            euros(f.value.cents()),
            percent(f.share_by_count),
            percent(f.share_by_value),
            percent(f.target),
        ])?;
    }
    writer
        .into_inner()
        .map_err(|e| ExportError::Io(e.into_error()))
}
