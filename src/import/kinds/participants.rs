//! Participants: pseudonymous people and what the indicators need of them, by identifier.

use super::super::progress::Progress;
use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};

use super::super::cells::Value;
use super::super::problem::RowProblem;
use super::super::profile::{Profile, ValueType};
use super::super::reporter::Reporter;
use super::super::rows::{ParsedRow, RowView};
use crate::domain::{EligibilityCriterion, ExitOutcome, Sex};
use crate::storage::DbConnection;
use crate::storage::participants::{self as repository, ParticipantFields};

pub const COLUMNS: &[(&str, ValueType)] = &[
    ("pseudonym", ValueType::Text),
    ("criterion", ValueType::Criterion),
    ("validated_on", ValueType::Date),
    ("prescriber", ValueType::Text),
    ("birth_year", ValueType::Integer),
    ("sex", ValueType::Sex),
    ("qpv", ValueType::Boolean),
    ("exit_outcome", ValueType::ExitOutcome),
    ("exit_date", ValueType::Date),
];

/// Identifiers are codes, not names: short, without spaces inside.
const MAX_PSEUDONYM_CHARS: usize = 40;

#[derive(Debug, Clone, PartialEq)]
pub struct Participant {
    pub pseudonym: String,
    pub criterion: EligibilityCriterion,
    pub validated_on: Option<NaiveDate>,
    pub prescriber: Option<String>,
    pub birth_year: Option<i32>,
    pub sex: Option<Sex>,
    pub qpv: Option<bool>,
    pub exit_outcome: Option<ExitOutcome>,
    pub exit_date: Option<NaiveDate>,
}

pub fn validate(
    profile: &Profile,
    sheet: &str,
    rows: impl IntoIterator<Item = ParsedRow>,
    today: NaiveDate,
    problems: &mut Vec<RowProblem>,
) -> Vec<Participant> {
    let mut report = Reporter::new(sheet, profile, problems);
    let mut first_row_of: HashMap<String, u32> = HashMap::new();
    let mut participants = Vec::new();
    for row in rows {
        let view = RowView { profile, row: &row };
        let n = row.number;
        let (Some(pseudonym), Some(Value::Criterion(criterion))) =
            (view.text("pseudonym"), view.get("criterion"))
        else {
            continue;
        };
        if pseudonym.chars().count() > MAX_PSEUDONYM_CHARS
            || pseudonym.contains(char::is_whitespace)
        {
            report.add(
                n,
                "pseudonym",
                Some(pseudonym),
                "L'identifiant doit être un code sans espace (40 caractères au plus), jamais un nom : suivi-clauses ne conserve aucun nom de participant.",
            );
            continue;
        }
        if let Some(first) = first_row_of.get(&pseudonym) {
            let message = format!(
                "Cet identifiant figure déjà ligne {first} : gardez une seule ligne par participant."
            );
            report.add(n, "pseudonym", Some(pseudonym), &message);
            continue;
        }
        let birth_year = view.integer("birth_year");
        if let Some(year) = birth_year
            && !(1900..=i64::from(today.year()) - 14).contains(&year)
        {
            report.add(
                n,
                "birth_year",
                Some(year.to_string()),
                "L'année de naissance doit être une année à quatre chiffres, d'une personne d'au moins 14 ans.",
            );
            continue;
        }
        let validated_on = view.date("validated_on");
        let exit_date = view.date("exit_date");
        let exit_outcome = match view.get("exit_outcome") {
            Some(Value::ExitOutcome(o)) => Some(*o),
            _ => None,
        };
        if exit_date.is_some() != exit_outcome.is_some() {
            report.add(
                n,
                "exit_outcome",
                None,
                "Une sortie s'indique avec sa date et son type : remplissez les deux colonnes, ou aucune.",
            );
            continue;
        }
        if let (Some(from), Some(to)) = (validated_on, exit_date)
            && to < from
        {
            report.add(
                n,
                "exit_date",
                Some(to.format("%d/%m/%Y").to_string()),
                "La date de sortie précède la date de validation : corrigez l'une des deux.",
            );
            continue;
        }
        if [validated_on, exit_date]
            .iter()
            .flatten()
            .any(|d| *d > today)
        {
            report.add(
                n,
                "validated_on",
                None,
                "Les dates de validation et de sortie ne peuvent pas être dans le futur.",
            );
            continue;
        }
        first_row_of.insert(pseudonym.clone(), n);
        participants.push(Participant {
            pseudonym,
            criterion: *criterion,
            validated_on,
            prescriber: view.text("prescriber"),
            birth_year: birth_year.map(|y| y as i32),
            sex: match view.get("sex") {
                Some(Value::Sex(s)) => Some(*s),
                _ => None,
            },
            qpv: view.boolean("qpv"),
            exit_outcome,
            exit_date,
        });
    }
    participants
}

pub fn write(
    conn: &mut DbConnection,
    participants: &[Participant],
    progress: &mut dyn Progress,
) -> diesel::QueryResult<usize> {
    for p in participants {
        repository::upsert(
            conn,
            &ParticipantFields {
                pseudonym: &p.pseudonym,
                criterion: p.criterion,
                validated_on: p.validated_on,
                prescriber: p.prescriber.as_deref(),
                birth_year: p.birth_year,
                sex: p.sex,
                qpv: p.qpv,
                exit_outcome: p.exit_outcome,
                exit_date: p.exit_date,
            },
        )?;
        progress.row_written();
    }
    Ok(participants.len())
}
