//! The yearly report to funders as a workbook: one sheet per subject, each line with a
//! reference (« Réf. ») that the « Méthode » sheet explains, so that every cell can be traced
//! to how it was computed.

use rust_xlsxwriter::{DocProperties, Workbook, Worksheet, XlsxError};

use super::compliance::suppressed_text;
use super::sheet::{self, Styles, Value, column};
use crate::domain::{Labelled, StructureKind};
use crate::indicators::annual_report::{AnnualReport, LEVEL_METHOD, SECTOR_METHOD};
use crate::indicators::work_contracts::ContractGroup;
use crate::indicators::{Breakdown, Group, SMALL_GROUP_THRESHOLD};

pub const SYNTHESIS: &str = "Synthèse";
pub const HOURS: &str = "Heures";
pub const PARTICIPANTS: &str = "Participants";
pub const WORK_CONTRACTS: &str = "Contrats de travail";
pub const COMPANIES: &str = "Entreprises";
pub const EXITS: &str = "Sorties";
pub const METHOD: &str = "Méthode";

/// One line of a sheet: its reference, what it breaks down, the group, and its values.
type Line = Vec<Value>;

/// The workbook of `report`.
pub fn workbook(report: &AnnualReport) -> Result<Vec<u8>, XlsxError> {
    let styles = Styles::default();
    let mut book = Workbook::new();
    book.set_properties(
        &DocProperties::new()
            .set_title(title(report))
            .set_subject(report.indicators.scope.clone())
            .set_author("suivi-clauses")
            .set_comment("Chaque ligne porte une référence expliquée dans l'onglet Méthode."),
    );
    synthesis(book.add_worksheet().set_name(SYNTHESIS)?, &styles, report)?;
    let people = ["Participants", "Heures (h)"];
    lines(
        book.add_worksheet().set_name(HOURS)?,
        &styles,
        &["Heures (h)"],
        hours(report),
    )?;
    lines(
        book.add_worksheet().set_name(PARTICIPANTS)?,
        &styles,
        &people,
        participants(report),
    )?;
    lines(
        book.add_worksheet().set_name(WORK_CONTRACTS)?,
        &styles,
        &["Contrats", "Personnes"],
        work_contracts(report),
    )?;
    lines(
        book.add_worksheet().set_name(COMPANIES)?,
        &styles,
        &["Heures (h)"],
        companies(report),
    )?;
    exits(book.add_worksheet().set_name(EXITS)?, &styles, report)?;
    method(book.add_worksheet().set_name(METHOD)?, &styles, report)?;
    book.save_to_buffer()
}

fn title(report: &AnnualReport) -> String {
    format!(
        "Rapport annuel aux financeurs — clauses sociales d'insertion {}",
        report.year
    )
}

/// A count of people, or the words saying it is masked.
fn people(value: Option<i64>) -> Value {
    value.map_or_else(|| Value::Text(suppressed_text()), Value::Count)
}

fn text(value: &str) -> Value {
    Value::text(value)
}

/// The figures of the synthesis, each with its reference.
pub fn totals(report: &AnnualReport) -> Vec<(&'static str, &'static str, Value)> {
    let i = &report.indicators.insertion;
    let w = &report.indicators.work_contracts;
    let keyed = |dimension: &str| {
        breakdown(report, dimension)
            .map_or(0, |b| b.groups.iter().filter(|g| g.key.is_some()).count())
    };
    let exited = i.exits_to_employment.as_ref();
    vec![
        ("H1", "Heures d'insertion", Value::Hours(i.hours.value)),
        (
            "H2",
            "Équivalents temps plein (ETP)",
            Value::Hundredths(i.fte.value),
        ),
        ("P1", "Participants", people(i.participants.value)),
        ("C1", "Contrats de travail", people(w.contracts)),
        ("C2", "Personnes sous contrat de travail", people(w.people)),
        (
            "C3",
            "Contrats de travail par personne",
            w.per_person
                .map_or_else(|| Value::Text(suppressed_text()), Value::Hundredths),
        ),
        (
            "E1",
            "Entreprises mobilisées (déclarant des heures)",
            Value::Count(keyed("company") as i64),
        ),
        (
            "E2",
            "Structures d'insertion mobilisées",
            Value::Count(keyed("insertion_employer") as i64),
        ),
        (
            "S1",
            "Sorties enregistrées",
            people(exited.map(|s| s.whole)),
        ),
        (
            "S2",
            "Sorties vers l'emploi",
            people(exited.map(|s| s.part)),
        ),
    ]
}

fn synthesis(
    sheet: &mut Worksheet,
    styles: &Styles,
    report: &AnnualReport,
) -> Result<(), XlsxError> {
    let lines = [
        format!("Périmètre : {}", report.indicators.scope),
        format!(
            "Année {} ; édité le {}",
            report.year,
            report.generated_at.format("%d/%m/%Y à %H:%M")
        ),
    ];
    let top = sheet::heading(sheet, styles, &title(report), &lines)? + 1;
    let columns = [
        column("Réf.", 8.0),
        column("Chiffre", 50.0),
        column("Valeur", 18.0),
    ];
    let rows = totals(report)
        .into_iter()
        .map(|(reference, label, value)| vec![text(reference), text(label), value]);
    sheet::table(sheet, styles, top, &columns, rows)?;
    Ok(())
}

/// A sheet of lines: reference, breakdown, group, then the `values` columns.
fn lines(
    sheet: &mut Worksheet,
    styles: &Styles,
    values: &[&'static str],
    rows: Vec<Line>,
) -> Result<(), XlsxError> {
    let mut columns = vec![
        column("Réf.", 8.0),
        column("Répartition", 30.0),
        column("Groupe", 46.0),
    ];
    columns.extend(values.iter().map(|v| column(v, 18.0)));
    sheet::table(sheet, styles, 0, &columns, rows)?;
    Ok(())
}

fn breakdown<'a>(report: &'a AnnualReport, dimension: &str) -> Option<&'a Breakdown> {
    report
        .indicators
        .insertion
        .breakdowns
        .iter()
        .find(|b| b.dimension == dimension)
}

/// A group's hours, or the words saying they are masked.
fn hours_of(group: &Group) -> Value {
    group
        .hours
        .map_or_else(|| Value::Text(suppressed_text()), Value::Hours)
}

/// The hours of each group of a breakdown, under `reference`.
fn hours_lines(
    report: &AnnualReport,
    reference: &'static str,
    dimension: &str,
    out: &mut Vec<Line>,
) {
    if let Some(b) = breakdown(report, dimension) {
        for g in &b.groups {
            out.push(vec![
                text(reference),
                text(b.label),
                Value::text(&g.label),
                hours_of(g),
            ]);
        }
    }
}

fn hours(report: &AnnualReport) -> Vec<Line> {
    let mut out = Vec::new();
    hours_lines(report, "H3", "modality", &mut out);
    for (label, hundredths) in &report.sectors {
        out.push(vec![
            text("H4"),
            text("Par secteur du marché"),
            Value::text(label),
            Value::Hundredths(*hundredths),
        ]);
    }
    hours_lines(report, "H5", "buyer", &mut out);
    out
}

fn participants(report: &AnnualReport) -> Vec<Line> {
    let mut out = Vec::new();
    for (reference, dimension) in [
        ("P2", "criterion"),
        ("P3", "sex"),
        ("P4", "age_band"),
        ("P5", "qpv"),
    ] {
        if let Some(b) = breakdown(report, dimension) {
            for g in &b.groups {
                out.push(vec![
                    text(reference),
                    text(b.label),
                    Value::text(&g.label),
                    people(g.participants),
                    hours_of(g),
                ]);
            }
        }
    }
    match report.levels {
        Some(levels) => out.extend(levels.into_iter().map(|(label, n)| {
            vec![
                text("P6"),
                text("Par niveau de critère"),
                text(label),
                Value::Count(n),
                Value::Empty,
            ]
        })),
        None => out.push(vec![
            text("P6"),
            text("Par niveau de critère"),
            text("Niveaux 1 et 2"),
            Value::Text(suppressed_text()),
            Value::Empty,
        ]),
    }
    out
}

fn contract_lines(
    reference: &'static str,
    label: &'static str,
    groups: &[ContractGroup],
) -> Vec<Line> {
    groups
        .iter()
        .map(|g| {
            vec![
                text(reference),
                text(label),
                Value::text(&g.label),
                people(g.contracts),
                people(g.people),
            ]
        })
        .collect()
}

fn work_contracts(report: &AnnualReport) -> Vec<Line> {
    let w = &report.indicators.work_contracts;
    let mut out = vec![vec![
        text("C1"),
        text("Ensemble"),
        text("Tous contrats"),
        people(w.contracts),
        people(w.people),
    ]];
    out.extend(contract_lines("C4", "Par type de contrat", &w.by_type));
    out.extend(contract_lines("C5", "Par durée", &w.by_length));
    out.push(vec![
        text("C6"),
        text("Durée moyenne (jours)"),
        text("Contrats terminés"),
        w.mean_days.map_or(Value::Empty, Value::Count),
        Value::Empty,
    ]);
    out
}

fn companies(report: &AnnualReport) -> Vec<Line> {
    let mut out = Vec::new();
    let named = |siret: &str| {
        report
            .companies
            .get(siret)
            .map_or_else(|| siret.to_owned(), |c| format!("{} — {siret}", c.name))
    };
    for (reference, dimension) in [("E3", "company"), ("E4", "insertion_employer")] {
        if let Some(b) = breakdown(report, dimension) {
            for g in b.groups.iter().filter(|g| g.key.is_some()) {
                let key = g.key.as_deref().unwrap_or_default();
                let hours = g.hours.map_or(Value::Empty, Value::Hours);
                out.push(vec![
                    text(reference),
                    text(b.label),
                    Value::Text(named(key)),
                    hours,
                ]);
            }
        }
    }
    if let Some(b) = breakdown(report, "structure_kind") {
        for g in &b.groups {
            let label = g
                .key
                .as_deref()
                .and_then(StructureKind::from_code)
                .map_or_else(|| g.label.clone(), |k| k.label().to_owned());
            let hours = g.hours.map_or(Value::Empty, Value::Hours);
            out.push(vec![text("E5"), text(b.label), Value::Text(label), hours]);
        }
    }
    out
}

/// Exits by outcome (S3), then the situations six months after exit (S4).
fn exits(sheet: &mut Worksheet, styles: &Styles, report: &AnnualReport) -> Result<(), XlsxError> {
    let rows: Vec<Line> = [("S3", "exit_outcome"), ("S4", "six_month_situation")]
        .into_iter()
        .filter_map(|(reference, dimension)| Some((reference, breakdown(report, dimension)?)))
        .flat_map(|(reference, b)| {
            b.groups.iter().map(move |g| {
                vec![
                    text(reference),
                    text(b.label),
                    Value::text(&g.label),
                    people(g.participants),
                ]
            })
        })
        .collect();
    let columns = [
        column("Réf.", 8.0),
        column("Répartition", 30.0),
        column("Groupe", 46.0),
        column("Participants", 18.0),
    ];
    sheet::table(sheet, styles, 0, &columns, rows)?;
    Ok(())
}

/// Every reference with what it counts and how.
fn methods(report: &AnnualReport) -> Vec<(&'static str, String)> {
    let i = &report.indicators.insertion;
    let w = &report.indicators.work_contracts;
    let people_rule = format!(
        "Groupes de moins de {SMALL_GROUP_THRESHOLD} personnes masqués, avec ceux qui s'en déduiraient (le plus petit des autres groupes, et les groupes masqués chez l'un des acheteurs comptés) : le rapport est destiné à circuler."
    );
    vec![
        ("H1", i.hours.method.clone()),
        ("H2", i.fte.method.clone()),
        ("H3", format!("Heures de l'année par modalité de réalisation. {}", i.hours.method)),
        ("H4", SECTOR_METHOD.to_owned()),
        ("H5", "Heures de l'année par acheteur (SIRET), sur les lots de ses marchés.".to_owned()),
        ("P1", i.participants.method.clone()),
        ("P2", format!("Participants distincts ayant des heures dans l'année, par critère d'éligibilité validé. {people_rule}")),
        ("P3", format!("Participants distincts par sexe. {people_rule}")),
        ("P4", format!("Participants distincts par âge dans l'année travaillée (moins de 26 ans, 26 à 49 ans, 50 ans et plus). {people_rule}")),
        ("P5", format!("Participants distincts par résidence en quartier prioritaire (QPV). {people_rule}")),
        ("P6", LEVEL_METHOD.to_owned()),
        ("C1", w.method.to_owned()),
        ("C2", w.method.to_owned()),
        ("C3", format!("Contrats de travail (C1) divisés par les personnes sous contrat (C2), au centième. {}", w.per_person_text)),
        ("C4", format!("Contrats par type (CDI, CDD, CDDI, CTTI, intérim…) et personnes distinctes qui en ont un. {people_rule}")),
        ("C5", format!("Contrats par durée, de la date de début à la date de fin : moins d'un mois, de 1 à 6 mois, 6 mois et plus, sans date de fin connue. {people_rule}")),
        ("C6", "Moyenne, en jours, de la durée des contrats de C1 qui ont une date de fin (début et fin comptés).".to_owned()),
        ("E1", "Établissements distincts (SIRET) ayant déclaré des heures de l'année : titulaires, co-traitants et sous-traitants.".to_owned()),
        ("E2", "Structures d'insertion distinctes (SIRET) par lesquelles des heures de l'année ont été réalisées (mise à disposition, sous-traitance, co-traitance).".to_owned()),
        ("E3", "Heures de l'année par établissement déclarant.".to_owned()),
        ("E4", "Heures de l'année par structure d'insertion.".to_owned()),
        ("E5", "Heures de l'année par type de structure ; « Entreprise » : embauche directe ou formation sans structure d'insertion.".to_owned()),
        ("S1", "Participants de l'année dont une sortie est enregistrée (non montré s'il redonnait un groupe masqué).".to_owned()),
        ("S2", i.exits_to_employment.as_ref().map_or_else(|| "Non montré : il redonnerait un groupe masqué.".to_owned(), |s| s.method.clone())),
        ("S3", format!("Participants de l'année par sortie enregistrée (emploi durable, emploi de transition, sortie positive, autre). {people_rule}")),
        ("S4", format!("Participants de l'année par situation six mois après leur sortie (emploi durable, emploi de transition, sortie positive, autre, sans nouvelles), telle qu'enregistrée par le facilitateur avec sa date et sa source ; ceux qui n'en ont pas (encore présents, sortis depuis moins de six mois ou pas encore suivis) forment le groupe « Pas de situation à six mois enregistrée ». {people_rule}")),
    ]
}

fn method(sheet: &mut Worksheet, styles: &Styles, report: &AnnualReport) -> Result<(), XlsxError> {
    let columns = [
        column("Réf.", 8.0),
        column("Élément", 30.0),
        column("Méthode", 110.0),
    ];
    let mut rows: Vec<Line> = vec![
        vec![
            text(""),
            text("Périmètre"),
            Value::Long(report.indicators.scope.clone()),
        ],
        vec![
            text(""),
            text("Année"),
            Value::Count(i64::from(report.year)),
        ],
    ];
    rows.extend(report.filters.iter().map(|(name, value)| {
        vec![
            text(""),
            Value::Text(format!("Filtre : {name}")),
            Value::text(value),
        ]
    }));
    rows.extend(methods(report).into_iter().map(|(reference, how)| {
        vec![
            text(reference),
            text(reference_sheet(reference)),
            Value::Long(how),
        ]
    }));
    sheet::table(sheet, styles, 0, &columns, rows)?;
    Ok(())
}

/// The sheet a reference's lines are on.
fn reference_sheet(reference: &str) -> &'static str {
    match reference.chars().next() {
        Some('H') => HOURS,
        Some('P') => PARTICIPANTS,
        Some('C') => WORK_CONTRACTS,
        Some('E') => COMPANIES,
        Some('S') => EXITS,
        _ => SYNTHESIS,
    }
}
