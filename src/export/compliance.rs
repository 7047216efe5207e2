//! The yearly (or any period) compliance workbook: what a buyer reports on its clauses and its
//! charter, for the facilitateurs and for the assembly.

use std::collections::HashMap;

use rust_xlsxwriter::{Chart, ChartType, DocProperties, Workbook, Worksheet, XlsxError};

use super::clause_table;
use super::sheet::{self, Column, Styles, Value, column};
use crate::domain::{ClauseStatus, Hours, Labelled, Month, SizeClass, StructureKind};
use crate::indicators::report::ComplianceReport;
use crate::indicators::{Breakdown, SMALL_GROUP_THRESHOLD, Share};
use crate::storage::companies::Company;

pub const SYNTHESIS: &str = "Synthèse";
pub const CONTRACTS: &str = "Marchés";
pub const COMPANIES: &str = "Entreprises";
pub const STRUCTURES: &str = "Structures d'insertion";
pub const PUBLICS: &str = "Publics";
pub const CHARTER: &str = "Charte";
pub const METHOD: &str = "Méthode";
pub const OBLIGATIONS: &str = "Obligations";

/// A contract's status against the buyer's legal obligations, as the obligations sheet lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObligationLine {
    pub buyer_siret: String,
    pub reference: String,
    pub notified: chrono::NaiveDate,
    pub social: &'static str,
    /// The ground's label, when one is recorded.
    pub ground: Option<String>,
    pub environmental: &'static str,
}

/// How the obligations sheet's statuses are worked out.
pub const OBLIGATIONS_METHOD: &str = "Marchés notifiés sur la période. Condition sociale d'exécution exigée des consultations lancées depuis l'entrée en vigueur de l'article 35 de la loi Climat et résilience dont la valeur estimée atteint le seuil européen en vigueur au lancement (travaux ; fournitures et services selon le type d'acheteur) : « Conforme » avec une clause d'insertion, une autre condition sociale ou un lot réservé ; « Dérogation justifiée » avec un motif et sa justification ; « Manquante » sinon. Condition environnementale exigée de toute consultation lancée depuis cette date. « Données incomplètes » : date de lancement, nature ou valeur estimée inconnue. Seuils et date : règles des obligations en vigueur (rules/obligations.toml ou le fichier que nomme la configuration).";

/// The column of the key figures' values on the synthesis sheet (B).
pub const FIGURE_VALUE_COLUMN: u16 = 1;

/// Said in a cell where a group is too small to be shown.
pub fn suppressed_text() -> String {
    format!("moins de {SMALL_GROUP_THRESHOLD} personnes : masqué")
}

/// The workbook; the obligations sheet when `obligations` is given (a reader who may see them).
pub fn workbook(
    report: &ComplianceReport,
    obligations: Option<&[ObligationLine]>,
) -> Result<Vec<u8>, XlsxError> {
    let styles = Styles::default();
    let mut book = Workbook::new();
    book.set_properties(&properties(report));
    synthesis(book.add_worksheet().set_name(SYNTHESIS)?, &styles, report)?;
    contracts(book.add_worksheet().set_name(CONTRACTS)?, &styles, report)?;
    companies(book.add_worksheet().set_name(COMPANIES)?, &styles, report)?;
    structures(book.add_worksheet().set_name(STRUCTURES)?, &styles, report)?;
    publics(book.add_worksheet().set_name(PUBLICS)?, &styles, report)?;
    charter(book.add_worksheet().set_name(CHARTER)?, &styles, report)?;
    if let Some(lines) = obligations {
        obligations_sheet(book.add_worksheet().set_name(OBLIGATIONS)?, &styles, lines)?;
    }
    method(book.add_worksheet().set_name(METHOD)?, &styles, report)?;
    book.save_to_buffer()
}

fn period_text(report: &ComplianceReport) -> String {
    let p = report.indicators.period;
    format!(
        "Période du {} au {}",
        p.from.format("%d/%m/%Y"),
        p.to.format("%d/%m/%Y")
    )
}

fn title(report: &ComplianceReport) -> String {
    let p = report.indicators.period;
    let span = if p.from.format("%m-%d").to_string() == "01-01"
        && p.to.format("%m-%d").to_string() == "12-31"
        && p.from.format("%Y").to_string() == p.to.format("%Y").to_string()
    {
        p.from.format("%Y").to_string()
    } else {
        format!(
            "{} – {}",
            p.from.format("%d/%m/%Y"),
            p.to.format("%d/%m/%Y")
        )
    };
    format!("Clauses sociales d'insertion et charte de la commande publique — {span}")
}

fn heading_lines(report: &ComplianceReport) -> Vec<String> {
    vec![
        format!("Périmètre : {}", report.indicators.scope),
        format!(
            "{} ; clauses évaluées au {} ; édité le {}",
            period_text(report),
            report.assessed_at.format("%d/%m/%Y"),
            report.generated_at.format("%d/%m/%Y à %H:%M")
        ),
    ]
}

fn properties(report: &ComplianceReport) -> DocProperties {
    DocProperties::new()
        .set_title(title(report))
        .set_subject(format!(
            "{} — {}",
            report.indicators.scope,
            period_text(report)
        ))
        .set_author("suivi-clauses")
        .set_company(report.indicators.scope.clone())
        .set_keywords("clauses sociales, insertion, SIAE, charte de la commande publique")
        .set_comment("Chiffres calculés par suivi-clauses ; la méthode de chacun figure dans l'onglet Méthode.")
}

/// The key figures: one label (column A) and one value (column B) per line.
pub fn key_figures(report: &ComplianceReport) -> Vec<(&'static str, Value)> {
    let charter = &report.indicators.charter;
    let insertion = &report.indicators.insertion;
    let work = &report.indicators.work_contracts;
    let rate = |share: &Share| Value::or_empty(share.rate, Value::Rate);
    vec![
        ("Heures d'insertion", Value::Hours(insertion.hours.value)),
        (
            "Heures en attente de validation",
            Value::Hours(insertion.pending),
        ),
        (
            "Équivalents temps plein (ETP)",
            Value::Hundredths(insertion.fte.value),
        ),
        (
            "Participants",
            figure_or_suppressed(insertion.participants.value.map(Value::Count)),
        ),
        (
            "Sorties vers l'emploi (part des sorties)",
            figure_or_suppressed(insertion.exits_to_employment.as_ref().map(rate)),
        ),
        (
            "Contrats de travail",
            figure_or_suppressed(work.contracts.map(Value::Count)),
        ),
        (
            "Contrats de travail par personne",
            figure_or_suppressed(work.per_person.map(Value::Hundredths)),
        ),
        ("Marchés notifiés", Value::Count(charter.contracts)),
        (
            "Marchés avec clause d'insertion",
            Value::Count(charter.with_clause.part),
        ),
        (
            "Marchés avec critère social",
            Value::Count(charter.with_social_criterion.part),
        ),
        (
            "Marchés réservés",
            Value::Count(charter.reserved_contracts.part),
        ),
        ("Montant notifié HT", Value::Money(charter.awarded.value)),
        (
            "Part des entreprises locales (en valeur)",
            rate(&charter.local_by_value),
        ),
        (
            "Part des TPE et PME (en valeur)",
            rate(&charter.small_firms_by_value),
        ),
        (
            "Montant des lots réservés HT",
            Value::Money(charter.reserved_amount()),
        ),
    ]
}

fn breakdown<'a>(report: &'a ComplianceReport, dimension: &str) -> Option<&'a Breakdown> {
    report
        .indicators
        .insertion
        .breakdowns
        .iter()
        .find(|b| b.dimension == dimension)
}

/// A data block (label, value) with a chart of it beside; the block is the chart's text
/// alternative for whoever cannot see it.
struct ChartBlock<'a> {
    title: &'a str,
    value_header: &'static str,
    kind: ChartType,
    rows: Vec<(String, Value)>,
}

fn chart_block(
    sheet: &mut Worksheet,
    styles: &Styles,
    top: u32,
    block: ChartBlock<'_>,
) -> Result<u32, XlsxError> {
    sheet.write_string_with_format(top, 0, block.title, &styles.subtitle)?;
    sheet.write_string_with_format(top + 1, 0, "Libellé", &styles.header)?;
    sheet.write_string_with_format(top + 1, 1, block.value_header, &styles.header)?;
    let first = top + 2;
    for (i, (label, value)) in block.rows.iter().enumerate() {
        let row = first + i as u32;
        sheet.write_string(row, 0, label)?;
        sheet::write(sheet, styles, row, 1, value)?;
    }
    if block.rows.is_empty() {
        sheet.write_string_with_format(first, 0, "Aucune donnée sur la période.", &styles.note)?;
        return Ok(first + 2);
    }
    let last = first + block.rows.len() as u32 - 1;
    let mut chart = Chart::new(block.kind);
    chart
        .add_series()
        .set_name(block.value_header)
        .set_categories((SYNTHESIS, first, 0, last, 0))
        .set_values((SYNTHESIS, first, 1, last, 1));
    chart.title().set_name(block.title);
    chart.set_alt_text(format!(
        "{} : les valeurs sont dans le tableau à gauche du graphique, lignes {} à {}.",
        block.title,
        first + 1,
        last + 1
    ));
    if block.kind != ChartType::Pie {
        chart.legend().set_hidden();
    }
    sheet.insert_chart(top, 3, &chart)?;
    // A chart is 15 rows high by default: the next block starts below both.
    Ok((last + 2).max(top + 17))
}

fn groups_as_rows(breakdown: Option<&Breakdown>) -> Vec<(String, Value)> {
    breakdown
        .map(|b| {
            b.groups
                .iter()
                .filter_map(|g| g.hours.map(|h| (g.label.clone(), Value::Hours(h))))
                .collect()
        })
        .unwrap_or_default()
}

/// Hours month by month over the whole period, a month without hours at 0 h: a month left out
/// of the table and its chart would read as not reported. Nothing when no month has hours.
fn monthly_rows(report: &ComplianceReport) -> Vec<(String, Value)> {
    let Some(months) = breakdown(report, "month").filter(|b| !b.groups.is_empty()) else {
        return Vec::new();
    };
    let hours: HashMap<&str, Hours> = months
        .groups
        .iter()
        .filter_map(|g| Some((g.key.as_deref()?, g.hours?)))
        .collect();
    let period = report.indicators.period;
    let (Ok(first), Ok(last)) = (Month::of_date(period.from), Month::of_date(period.to)) else {
        return groups_as_rows(Some(months));
    };
    std::iter::successors(Some(first), |m| m.next().filter(|next| *next <= last))
        .map(|month| {
            let key = month.yyyymm().to_string();
            let value = hours.get(key.as_str()).copied().unwrap_or(Hours::ZERO);
            (month.to_string(), Value::Hours(value))
        })
        .collect()
}

fn synthesis(
    sheet: &mut Worksheet,
    styles: &Styles,
    report: &ComplianceReport,
) -> Result<(), XlsxError> {
    let top = sheet::heading(sheet, styles, &title(report), &heading_lines(report))? + 1;
    let figures = key_figures(report);
    sheet::header(
        sheet,
        styles,
        top,
        &[column("Chiffre clé", 46.0), column("Valeur", 18.0)],
    )?;
    for (i, (label, value)) in figures.iter().enumerate() {
        let row = top + 1 + i as u32;
        sheet.write_string(row, 0, *label)?;
        sheet::write(sheet, styles, row, FIGURE_VALUE_COLUMN, value)?;
    }
    let mut next = top + figures.len() as u32 + 3;
    let year_rows = report
        .series
        .iter()
        .map(|y| (y.year.to_string(), Value::Hours(y.hours)))
        .collect();
    let charter = &report.indicators.charter;
    let local = charter.local_by_value.part;
    let others = charter.local_by_value.whole - local;
    let blocks = [
        ChartBlock {
            title: "Heures d'insertion par mois",
            value_header: "Heures",
            kind: ChartType::Column,
            rows: monthly_rows(report),
        },
        ChartBlock {
            title: "Heures d'insertion par année",
            value_header: "Heures",
            kind: ChartType::Column,
            rows: year_rows,
        },
        ChartBlock {
            title: "Heures par modalité",
            value_header: "Heures",
            kind: ChartType::Bar,
            rows: groups_as_rows(breakdown(report, "modality")),
        },
        ChartBlock {
            title: "Heures par type de structure",
            value_header: "Heures",
            kind: ChartType::Bar,
            rows: groups_as_rows(breakdown(report, "structure_kind")),
        },
        ChartBlock {
            title: "Montant notifié : entreprises locales et autres",
            value_header: "Montant HT",
            kind: ChartType::Pie,
            rows: if charter.local_by_value.whole > 0 {
                vec![
                    ("Entreprises locales".to_owned(), Value::Cents(local)),
                    ("Autres entreprises".to_owned(), Value::Cents(others)),
                ]
            } else {
                Vec::new()
            },
        },
    ];
    // Each chart on a page of its own: one cut by a page break is drawn over the title lines
    // repeated at the top of the next page.
    let mut breaks = Vec::new();
    for block in blocks {
        breaks.push(next);
        next = chart_block(sheet, styles, next, block)?;
    }
    sheet.set_page_breaks(&breaks)?;
    sheet.set_column_width(2, 3)?;
    sheet::print_setup(sheet, top)?;
    // The title lines on every page; the key figures' header on the first only.
    sheet.set_repeat_rows(0, top - 2)?;
    sheet.set_print_fit_to_pages(1, 0);
    Ok(())
}

fn contracts(
    sheet: &mut Worksheet,
    styles: &Styles,
    report: &ComplianceReport,
) -> Result<(), XlsxError> {
    let count = clause_table::write(sheet, styles, 0, &report.clauses)?;
    if count == 0 {
        sheet::note(
            sheet,
            styles,
            1,
            clause_table::COLUMNS,
            "Aucune clause en cours sur la période.",
        )?;
    }
    Ok(())
}

fn companies(
    sheet: &mut Worksheet,
    styles: &Styles,
    report: &ComplianceReport,
) -> Result<(), XlsxError> {
    let described = [
        column("Code postal", 11.0),
        column("Département", 12.0),
        column("Catégorie", 12.0),
    ];
    establishments(sheet, styles, report, "company", &described, |company| {
        vec![
            Value::or_empty(company.and_then(|c| c.postal_code.clone()), Value::Text),
            Value::or_empty(company.and_then(|c| c.departement.clone()), Value::Text),
            Value::or_empty(
                company
                    .and_then(|c| c.size_class.as_deref())
                    .and_then(SizeClass::from_code)
                    .map(|s| s.label().to_owned()),
                Value::Text,
            ),
        ]
    })
}

fn structures(
    sheet: &mut Worksheet,
    styles: &Styles,
    report: &ComplianceReport,
) -> Result<(), XlsxError> {
    let described = [column("Type de structure", 28.0)];
    establishments(
        sheet,
        styles,
        report,
        "insertion_employer",
        &described,
        |company| {
            vec![Value::text(
                company
                    .and_then(|c| StructureKind::from_code(&c.structure_kind))
                    .map_or("", |k| k.label()),
            )]
        },
    )
}

/// One row per establishment of a breakdown: SIRET, name, what `describe` says of it, hours
/// and participants.
fn establishments(
    sheet: &mut Worksheet,
    styles: &Styles,
    report: &ComplianceReport,
    dimension: &str,
    described: &[Column],
    describe: impl Fn(Option<&Company>) -> Vec<Value>,
) -> Result<(), XlsxError> {
    let mut columns = vec![column("SIRET", 19.0), column("Raison sociale", 36.0)];
    columns.extend_from_slice(described);
    columns.extend([
        column("Heures d'insertion (h)", 16.0),
        column("Participants", 13.0),
    ]);
    let rows: Vec<Vec<Value>> = groups(report, dimension)
        .map(|(siret, hours, participants)| {
            let company = report.companies.get(&siret);
            let mut row = vec![
                Value::text(&siret),
                Value::text(company.map_or("", |c| c.name.as_str())),
            ];
            row.extend(describe(company));
            row.extend([hours, participants]);
            row
        })
        .collect();
    sheet::table(sheet, styles, 0, &columns, rows)?;
    Ok(())
}

/// The groups of a breakdown that have a key, as (key, hours, participants) values; a
/// suppressed group says so instead of its figures.
fn groups<'a>(
    report: &'a ComplianceReport,
    dimension: &str,
) -> impl Iterator<Item = (String, Value, Value)> + 'a {
    breakdown(report, dimension)
        .into_iter()
        .flat_map(|b| b.groups.iter())
        .filter_map(|g| {
            let key = g.key.clone()?;
            Some((
                key,
                figure_or_suppressed(g.hours.map(Value::Hours)),
                figure_or_suppressed(g.participants.map(Value::Count)),
            ))
        })
}

fn figure_or_suppressed(value: Option<Value>) -> Value {
    value.unwrap_or_else(|| Value::Text(suppressed_text()))
}

fn publics(
    sheet: &mut Worksheet,
    styles: &Styles,
    report: &ComplianceReport,
) -> Result<(), XlsxError> {
    let columns = [
        column("Répartition", 28.0),
        column("Groupe", 40.0),
        column("Heures d'insertion (h)", 18.0),
        column("Participants", 18.0),
    ];
    // The dimensions describing people, shown on the publics sheet.
    let rows = crate::indicators::PEOPLE
        .iter()
        .filter_map(|d| breakdown(report, d))
        .flat_map(|b| {
            b.groups.iter().map(move |g| {
                vec![
                    Value::text(b.label),
                    Value::text(&g.label),
                    figure_or_suppressed(g.hours.map(Value::Hours)),
                    figure_or_suppressed(g.participants.map(Value::Count)),
                ]
            })
        })
        .collect::<Vec<_>>();
    let count = sheet::table(sheet, styles, 0, &columns, rows)?;
    let note = if let Some(few) = report.indicators.insertion.few_people {
        few.to_owned()
    } else if report.small_groups_suppressed {
        format!(
            "Les groupes de moins de {SMALL_GROUP_THRESHOLD} personnes sont masqués, avec ceux qui s'en déduiraient (le plus petit des autres groupes, et les groupes masqués chez l'un des acheteurs comptés) : avec des critères de santé (RQTH, AAH) ou de justice, un petit groupe désigne une personne."
        )
    } else {
        "Édition réservée aux facilitateurs : les petits groupes ne sont pas masqués, ne diffusez pas ce classeur.".to_owned()
    };
    sheet::note(sheet, styles, count + 2, &columns, &note)?;
    Ok(())
}

fn charter(
    sheet: &mut Worksheet,
    styles: &Styles,
    report: &ComplianceReport,
) -> Result<(), XlsxError> {
    let charter = &report.indicators.charter;
    let columns = [
        column("Indicateur", 40.0),
        column("Part", 10.0),
        column("Numérateur", 18.0),
        column("Dénominateur", 18.0),
        column("Méthode", 90.0),
    ];
    let money = Value::Cents;
    let by_value = |label: &'static str, s: &Share| {
        vec![
            Value::text(label),
            Value::or_empty(s.rate, Value::Rate),
            money(s.part),
            money(s.whole),
            Value::Long(s.method.clone()),
        ]
    };
    let by_count = |label: &'static str, s: &Share| {
        vec![
            Value::text(label),
            Value::or_empty(s.rate, Value::Rate),
            Value::Count(s.part),
            Value::Count(s.whole),
            Value::Long(s.method.clone()),
        ]
    };
    let mut rows = vec![
        vec![
            Value::text("Montant notifié HT"),
            Value::Empty,
            Value::Money(charter.awarded.value),
            Value::Empty,
            Value::Long(charter.awarded.method.clone()),
        ],
        by_value("Entreprises locales, en valeur", &charter.local_by_value),
        by_count("Entreprises locales, en nombre", &charter.local_by_count),
        by_value("TPE et PME, en valeur", &charter.small_firms_by_value),
        by_count("TPE et PME, en nombre", &charter.small_firms_by_count),
    ];
    rows.extend(charter.reserved.iter().map(|r| {
        let mut row = by_value("", &r.share);
        row[0] = Value::Text(format!("Lots réservés {}", r.article));
        row
    }));
    rows.extend([
        by_count("Marchés avec clause d'insertion", &charter.with_clause),
        by_count(
            "Marchés avec critère social",
            &charter.with_social_criterion,
        ),
        by_count("Marchés réservés", &charter.reserved_contracts),
        by_count(
            "Marchés sans considération sociale",
            &charter.without_social_consideration,
        ),
    ]);
    sheet::table(sheet, styles, 0, &columns, rows)?;
    Ok(())
}

/// One row per contract notified during the period: its social and environmental status.
fn obligations_sheet(
    sheet: &mut Worksheet,
    styles: &Styles,
    lines: &[ObligationLine],
) -> Result<(), XlsxError> {
    let columns = [
        column("SIRET acheteur", 19.0),
        column("Référence", 16.0),
        column("Notifié le", 12.0),
        column("Condition sociale", 26.0),
        column("Motif d'absence de condition sociale", 40.0),
        column("Condition environnementale", 26.0),
    ];
    let rows = lines.iter().map(|line| {
        vec![
            Value::text(&line.buyer_siret),
            Value::text(&line.reference),
            Value::Date(line.notified),
            Value::text(line.social),
            Value::or_empty(line.ground.clone(), Value::Text),
            Value::text(line.environmental),
        ]
    });
    if sheet::table(sheet, styles, 0, &columns, rows)? == 0 {
        sheet::note(
            sheet,
            styles,
            1,
            &columns,
            "Aucun marché notifié sur la période.",
        )?;
    }
    Ok(())
}

fn method(
    sheet: &mut Worksheet,
    styles: &Styles,
    report: &ComplianceReport,
) -> Result<(), XlsxError> {
    let columns = [column("Élément", 36.0), column("Valeur ou méthode", 110.0)];
    let insertion = &report.indicators.insertion;
    let mut rows: Vec<Vec<Value>> = vec![
        vec![
            Value::text("Périmètre"),
            Value::Long(report.indicators.scope.clone()),
        ],
        vec![Value::text("Période"), Value::text(period_text(report))],
        vec![
            Value::text("Clauses évaluées au"),
            Value::Date(report.assessed_at),
        ],
        vec![
            Value::text("Édité le"),
            Value::text(report.generated_at.format("%d/%m/%Y à %H:%M").to_string()),
        ],
    ];
    rows.extend(
        report
            .filters
            .iter()
            .map(|(name, value)| vec![Value::Text(format!("Filtre : {name}")), Value::text(value)]),
    );
    let methods = [
        ("Heures d'insertion", insertion.hours.method.clone()),
        ("Équivalents temps plein", insertion.fte.method.clone()),
        ("Participants", insertion.participants.method.clone()),
        (
            "Sorties vers l'emploi",
            insertion.exits_to_employment.as_ref().map_or_else(
                || "Part non montrée : elle redonnerait un groupe de moins de 5 personnes.".to_owned(),
                |s| s.method.clone(),
            ),
        ),
        ("Contrats de travail", report.indicators.work_contracts.method.to_owned()),
        ("Réalisé retenu d'une clause", crate::indicators::statement::METHOD.to_owned()),
        (
            "Statut d'une clause",
            format!(
                "« {} » : aucune heure et moins de {} de la durée écoulée ; « {} » : réalisé retenu au moins égal à l'attendu à date (objectif × part de la durée écoulée) ; « {} » sinon ; « {} » : objectif atteint ; « {} » : fin du marché passée sans l'objectif.",
                ClauseStatus::NotStarted.label(),
                crate::domain::clause_status::START_GRACE,
                ClauseStatus::OnTrack.label(),
                ClauseStatus::Behind.label(),
                ClauseStatus::Fulfilled.label(),
                ClauseStatus::EndedShort.label(),
            ),
        ),
        ("Projeté en fin", "Réalisé retenu divisé par la part de la durée écoulée : le rythme actuel prolongé jusqu'à la fin.".to_owned()),
        ("Pénalité encourue", "Heures manquantes × pénalité par heure prévue au CCAP du marché, si elle est renseignée.".to_owned()),
        (
            "Publics",
            format!("Agrégats seulement ; groupes de moins de {SMALL_GROUP_THRESHOLD} personnes masqués pour les lecteurs qui ne suivent pas les participants."),
        ),
        ("Part des entreprises locales", report.indicators.charter.local_by_value.method.clone()),
        ("Part des TPE et PME", report.indicators.charter.small_firms_by_value.method.clone()),
        ("Nombres de marchés", report.indicators.charter.with_clause.method.clone()),
        ("Obligations de l'acheteur", OBLIGATIONS_METHOD.to_owned()),
        ("Arrondis", "Les taux sont calculés en points de base (1/10 000) et arrondis au plus proche ; heures au centième, montants au centime.".to_owned()),
    ];
    rows.extend(
        methods
            .into_iter()
            .map(|(name, text)| vec![Value::text(name), Value::Long(text)]),
    );
    sheet::table(sheet, styles, 0, &columns, rows)?;
    Ok(())
}
