//! A participant as typed in its form: every fact a text, set when filled and cleared when left
//! blank, then checked by the participants import's own rules (an identifier that is a code,
//! never a name; a birth year of someone 14 or more; an exit with its date and type, after the
//! validation; a six-month situation after its exit; no date ahead), a faulty one named by its
//! field. No name or contact detail of the person has a field.

use chrono::NaiveDate;

use super::contract_drafts::date;
use super::{AppError, ErrorCode};
use crate::domain::{EligibilityCriterion, ExitOutcome, Labelled, Sex, SixMonthSituation, Update};
use crate::import::kinds::participants::{self, Participant, ParticipantRow, SixMonth};
use crate::storage::participants::ParticipantView;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParticipantDraft {
    pub pseudonym: String,
    /// A criterion's code or label.
    pub criterion: String,
    pub validated_on: String,
    /// The validating prescriber (an organisation, never a person's name).
    pub prescriber: String,
    pub birth_year: String,
    /// A sex's code or label; blank when not said.
    pub sex: String,
    /// `true`, `false`, or blank when not said.
    pub qpv: String,
    pub exit_outcome: String,
    pub exit_date: String,
    pub six_month_situation: String,
    pub six_month_on: String,
    pub six_month_source: String,
}

fn invalid(field: &'static str, message: impl std::fmt::Display) -> AppError {
    AppError::with(ErrorCode::InvalidParticipant, message).at(field)
}

/// A fact typed in `field`: cleared when left blank, else read by `parse`.
fn fact<T, E: std::fmt::Display>(
    text: &str,
    parse: impl FnOnce(&str) -> Result<T, E>,
    field: &'static str,
    label: &str,
) -> Result<Update<T>, AppError> {
    match text.trim() {
        "" => Ok(Update::Clear),
        typed => parse(typed)
            .map(Update::Set)
            .map_err(|e| invalid(field, format!("{label} : {e}"))),
    }
}

fn text(t: &str) -> Result<String, std::convert::Infallible> {
    Ok(t.to_owned())
}

fn year(t: &str) -> Result<i64, String> {
    t.parse().map_err(|_| {
        format!("« {t} » n'est pas une année : écrivez-la sur quatre chiffres, par exemple 1987.")
    })
}

fn yes_or_no(t: &str) -> Result<bool, &'static str> {
    match t {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err("choisissez Oui, Non ou Non renseigné."),
    }
}

impl ParticipantDraft {
    /// The form's facts, typed and checked as a row of the participants file would be.
    pub fn parse(&self, today: NaiveDate) -> Result<Participant, AppError> {
        let criterion = match self.criterion.trim() {
            "" => Err(invalid("criterion", "Critère d'éligibilité : à choisir.")),
            typed => EligibilityCriterion::parse_label(typed)
                .map_err(|e| invalid("criterion", format!("Critère d'éligibilité : {e}"))),
        }?;
        let pseudonym = self.pseudonym.trim();
        if pseudonym.is_empty() {
            return Err(invalid(
                "pseudonym",
                "Identifiant : à remplir (un code, jamais un nom).",
            ));
        }
        let row = ParticipantRow {
            number: 0,
            pseudonym: pseudonym.to_owned(),
            criterion,
            validated_on: fact(
                &self.validated_on,
                date,
                "validated_on",
                "Date de validation",
            )?,
            prescriber: fact(&self.prescriber, text, "prescriber", "Prescripteur")?,
            birth_year: fact(&self.birth_year, year, "birth_year", "Année de naissance")?,
            sex: fact(&self.sex, Sex::parse_label, "sex", "Sexe")?,
            qpv: fact(&self.qpv, yes_or_no, "qpv", "Résidence en QPV")?,
            exit_outcome: fact(
                &self.exit_outcome,
                ExitOutcome::parse_label,
                "exit_outcome",
                "Type de sortie",
            )?,
            exit_date: fact(&self.exit_date, date, "exit_date", "Date de sortie")?,
            six_month: SixMonth {
                situation: fact(
                    &self.six_month_situation,
                    SixMonthSituation::parse_label,
                    "six_month_situation",
                    "Situation à 6 mois",
                )?,
                on: fact(
                    &self.six_month_on,
                    date,
                    "six_month_on",
                    "Date de la situation",
                )?,
                source: fact(&self.six_month_source, text, "six_month_source", "Source")?,
            },
        };
        participants::check(&row, None, today).map_err(|r| invalid(r.key, r.message))?;
        Ok(Participant::from(row))
    }

    /// The stored participant in its form.
    pub fn of_stored(p: &ParticipantView) -> ParticipantDraft {
        let day = |d: Option<NaiveDate>| d.map(|d| d.format("%d/%m/%Y").to_string());
        ParticipantDraft {
            pseudonym: p.pseudonym.clone(),
            criterion: p.criterion.clone(),
            validated_on: day(p.validated_on).unwrap_or_default(),
            prescriber: p.prescriber.clone().unwrap_or_default(),
            birth_year: p.birth_year.map(|y| y.to_string()).unwrap_or_default(),
            sex: p.sex.clone().unwrap_or_default(),
            qpv: p.qpv_resident.map(|q| q.to_string()).unwrap_or_default(),
            exit_outcome: p.exit_outcome.clone().unwrap_or_default(),
            exit_date: day(p.exit_date).unwrap_or_default(),
            six_month_situation: p.six_month_situation.clone().unwrap_or_default(),
            six_month_on: day(p.six_month_on).unwrap_or_default(),
            six_month_source: p.six_month_source.clone().unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 6, 30).unwrap()
    }

    fn draft() -> ParticipantDraft {
        ParticipantDraft {
            pseudonym: "P-100".to_owned(),
            criterion: "RSA".to_owned(),
            validated_on: "06/01/2025".to_owned(),
            birth_year: "1990".to_owned(),
            qpv: "true".to_owned(),
            ..ParticipantDraft::default()
        }
    }

    #[test]
    fn every_fact_is_set_or_cleared_and_checked_by_the_imports_rules() {
        let p = draft().parse(today()).unwrap();
        assert_eq!(p.qpv, Update::Set(true));
        assert_eq!(p.sex, Update::Clear);
        let field = |d: ParticipantDraft| d.parse(today()).unwrap_err().field.unwrap();
        for (draft, at) in [
            (
                ParticipantDraft {
                    pseudonym: "Jean Dupont".into(),
                    ..draft()
                },
                "pseudonym",
            ),
            (
                ParticipantDraft {
                    criterion: String::new(),
                    ..draft()
                },
                "criterion",
            ),
            (
                ParticipantDraft {
                    birth_year: "90".into(),
                    ..draft()
                },
                "birth_year",
            ),
            (
                ParticipantDraft {
                    birth_year: "mil".into(),
                    ..draft()
                },
                "birth_year",
            ),
            (
                ParticipantDraft {
                    exit_date: "02/05/2025".into(),
                    ..draft()
                },
                "exit_outcome",
            ),
            (
                ParticipantDraft {
                    validated_on: "31/02/2025".into(),
                    ..draft()
                },
                "validated_on",
            ),
            (
                ParticipantDraft {
                    qpv: "peut-être".into(),
                    ..draft()
                },
                "qpv",
            ),
        ] {
            assert_eq!(field(draft), at);
        }
    }
}
