//! Participants: pseudonymous people and what the indicators need of them, by identifier.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};

use crate::domain::{
    EligibilityCriterion, ExitOutcome, MAX_SITUATION_SOURCE_CHARS, Sex, SixMonthSituation, Update,
};
use crate::import::cells::Value;
use crate::import::problem::Problems;
use crate::import::profile::{Profile, ValueType};
use crate::import::progress::Progress;
use crate::import::refusal::Refusal;
use crate::import::reporter::Reporter;
use crate::import::rows::{ParsedRow, RowView};
use crate::storage::DbConnection;
use crate::storage::participants::{self as repository, ParticipantFields, SixMonthFields};

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
    ("six_month_situation", ValueType::SixMonthSituation),
    ("six_month_on", ValueType::Date),
    ("six_month_source", ValueType::Text),
];

/// Where « effacer » clears what is stored: every fact but the identifier and the criterion.
pub const CLEARABLE: &[&str] = &[
    "validated_on",
    "prescriber",
    "birth_year",
    "sex",
    "qpv",
    "exit_outcome",
    "exit_date",
    "six_month_situation",
    "six_month_on",
    "six_month_source",
];

/// Identifiers are codes, not names: short, without spaces inside.
const MAX_PSEUDONYM_CHARS: usize = 40;

/// The situation six months after exit as a row says it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SixMonth {
    pub situation: Update<SixMonthSituation>,
    pub on: Update<NaiveDate>,
    pub source: Update<String>,
}

/// A participant as a row gives it: the facts it says, each kept, set or cleared.
#[derive(Debug, Clone, PartialEq)]
pub struct Participant {
    pub row: u32,
    pub pseudonym: String,
    pub criterion: EligibilityCriterion,
    pub validated_on: Update<NaiveDate>,
    pub prescriber: Update<String>,
    pub birth_year: Update<i32>,
    pub sex: Update<Sex>,
    pub qpv: Update<bool>,
    pub exit_outcome: Update<ExitOutcome>,
    pub exit_date: Update<NaiveDate>,
    pub six_month: SixMonth,
}

/// A participants row whose required cells hold a value, its cells read once; or a
/// participant's form, every fact set or cleared (`number` 0), checked by the same rules.
#[derive(Debug, Clone, PartialEq)]
pub struct ParticipantRow {
    pub number: u32,
    pub pseudonym: String,
    pub criterion: EligibilityCriterion,
    pub validated_on: Update<NaiveDate>,
    pub prescriber: Update<String>,
    pub birth_year: Update<i64>,
    pub sex: Update<Sex>,
    pub qpv: Update<bool>,
    pub exit_outcome: Update<ExitOutcome>,
    pub exit_date: Update<NaiveDate>,
    pub six_month: SixMonth,
}

impl ParticipantRow {
    fn read(profile: &Profile, row: &ParsedRow) -> Option<ParticipantRow> {
        let view = RowView { profile, row };
        let Some(Value::Criterion(criterion)) = view.get("criterion") else {
            return None;
        };
        Some(ParticipantRow {
            number: row.number,
            pseudonym: view.text("pseudonym")?,
            criterion: *criterion,
            validated_on: view.update("validated_on", date),
            prescriber: view.update("prescriber", |value| match value {
                Value::Text(t) => Some(t.trim().to_owned()).filter(|t| !t.is_empty()),
                _ => None,
            }),
            birth_year: view.update("birth_year", |value| match value {
                Value::Integer(i) => Some(*i),
                _ => None,
            }),
            sex: view.update("sex", |value| match value {
                Value::Sex(s) => Some(*s),
                _ => None,
            }),
            qpv: view.update("qpv", |value| match value {
                Value::Boolean(b) => Some(*b),
                _ => None,
            }),
            exit_outcome: view.update("exit_outcome", |value| match value {
                Value::ExitOutcome(o) => Some(*o),
                _ => None,
            }),
            exit_date: view.update("exit_date", date),
            six_month: SixMonth {
                situation: view.update("six_month_situation", |value| match value {
                    Value::SixMonthSituation(s) => Some(*s),
                    _ => None,
                }),
                on: view.update("six_month_on", date),
                source: view.update("six_month_source", |value| match value {
                    Value::Text(t) => Some(t.trim().to_owned()).filter(|t| !t.is_empty()),
                    _ => None,
                }),
            },
        })
    }
}

fn date(value: &Value) -> Option<NaiveDate> {
    match value {
        Value::Date(d) => Some(*d),
        _ => None,
    }
}

/// suivi-clauses keeps no participant's name: an identifier is a short code without spaces.
fn pseudonym_is_a_code(row: &ParticipantRow) -> Result<(), Refusal> {
    let pseudonym = &row.pseudonym;
    if pseudonym.chars().count() <= MAX_PSEUDONYM_CHARS && !pseudonym.contains(char::is_whitespace)
    {
        return Ok(());
    }
    Err(Refusal::new(
        "pseudonym",
        Some(pseudonym.clone()),
        "L'identifiant doit être un code sans espace (40 caractères au plus), jamais un nom : suivi-clauses ne conserve aucun nom de participant.",
    ))
}

/// One row per participant: `first` is the row that already gave the identifier.
fn pseudonym_not_repeated(row: &ParticipantRow, first: Option<u32>) -> Result<(), Refusal> {
    let Some(first) = first else { return Ok(()) };
    Err(Refusal::new(
        "pseudonym",
        Some(row.pseudonym.clone()),
        format!(
            "Cet identifiant figure déjà ligne {first} : gardez une seule ligne par participant."
        ),
    ))
}

/// A four-digit year, of someone at least 14 years old `today`.
fn birth_year_of_someone_14_or_more(row: &ParticipantRow, today: NaiveDate) -> Result<(), Refusal> {
    match row.birth_year.given().copied() {
        Some(year) if !(1900..=i64::from(today.year()) - 14).contains(&year) => Err(Refusal::new(
            "birth_year",
            Some(year.to_string()),
            "L'année de naissance doit être une année à quatre chiffres, d'une personne d'au moins 14 ans.",
        )),
        _ => Ok(()),
    }
}

/// An exit is given, cleared or left with both its date and its outcome.
fn exit_has_date_and_outcome(row: &ParticipantRow) -> Result<(), Refusal> {
    if row.exit_date.said_alike(&row.exit_outcome) {
        return Ok(());
    }
    Err(Refusal::new(
        "exit_outcome",
        None,
        "Une sortie s'indique avec sa date et son type : donnez les deux, effacez les deux, ou laissez les deux vides.",
    ))
}

fn exit_after_validation(row: &ParticipantRow) -> Result<(), Refusal> {
    match (row.validated_on.given(), row.exit_date.given()) {
        (Some(from), Some(to)) if to < from => Err(Refusal::new(
            "exit_date",
            Some(to.format("%d/%m/%Y").to_string()),
            "La date de sortie précède la date de validation : corrigez l'une des deux.",
        )),
        _ => Ok(()),
    }
}

/// A six-month situation is given, cleared or left with its date; given, it comes with the exit
/// it follows, on or after that exit, and its source in a few words.
fn six_month_follows_the_exit(row: &ParticipantRow) -> Result<(), Refusal> {
    let six = &row.six_month;
    if !six.on.said_alike(&six.situation) {
        return Err(Refusal::new(
            "six_month_situation",
            None,
            "Une situation à 6 mois s'indique avec sa date : donnez les deux, effacez les deux, ou laissez les deux vides.",
        ));
    }
    let Some(on) = six.on.given() else {
        return Ok(());
    };
    let Some(exit) = row.exit_date.given() else {
        return Err(Refusal::new(
            "six_month_situation",
            None,
            "Une situation à 6 mois suit une sortie : donnez aussi la date et le type de sortie.",
        ));
    };
    if on < exit {
        return Err(Refusal::new(
            "six_month_on",
            Some(on.format("%d/%m/%Y").to_string()),
            "La date de la situation à 6 mois précède la date de sortie : corrigez l'une des deux.",
        ));
    }
    match six.source.given() {
        Some(source) if source.chars().count() > MAX_SITUATION_SOURCE_CHARS => Err(Refusal::new(
            "six_month_source",
            None,
            "La source tient en quelques mots (120 caractères au plus) : qui a renseigné la situation (le participant, l'employeur, France Travail…), jamais un nom de personne.",
        )),
        _ => Ok(()),
    }
}

/// No date ahead of `today`: the first one that is is blamed.
fn dates_not_in_future(row: &ParticipantRow, today: NaiveDate) -> Result<(), Refusal> {
    let dates = [
        ("validated_on", row.validated_on.given()),
        ("exit_date", row.exit_date.given()),
        ("six_month_on", row.six_month.on.given()),
    ];
    let Some((key, date)) = dates
        .into_iter()
        .find_map(|(key, date)| date.filter(|d| **d > today).map(|d| (key, d)))
    else {
        return Ok(());
    };
    Err(Refusal::new(
        key,
        Some(date.format("%d/%m/%Y").to_string()),
        "Les dates de validation, de sortie et de situation à 6 mois ne peuvent pas être dans le futur.",
    ))
}

/// The row's checks in turn; `first` is the row that already gave its identifier, if any.
pub fn check(row: &ParticipantRow, first: Option<u32>, today: NaiveDate) -> Result<(), Refusal> {
    pseudonym_is_a_code(row)?;
    pseudonym_not_repeated(row, first)?;
    birth_year_of_someone_14_or_more(row, today)?;
    exit_has_date_and_outcome(row)?;
    exit_after_validation(row)?;
    six_month_follows_the_exit(row)?;
    dates_not_in_future(row, today)
}

pub fn validate(
    profile: &Profile,
    sheet: &str,
    rows: impl IntoIterator<Item = ParsedRow>,
    today: NaiveDate,
    problems: &mut Problems,
) -> Vec<Participant> {
    let mut report = Reporter::new(sheet, profile, problems);
    let mut first_row_of: HashMap<String, u32> = HashMap::new();
    let mut participants = Vec::new();
    for row in rows {
        let Some(row) = ParticipantRow::read(profile, &row) else {
            continue; // its empty required cells are already reported
        };
        if let Err(refusal) = check(&row, first_row_of.get(&row.pseudonym).copied(), today) {
            report.refuse(row.number, refusal);
            continue;
        }
        first_row_of.insert(row.pseudonym.clone(), row.number);
        participants.push(Participant::from(row));
    }
    participants
}

/// A row that passed `check`.
impl From<ParticipantRow> for Participant {
    fn from(row: ParticipantRow) -> Participant {
        Participant {
            row: row.number,
            pseudonym: row.pseudonym,
            criterion: row.criterion,
            validated_on: row.validated_on,
            prescriber: row.prescriber,
            // Within i32: the check kept years from 1900 to this year.
            birth_year: row.birth_year.map(|y| y as i32),
            sex: row.sex,
            qpv: row.qpv,
            exit_outcome: row.exit_outcome,
            exit_date: row.exit_date,
            six_month: row.six_month,
        }
    }
}

impl Participant {
    /// What the participant's record is written with.
    pub fn fields(&self) -> ParticipantFields<'_> {
        ParticipantFields {
            pseudonym: &self.pseudonym,
            criterion: self.criterion,
            validated_on: self.validated_on,
            prescriber: self.prescriber.as_ref().map(String::as_str),
            birth_year: self.birth_year,
            sex: self.sex,
            qpv: self.qpv,
            exit_outcome: self.exit_outcome,
            exit_date: self.exit_date,
            six_month: SixMonthFields {
                situation: self.six_month.situation,
                on: self.six_month.on,
                source: self.six_month.source.as_ref().map(String::as_str),
            },
        }
    }
}

pub fn write(
    conn: &mut DbConnection,
    participants: &[Participant],
    progress: &mut dyn Progress,
) -> diesel::QueryResult<usize> {
    for p in participants {
        repository::upsert(conn, &p.fields())?;
        progress.row_written();
    }
    Ok(participants.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Labelled;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn row() -> ParticipantRow {
        ParticipantRow {
            number: 5,
            pseudonym: "P-001".to_owned(),
            criterion: EligibilityCriterion::ALL[0],
            validated_on: Update::Set(date(2025, 1, 6)),
            prescriber: Update::Keep,
            birth_year: Update::Set(1990),
            sex: Update::Keep,
            qpv: Update::Keep,
            exit_outcome: Update::Keep,
            exit_date: Update::Keep,
            six_month: SixMonth::default(),
        }
    }

    const TODAY: fn() -> NaiveDate = || NaiveDate::from_ymd_opt(2025, 6, 30).unwrap();

    #[test]
    fn an_identifier_is_a_short_code_given_once() {
        assert!(check(&row(), None, TODAY()).is_ok());
        for name in ["Jean Dupont", &"P".repeat(41)] {
            let mut named = row();
            named.pseudonym = name.to_owned();
            assert_eq!(pseudonym_is_a_code(&named).unwrap_err().key, "pseudonym");
        }
        let mut longest = row();
        longest.pseudonym = "P".repeat(40);
        assert!(pseudonym_is_a_code(&longest).is_ok());
        let repeated = check(&row(), Some(2), TODAY()).unwrap_err();
        assert!(
            repeated
                .message
                .starts_with("Cet identifiant figure déjà ligne 2")
        );
    }

    #[test]
    fn a_birth_year_is_of_someone_14_or_more() {
        let mut row = row();
        for (year, fits) in [
            (1900, true),
            (2011, true),
            (1899, false),
            (2012, false),
            (90, false),
        ] {
            row.birth_year = Update::Set(year);
            assert_eq!(
                birth_year_of_someone_14_or_more(&row, TODAY()).is_ok(),
                fits,
                "{year}"
            );
        }
    }

    #[test]
    fn an_exit_has_its_date_and_outcome_after_validation_and_no_date_is_ahead() {
        let mut row = row();
        row.exit_date = Update::Set(date(2025, 5, 2));
        assert_eq!(
            exit_has_date_and_outcome(&row).unwrap_err().key,
            "exit_outcome"
        );
        row.exit_outcome = Update::Clear;
        assert!(exit_has_date_and_outcome(&row).is_err());
        row.exit_date = Update::Clear;
        assert!(exit_has_date_and_outcome(&row).is_ok());
        row.exit_date = Update::Set(date(2025, 5, 2));
        row.exit_outcome = Update::Set(ExitOutcome::ALL[0]);
        assert!(check(&row, None, TODAY()).is_ok());
        row.exit_date = Update::Set(date(2025, 1, 5));
        let refusal = exit_after_validation(&row).unwrap_err();
        assert_eq!(refusal.value.as_deref(), Some("05/01/2025"));
        row.exit_date = Update::Set(date(2025, 7, 1));
        assert!(exit_after_validation(&row).is_ok());
        assert_eq!(
            dates_not_in_future(&row, TODAY()).unwrap_err().key,
            "exit_date"
        );
        row.exit_date = Update::Set(TODAY());
        assert!(dates_not_in_future(&row, TODAY()).is_ok());
    }

    #[test]
    fn a_six_month_situation_follows_its_exit_with_its_date() {
        let mut row = row();
        row.six_month.situation = Update::Set(SixMonthSituation::NoNews);
        assert_eq!(
            six_month_follows_the_exit(&row).unwrap_err().key,
            "six_month_situation"
        );
        row.six_month.on = Update::Set(date(2025, 6, 2));
        let refusal = six_month_follows_the_exit(&row).unwrap_err();
        assert!(
            refusal.message.contains("suit une sortie"),
            "{}",
            refusal.message
        );
        row.exit_outcome = Update::Set(ExitOutcome::PositiveExit);
        row.exit_date = Update::Set(date(2025, 6, 3));
        assert_eq!(
            six_month_follows_the_exit(&row).unwrap_err().key,
            "six_month_on"
        );
        row.exit_date = Update::Set(date(2024, 12, 2));
        row.validated_on = Update::Set(date(2024, 1, 2));
        assert!(check(&row, None, TODAY()).is_ok());
        row.six_month.source = Update::Set("x".repeat(MAX_SITUATION_SOURCE_CHARS + 1));
        assert_eq!(
            six_month_follows_the_exit(&row).unwrap_err().key,
            "six_month_source"
        );
        row.six_month = SixMonth {
            on: Update::Set(date(2025, 7, 1)),
            ..row.six_month.clone()
        };
        row.six_month.source = Update::Keep;
        assert_eq!(
            dates_not_in_future(&row, TODAY()).unwrap_err().key,
            "six_month_on"
        );
    }
}
