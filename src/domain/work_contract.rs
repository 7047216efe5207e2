//! Work contracts: the employment contracts a participant holds (one person often holds
//! several), sent as a register or derived from the hour statements.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::hours::Hours;
use super::labels::labelled_enum;
use super::lot::parse_lot_number;
use super::month::Month;

/// The most hours a week the Code du travail allows (art. L3121-20).
pub const MAX_WEEKLY_HOURS: i64 = 48;

/// When a contract runs: from its first day to its last, open while no end is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WorkContractPeriod {
    start: NaiveDate,
    end: Option<NaiveDate>,
}

impl WorkContractPeriod {
    pub fn new(start: NaiveDate, end: Option<NaiveDate>) -> Result<Self, String> {
        match end {
            Some(end) if end < start => Err(format!(
                "La date de fin ({}) précède la date de début ({}) : corrigez l'une ou l'autre.",
                end.format("%d/%m/%Y"),
                start.format("%d/%m/%Y")
            )),
            _ => Ok(WorkContractPeriod { start, end }),
        }
    }

    pub fn start(self) -> NaiveDate {
        self.start
    }

    pub fn end(self) -> Option<NaiveDate> {
        self.end
    }

    /// Whether the contract runs on at least one day from `from` to `to`.
    pub fn overlaps(self, from: NaiveDate, to: NaiveDate) -> bool {
        self.start <= to && self.end.is_none_or(|end| end >= from)
    }

    /// Days from the first to the last, both counted; none while open.
    pub fn days(self) -> Option<i64> {
        self.end.map(|end| (end - self.start).num_days() + 1)
    }

    /// Its length as the insertion sector counts it: six months and more is a lasting job.
    pub fn length(self) -> ContractLength {
        let Some(end) = self.end else {
            return ContractLength::Open;
        };
        if end < add_months(self.start, 1) - chrono::Days::new(1) {
            ContractLength::UnderOneMonth
        } else if end < add_months(self.start, 6) - chrono::Days::new(1) {
            ContractLength::OneToSixMonths
        } else {
            ContractLength::SixMonthsAndMore
        }
    }
}

/// `date` plus `months` calendar months, the day kept where the month has it (31 January plus
/// one month is the last day of February).
fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_add_months(chrono::Months::new(months))
        .unwrap_or(NaiveDate::MAX)
}

labelled_enum! {
    /// How long a work contract runs, in the bands of the funders' yearly report.
    pub enum ContractLength ("une durée de contrat reconnue") {
        UnderOneMonth = "under_1_month", "Moins d'un mois";
        OneToSixMonths = "1_to_6_months", "De 1 à 6 mois";
        SixMonthsAndMore = "6_months_and_more", "6 mois et plus";
        Open = "open", "Sans date de fin connue";
    }
}

/// Weekly hours a person can work: more than nothing, at most the legal maximum.
pub fn check_weekly_hours(hours: Hours) -> Result<(), String> {
    if hours == Hours::ZERO || hours.hundredths() > MAX_WEEKLY_HOURS * 100 {
        return Err(format!(
            "Durée hebdomadaire de {hours} impossible : indiquez une durée entre 0 et {MAX_WEEKLY_HOURS} heures par semaine."
        ));
    }
    Ok(())
}

/// The lots a contract served, as a cell writes them: "2", "1, 3", "Lot 1 ; Lot 2", "1 et 2".
/// Empty: the contract has no lots (number 0).
pub fn parse_lot_numbers(input: &str) -> Result<Vec<i64>, String> {
    let parts: Vec<&str> = input
        .split([',', ';', '/', '+', '&'])
        .flat_map(|p| p.split(" et "))
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.is_empty() {
        return Ok(vec![0]);
    }
    let mut numbers = BTreeSet::new();
    for part in parts {
        numbers.insert(parse_lot_number(part).map_err(|e| e.to_string())?);
    }
    Ok(numbers.into_iter().collect())
}

/// A contract derived from hour statements: one per key (participant, employer, contract type)
/// and run of consecutive months with hours, with the lots worked on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Derived<K, L> {
    pub key: K,
    pub first: Month,
    pub last: Month,
    pub lots: BTreeSet<L>,
}

impl<K, L> Derived<K, L> {
    /// From the first day of its first month to the last day of its last.
    pub fn period(&self) -> WorkContractPeriod {
        let end = self
            .last
            .next()
            .map(|m| m.first_day() - chrono::Days::new(1))
            .unwrap_or_else(|| {
                NaiveDate::from_ymd_opt(self.last.year(), 12, 31).expect("31 December exists")
            });
        WorkContractPeriod {
            start: self.first.first_day(),
            end: Some(end),
        }
    }
}

/// The contracts hour statements stand for: months with hours under one key form one contract
/// while they follow each other; a month without hours ends it.
pub fn derive<K: Ord + Copy, L: Ord + Copy>(mut months: Vec<(K, Month, L)>) -> Vec<Derived<K, L>> {
    months.sort_unstable();
    let mut contracts: Vec<Derived<K, L>> = Vec::new();
    for (key, month, lot) in months {
        match contracts.last_mut() {
            Some(c) if c.key == key && (c.last == month || c.last.next() == Some(month)) => {
                c.last = month;
                c.lots.insert(lot);
            }
            _ => contracts.push(Derived {
                key,
                first: month,
                last: month,
                lots: BTreeSet::from([lot]),
            }),
        }
    }
    contracts
}

/// Contracts per person, in hundredths (150 is 1,50 contract per person); none without people.
pub fn per_person_hundredths(contracts: i64, people: i64) -> Option<i64> {
    (people > 0).then(|| (contracts * 100 + people / 2) / people)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::labels::assert_consistent;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn month(y: i32, m: u32) -> Month {
        Month::new(y, m).unwrap()
    }

    #[test]
    fn labels_are_consistent() {
        assert_consistent::<ContractLength>();
    }

    #[test]
    fn an_end_before_the_start_is_refused() {
        let refused = WorkContractPeriod::new(day(2025, 3, 10), Some(day(2025, 3, 9))).unwrap_err();
        assert!(refused.contains("précède"), "{refused}");
        assert!(WorkContractPeriod::new(day(2025, 3, 10), Some(day(2025, 3, 10))).is_ok());
    }

    #[test]
    fn lengths_follow_calendar_months() {
        let length = |end| {
            WorkContractPeriod::new(day(2025, 1, 15), end)
                .unwrap()
                .length()
        };
        assert_eq!(
            length(Some(day(2025, 2, 13))),
            ContractLength::UnderOneMonth
        );
        assert_eq!(
            length(Some(day(2025, 2, 14))),
            ContractLength::OneToSixMonths
        );
        assert_eq!(
            length(Some(day(2025, 7, 13))),
            ContractLength::OneToSixMonths
        );
        assert_eq!(
            length(Some(day(2025, 7, 14))),
            ContractLength::SixMonthsAndMore
        );
        assert_eq!(length(None), ContractLength::Open);
    }

    #[test]
    fn overlaps_counts_both_ends() {
        let p = WorkContractPeriod::new(day(2025, 3, 1), Some(day(2025, 3, 31))).unwrap();
        assert!(p.overlaps(day(2025, 3, 31), day(2025, 12, 31)));
        assert!(!p.overlaps(day(2025, 4, 1), day(2025, 12, 31)));
        let open = WorkContractPeriod::new(day(2024, 3, 1), None).unwrap();
        assert!(open.overlaps(day(2026, 1, 1), day(2026, 12, 31)));
    }

    #[test]
    fn weekly_hours_stay_within_the_legal_maximum() {
        assert!(check_weekly_hours(Hours::from_whole(35).unwrap()).is_ok());
        assert!(check_weekly_hours(Hours::from_whole(48).unwrap()).is_ok());
        assert!(check_weekly_hours(Hours::from_whole(49).unwrap()).is_err());
        assert!(check_weekly_hours(Hours::ZERO).is_err());
    }

    #[test]
    fn lot_lists_are_read_as_people_write_them() {
        assert_eq!(parse_lot_numbers("").unwrap(), [0]);
        assert_eq!(parse_lot_numbers("2").unwrap(), [2]);
        assert_eq!(parse_lot_numbers("Lot 3 ; lot 1").unwrap(), [1, 3]);
        assert_eq!(parse_lot_numbers("1, 2 et 4").unwrap(), [1, 2, 4]);
        assert!(
            parse_lot_numbers("1, deux")
                .unwrap_err()
                .contains("« deux »")
        );
    }

    #[test]
    fn consecutive_months_make_one_contract_and_a_gap_starts_another() {
        let months = vec![
            ("P1", month(2025, 3), 10),
            ("P1", month(2025, 4), 11),
            ("P1", month(2025, 4), 10),
            ("P1", month(2025, 6), 10),
            ("P2", month(2025, 12), 10),
            ("P2", month(2026, 1), 10),
        ];
        let derived = derive(months);
        assert_eq!(derived.len(), 3);
        assert_eq!(
            (derived[0].first, derived[0].last),
            (month(2025, 3), month(2025, 4))
        );
        assert_eq!(derived[0].lots, BTreeSet::from([10, 11]));
        assert_eq!(
            derived[0].period(),
            WorkContractPeriod::new(day(2025, 3, 1), Some(day(2025, 4, 30))).unwrap()
        );
        assert_eq!(derived[1].first, month(2025, 6));
        assert_eq!(
            derived[2].period().end(),
            Some(day(2026, 1, 31)),
            "a run across the new year is one contract"
        );
    }

    #[test]
    fn contracts_per_person_round_to_the_hundredth() {
        assert_eq!(per_person_hundredths(3, 2), Some(150));
        assert_eq!(per_person_hundredths(2, 3), Some(67));
        assert_eq!(per_person_hundredths(4, 0), None);
    }
}
