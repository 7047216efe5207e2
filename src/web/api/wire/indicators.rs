//! The charter and insertion indicators, and the yearly series, as the API answers them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::Reservation;
use crate::indicators::work_contracts::{ContractGroup, WorkContracts};
use crate::indicators::{
    Breakdown, Charter, Figure, Freshness, Group, Indicators, Insertion, Period, ReservedAmount,
    Share, YearFigures,
};
use crate::storage::PageRequest;

/// The figures of a period within the caller's scope.
#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorsJson {
    pub period: PeriodJson,
    /// The buyers counted, in French.
    pub scope: String,
    /// When these figures were computed (RFC 3339, UTC).
    pub computed_at: DateTime<Utc>,
    /// True when the data has changed since `computed_at`: these are the previous figures,
    /// answered at once while the new ones are computed (a second or two after the write,
    /// longer at national scale). Ask again to get them.
    pub stale: bool,
    pub charter: CharterJson,
    pub insertion: InsertionJson,
    pub work_contracts: WorkContractsJson,
}

/// The participants' work contracts running in the period: registered, or derived from the
/// hour statements for the participants no register names.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkContractsJson {
    /// Absent, like every count here, when the scope holds fewer than five people (for those
    /// who see aggregates only).
    pub contracts: Option<i64>,
    /// Distinct participants holding them.
    pub people: Option<i64>,
    /// Contracts per person, in hundredths (1,50 is 150).
    pub per_person_hundredths: Option<i64>,
    /// The same in French.
    pub per_person_text: String,
    /// Of the contracts, those derived from the hour statements.
    pub derived: Option<i64>,
    /// Mean length in days of the contracts with an end date.
    pub mean_days: Option<i64>,
    pub by_type: Vec<ContractGroupJson>,
    /// By length: under a month, 1 to 6 months, 6 months and more, no end date.
    pub by_length: Vec<ContractGroupJson>,
    pub method: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContractGroupJson {
    /// The type or length code; absent on the one line standing for every hidden group.
    pub key: Option<String>,
    pub label: String,
    /// Absent when suppressed.
    pub contracts: Option<i64>,
    /// Absent when suppressed.
    pub people: Option<i64>,
    /// Fewer than five people, or a group that would be deduced from the others.
    pub suppressed: bool,
}

impl From<&WorkContracts> for WorkContractsJson {
    fn from(w: &WorkContracts) -> WorkContractsJson {
        let groups = |list: &[ContractGroup]| {
            list.iter()
                .map(|g| ContractGroupJson {
                    key: g.key.clone(),
                    label: g.label.clone(),
                    contracts: g.contracts,
                    people: g.people,
                    suppressed: g.suppressed,
                })
                .collect()
        };
        WorkContractsJson {
            contracts: w.contracts,
            people: w.people,
            per_person_hundredths: w.per_person,
            per_person_text: w.per_person_text.clone(),
            derived: w.derived,
            mean_days: w.mean_days,
            by_type: groups(&w.by_type),
            by_length: groups(&w.by_length),
            method: w.method,
        }
    }
}

/// Both days included.
#[derive(Debug, Serialize, ToSchema)]
pub struct PeriodJson {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CharterJson {
    /// Amount notified in the period: holders' and co-contractors' shares.
    pub awarded: AmountFigure,
    /// Amounts awarded to local firms, of all amounts awarded.
    pub local_by_value: AmountShare,
    /// Awards (lot × awardee) to local firms, of all awards.
    pub local_by_count: CountShare,
    /// Amounts awarded to small firms (TPE and PME), of all amounts awarded.
    pub small_firms_by_value: AmountShare,
    /// Awards to small firms, of all awards.
    pub small_firms_by_count: CountShare,
    pub reserved: Vec<ReservedAmountJson>,
    /// Contracts notified in the period (a count).
    pub contracts: i64,
    pub with_clause: CountShare,
    pub with_social_criterion: CountShare,
    pub reserved_contracts: CountShare,
    pub without_social_consideration: CountShare,
}

/// An amount and how it was obtained.
#[derive(Debug, Serialize, ToSchema)]
pub struct AmountFigure {
    /// Euros, in cents (1 234,56 € is 123456).
    pub amount_cents: i64,
    pub method: String,
}

/// Hours and how they were obtained.
#[derive(Debug, Serialize, ToSchema)]
pub struct HoursFigure {
    /// Hours, in hundredths of an hour (14 470,21 h is 1447021).
    pub hours_hundredths: i64,
    pub method: String,
}

/// Full-time equivalents and how they were obtained.
#[derive(Debug, Serialize, ToSchema)]
pub struct FteFigure {
    /// Full-time equivalents, in hundredths (8,95 FTE is 895).
    pub fte_hundredths: i64,
    pub method: String,
}

/// A count of people and how it was obtained.
#[derive(Debug, Serialize, ToSchema)]
pub struct CountFigure {
    /// Absent when the scope holds fewer than five people (for those who see aggregates only).
    pub count: Option<i64>,
    pub method: String,
}

/// Part of an amount, out of a whole amount.
#[derive(Debug, Serialize, ToSchema)]
pub struct AmountShare {
    /// Euros, in cents.
    pub part_cents: i64,
    /// Euros, in cents.
    pub whole_cents: i64,
    /// Part ÷ whole, in basis points (5 % is 500); absent when the whole is zero.
    pub rate_basis_points: Option<i64>,
    /// The rate in French ("28,6 %", or "sans objet").
    pub text: String,
    pub method: String,
}

/// Part of a number of hours, out of all hours.
#[derive(Debug, Serialize, ToSchema)]
pub struct HoursShare {
    /// Hours, in hundredths of an hour.
    pub part_hours_hundredths: i64,
    /// Hours, in hundredths of an hour.
    pub whole_hours_hundredths: i64,
    /// Part ÷ whole, in basis points (5 % is 500); absent when the whole is zero.
    pub rate_basis_points: Option<i64>,
    /// The rate in French ("28,6 %", or "sans objet").
    pub text: String,
    pub method: String,
}

/// Part of a count, out of a whole count.
#[derive(Debug, Serialize, ToSchema)]
pub struct CountShare {
    pub part: i64,
    pub whole: i64,
    /// Part ÷ whole, in basis points (5 % is 500); absent when the whole is zero.
    pub rate_basis_points: Option<i64>,
    /// The rate in French ("28,6 %", or "sans objet").
    pub text: String,
    pub method: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReservedAmountJson {
    pub reservation: Reservation,
    /// The article of the code of public procurement it rests on.
    pub article: &'static str,
    /// Euros, in cents.
    pub amount_cents: i64,
    /// Of all amounts awarded.
    pub share: AmountShare,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InsertionJson {
    pub hours: HoursFigure,
    /// Hours of the period awaiting validation, in hundredths of an hour: counted in `hours`
    /// only when `pending_included` (asked with `pending=true`).
    pub pending_hours_hundredths: i64,
    pub pending_included: bool,
    /// "dont 320 h en attente de validation" (counted), "et 320 h en attente de validation, non
    /// comptées" (not counted), or empty when none wait.
    pub pending_text: String,
    pub fte: FteFigure,
    /// The full-time equivalents in French.
    pub fte_text: String,
    /// Distinct participants with hours in the period.
    pub participants: CountFigure,
    /// Participants with a recorded exit, and those of them whose exit is a job; absent when
    /// a group of exits is hidden (it would give that group back).
    pub exits_to_employment: Option<CountShare>,
    /// Hours worked by women, of all hours; absent when a group of the breakdown by sex is
    /// hidden (it would give that group back).
    pub women_hours_share: Option<HoursShare>,
    pub breakdowns: Vec<BreakdownJson>,
    /// In French, when the scope holds too few people for any count of them to be shown.
    pub few_people: Option<&'static str>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BreakdownJson {
    pub dimension: &'static str,
    pub label: &'static str,
    /// A group per lot, contract, company or insertion structure: `groups` holds the page
    /// asked (`page`, `per_page`) of them.
    pub paged: bool,
    /// Groups in all, on every page.
    pub total_groups: usize,
    pub groups: Vec<GroupJson>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GroupJson {
    /// The code or identifier grouped on; absent when not recorded, and on the one line that
    /// stands for every hidden group of people (which are never named).
    pub key: Option<String>,
    pub label: String,
    /// Hours, in hundredths of an hour; absent on the line of the hidden groups of people.
    pub hours_hundredths: Option<i64>,
    /// Distinct participants; absent when the group is suppressed.
    pub participants: Option<i64>,
    /// Fewer than five people, or a group that would be deduced from the others.
    pub suppressed: bool,
}

/// The main figures of one year, for a trend.
#[derive(Debug, Serialize, ToSchema)]
pub struct YearFiguresJson {
    pub year: i32,
    /// Amount notified, in cents.
    pub awarded_cents: i64,
    /// Share of the amounts awarded to local firms, in basis points.
    pub local_by_value_basis_points: Option<i64>,
    /// Share of the amounts awarded to small firms, in basis points.
    pub small_firms_by_value_basis_points: Option<i64>,
    /// Amount of the reserved lots, in cents.
    pub reserved_cents: i64,
    /// Contracts notified (a count).
    pub contracts: i64,
    /// Share of the contracts with a clause, in basis points.
    pub with_clause_basis_points: Option<i64>,
    /// Hours, in hundredths of an hour.
    pub hours_hundredths: i64,
    /// Full-time equivalents, in hundredths.
    pub fte_hundredths: i64,
    /// Distinct participants; absent when fewer than five (for those who see aggregates only).
    pub participants: Option<i64>,
}

/// The answer of `GET /api/indicators`, serialized once per data version, page and freshness
/// by the figure cache.
pub fn indicators_json(
    figures: &Indicators,
    page: PageRequest,
    freshness: Freshness,
) -> serde_json::Result<Vec<u8>> {
    serde_json::to_vec(&IndicatorsJson::of(figures, Some(page), freshness))
}

impl IndicatorsJson {
    /// The figures with one page of each breakdown that has a group per lot, contract or
    /// establishment; every group when `page` is `None`.
    pub fn of(i: &Indicators, page: Option<PageRequest>, freshness: Freshness) -> IndicatorsJson {
        IndicatorsJson {
            period: PeriodJson::from(&i.period),
            scope: i.scope.clone(),
            computed_at: freshness.computed_at,
            stale: freshness.stale,
            charter: CharterJson::from(&i.charter),
            insertion: InsertionJson::of(&i.insertion, page),
            work_contracts: WorkContractsJson::from(&i.work_contracts),
        }
    }
}

impl From<&Period> for PeriodJson {
    fn from(p: &Period) -> PeriodJson {
        PeriodJson {
            from: p.from,
            to: p.to,
        }
    }
}

impl From<&Charter> for CharterJson {
    fn from(c: &Charter) -> CharterJson {
        CharterJson {
            awarded: AmountFigure {
                amount_cents: c.awarded.value.cents(),
                method: c.awarded.method.clone(),
            },
            local_by_value: AmountShare::from(&c.local_by_value),
            local_by_count: CountShare::from(&c.local_by_count),
            small_firms_by_value: AmountShare::from(&c.small_firms_by_value),
            small_firms_by_count: CountShare::from(&c.small_firms_by_count),
            reserved: c.reserved.iter().map(ReservedAmountJson::from).collect(),
            contracts: c.contracts,
            with_clause: CountShare::from(&c.with_clause),
            with_social_criterion: CountShare::from(&c.with_social_criterion),
            reserved_contracts: CountShare::from(&c.reserved_contracts),
            without_social_consideration: CountShare::from(&c.without_social_consideration),
        }
    }
}

impl From<&Share> for AmountShare {
    fn from(s: &Share) -> AmountShare {
        AmountShare {
            part_cents: s.part,
            whole_cents: s.whole,
            rate_basis_points: s.rate.map(|r| r.basis_points()),
            text: s.text.clone(),
            method: s.method.clone(),
        }
    }
}

impl From<&Share> for HoursShare {
    fn from(s: &Share) -> HoursShare {
        HoursShare {
            part_hours_hundredths: s.part,
            whole_hours_hundredths: s.whole,
            rate_basis_points: s.rate.map(|r| r.basis_points()),
            text: s.text.clone(),
            method: s.method.clone(),
        }
    }
}

impl From<&Share> for CountShare {
    fn from(s: &Share) -> CountShare {
        CountShare {
            part: s.part,
            whole: s.whole,
            rate_basis_points: s.rate.map(|r| r.basis_points()),
            text: s.text.clone(),
            method: s.method.clone(),
        }
    }
}

impl From<&ReservedAmount> for ReservedAmountJson {
    fn from(r: &ReservedAmount) -> ReservedAmountJson {
        ReservedAmountJson {
            reservation: r.reservation,
            article: r.article,
            amount_cents: r.amount.cents(),
            share: AmountShare::from(&r.share),
        }
    }
}

impl InsertionJson {
    fn of(i: &Insertion, page: Option<PageRequest>) -> InsertionJson {
        InsertionJson {
            hours: HoursFigure {
                hours_hundredths: i.hours.value.hundredths(),
                method: i.hours.method.clone(),
            },
            pending_hours_hundredths: i.pending.hundredths(),
            pending_included: i.includes_pending,
            pending_text: i.pending_text(|h| h.to_string()),
            fte: FteFigure {
                fte_hundredths: i.fte.value,
                method: i.fte.method.clone(),
            },
            fte_text: i.fte_text.clone(),
            participants: count(&i.participants),
            exits_to_employment: i.exits_to_employment.as_ref().map(CountShare::from),
            women_hours_share: i.women_hours_share.as_ref().map(HoursShare::from),
            breakdowns: i
                .breakdowns
                .iter()
                .map(|b| BreakdownJson::of(b, page))
                .collect(),
            few_people: i.few_people,
        }
    }
}

fn count(figure: &Figure<Option<i64>>) -> CountFigure {
    CountFigure {
        count: figure.value,
        method: figure.method.clone(),
    }
}

impl BreakdownJson {
    fn of(b: &Breakdown, page: Option<PageRequest>) -> BreakdownJson {
        let shown = match page.filter(|_| b.paged) {
            Some(page) => {
                let skip = usize::try_from(page.offset()).unwrap_or(usize::MAX);
                let take = usize::try_from(page.per_page).unwrap_or(usize::MAX);
                b.groups.iter().skip(skip).take(take).collect::<Vec<_>>()
            }
            None => b.groups.iter().collect(),
        };
        BreakdownJson {
            dimension: b.dimension,
            label: b.label,
            paged: b.paged,
            total_groups: b.groups.len(),
            groups: shown.into_iter().map(GroupJson::from).collect(),
        }
    }
}

impl From<&Group> for GroupJson {
    fn from(g: &Group) -> GroupJson {
        GroupJson {
            key: g.key.clone(),
            label: g.label.clone(),
            hours_hundredths: g.hours.map(|h| h.hundredths()),
            participants: g.participants,
            suppressed: g.suppressed,
        }
    }
}

impl From<&YearFigures> for YearFiguresJson {
    fn from(y: &YearFigures) -> YearFiguresJson {
        YearFiguresJson {
            year: y.year,
            awarded_cents: y.awarded.cents(),
            local_by_value_basis_points: y.local_by_value.map(|r| r.basis_points()),
            small_firms_by_value_basis_points: y.small_firms_by_value.map(|r| r.basis_points()),
            reserved_cents: y.reserved.cents(),
            contracts: y.contracts,
            with_clause_basis_points: y.with_clause.map(|r| r.basis_points()),
            hours_hundredths: y.hours.hundredths(),
            fte_hundredths: y.fte,
            participants: y.participants,
        }
    }
}
