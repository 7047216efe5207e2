//! Row problems found by a kind's checks, each naming its column by the profile's header.

use super::problem::{Problems, RowProblem};
use super::profile::Profile;
use super::refusal::Refusal;

/// Collects the problems of one sheet, naming each column by its profile header.
pub struct Reporter<'a> {
    sheet: &'a str,
    profile: &'a Profile,
    problems: &'a mut Problems,
}

impl<'a> Reporter<'a> {
    pub fn new(sheet: &'a str, profile: &'a Profile, problems: &'a mut Problems) -> Self {
        Reporter {
            sheet,
            profile,
            problems,
        }
    }

    pub fn add(&mut self, row: u32, key: &str, value: Option<String>, message: impl Into<String>) {
        self.problems.push(RowProblem::new(
            self.sheet,
            row,
            self.profile.header_of(key).as_deref(),
            value.as_deref(),
            &message.into(),
        ));
    }

    /// Reports the row `row` refused by a check.
    pub fn refuse(&mut self, row: u32, refusal: Refusal) {
        self.add(row, refusal.key, refusal.value, refusal.message);
    }
}
