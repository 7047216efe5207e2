//! A contract's or a company's statement, month by month, as the API answers it.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::clauses::ClauseJson;
use crate::domain::{Hours, Month};
use crate::indicators::statement::{LotStatement, MonthLine, Statement};

#[derive(Debug, Serialize, ToSchema)]
pub struct StatementJson {
    /// "Marché 2024-017 : Réhabilitation…" or "Entreprise BATI SUD (SIRET …)".
    pub subject: String,
    /// The date the clauses are assessed at; hours of the months up to it.
    pub at: NaiveDate,
    pub lots: Vec<LotStatementJson>,
    pub method: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LotStatementJson {
    pub clause: ClauseJson,
    /// From the notification month to the month of the date (or the end, if sooner).
    pub months: Vec<MonthLineJson>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MonthLineJson {
    pub month: Month,
    /// Declared in the month, every modality, in hundredths of an hour.
    pub hours_hundredths: i64,
    /// Of which training, in hundredths of an hour.
    pub training_hours_hundredths: i64,
    /// Declared from the start up to this month included, in hundredths of an hour.
    pub cumulative_hours_hundredths: i64,
    /// What an even pace over the contract's duration would have reached at the month's end,
    /// in hundredths of an hour; unknown without an end date.
    pub expected_hours_hundredths: Option<i64>,
}

impl From<&Statement> for StatementJson {
    fn from(s: &Statement) -> StatementJson {
        StatementJson {
            subject: s.subject.clone(),
            at: s.at,
            lots: s.lots.iter().map(LotStatementJson::from).collect(),
            method: s.method.clone(),
        }
    }
}

impl From<&LotStatement> for LotStatementJson {
    fn from(l: &LotStatement) -> LotStatementJson {
        LotStatementJson {
            clause: ClauseJson::from(&l.clause),
            months: l.months.iter().map(MonthLineJson::from).collect(),
        }
    }
}

impl From<&MonthLine> for MonthLineJson {
    fn from(m: &MonthLine) -> MonthLineJson {
        MonthLineJson {
            month: m.month,
            hours_hundredths: m.hours.hundredths(),
            training_hours_hundredths: m.training.hundredths(),
            cumulative_hours_hundredths: m.cumulative.hundredths(),
            expected_hours_hundredths: m.expected.map(Hours::hundredths),
        }
    }
}
