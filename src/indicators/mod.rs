//! The figures: charter indicators, insertion hours and their breakdowns, clause status.
//!
//! Every figure travels with the method that produced it, in French, because the same local
//! share computed two ways gave 56 % and 65 % in two press reports of one year. The sums and
//! counts come from the database (`storage::indicators`); the rules (clause status, cap,
//! training, shares) from the domain.

pub mod annual_report;
pub mod cache;
pub mod clauses;
pub mod followup;
pub mod obligations;
pub mod report;
pub mod scope;
pub mod small_groups;
pub mod spaser;
pub mod statement;
pub mod work_contracts;

use chrono::NaiveDate;

use crate::domain::decimal::format_fixed;
use crate::domain::{
    AwardRole, EligibilityCriterion, ExitOutcome, Hours, Labelled, Locality, Modality, Money,
    Month, Rate, Reservation, Sex, SixMonthSituation, SizeClass, StructureKind,
};
use crate::storage::DbConnection;
use crate::storage::indicators::{
    self as sums, AwardGroup, ContractFilter, Counted, Dimension, HourGroup, HoursFilter,
};
pub use cache::{FigureCache, Freshness, Kept, Refreshed, Render};
pub use scope::{DataScope, ScopeError};

/// Groups of fewer distinct participants than this are not shown to those who may only see
/// aggregates: with health (RQTH, AAH) and justice criteria, a small group names a person.
pub const SMALL_GROUP_THRESHOLD: i64 = small_groups::THRESHOLD;

/// A period of days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    pub fn year(year: i32) -> Option<Period> {
        Some(Period {
            from: NaiveDate::from_ymd_opt(year, 1, 1)?,
            to: NaiveDate::from_ymd_opt(year, 12, 31)?,
        })
    }

    /// The months the period touches, as yyyymm.
    fn months(&self) -> (i32, i32) {
        let month = |d: NaiveDate| Month::of_date(d).map_or(0, Month::yyyymm);
        (month(self.from), month(self.to))
    }
}

/// Choices of method the caller makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Options {
    /// Count declared subcontractors' amounts in the local and size shares.
    pub include_subcontractors: bool,
    /// Hide participant groups smaller than `SMALL_GROUP_THRESHOLD`.
    pub suppress_small_groups: bool,
    /// Show the groups of special-category criteria (health, justice); when not, they are
    /// hidden with the small groups, whatever their size.
    pub special_categories: bool,
    /// The breakdowns to compute (the yearly series does without; a dashboard needs two).
    pub breakdowns: Breakdowns,
}

/// A set of breakdown dimensions: each is one more aggregate over the hour entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Breakdowns(u16);

impl Breakdowns {
    pub const ALL: Breakdowns = Breakdowns((1 << Dimension::ALL.len()) - 1);
    pub const NONE: Breakdowns = Breakdowns(0);

    pub fn of(dimensions: &[Dimension]) -> Breakdowns {
        Breakdowns(dimensions.iter().fold(0, |set, d| set | Self::bit(*d)))
    }

    fn bit(dimension: Dimension) -> u16 {
        let index = Dimension::ALL.iter().position(|d| *d == dimension);
        index.map_or(0, |i| 1 << i)
    }

    pub fn contains(self, dimension: Dimension) -> bool {
        self.0 & Self::bit(dimension) != 0
    }

    /// From the codes an API caller writes: `modality,structure_kind`, `none`, `all`, or
    /// `default` (the breakdowns of few groups, as when nothing is written), which codes may
    /// complete (`default,company`).
    pub fn parse(text: &str) -> Result<Breakdowns, String> {
        match text.trim() {
            "" | "default" => return Ok(Breakdowns::default()),
            "all" => return Ok(Breakdowns::ALL),
            "none" => return Ok(Breakdowns::NONE),
            _ => {}
        }
        let mut set = Breakdowns::NONE;
        for code in text.split(',').map(str::trim) {
            if code == "default" {
                set.0 |= Breakdowns::default().0;
                continue;
            }
            let dimension = Dimension::ALL
                .into_iter()
                .find(|d| dimension_names(*d).0 == code)
                .ok_or_else(|| {
                    let known: Vec<&str> =
                        Dimension::ALL.iter().map(|d| dimension_names(*d).0).collect();
                    format!(
                        "Répartition inconnue « {code} » : écrivez des codes séparés par des virgules parmi {}, ou « default », « all », « none ».",
                        known.join(", ")
                    )
                })?;
            set.0 |= Self::bit(dimension);
        }
        Ok(set)
    }
}

/// The breakdowns of few groups (months, modalities, publics…): those of each lot, contract,
/// company and insertion structure grow with the data (megabytes at national scale) and are
/// computed only when asked for by name.
impl Default for Breakdowns {
    fn default() -> Breakdowns {
        let grow: Vec<Dimension> = Dimension::ALL
            .into_iter()
            .filter(|d| grows_with_data(*d))
            .collect();
        Breakdowns(Breakdowns::ALL.0 & !Breakdowns::of(&grow).0)
    }
}

/// Whether a dimension has a group per lot, contract or establishment: as many as the data
/// holds, so that its groups are paged in the API's answer.
pub fn grows_with_data(dimension: Dimension) -> bool {
    matches!(
        dimension,
        Dimension::Contract | Dimension::Lot | Dimension::Company | Dimension::InsertionEmployer
    )
}

/// A value and how it was obtained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figure<T> {
    pub value: T,
    pub method: String,
}

/// `part` out of `whole`, as a rate and as French text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Share {
    pub part: i64,
    pub whole: i64,
    /// In basis points; absent when `whole` is zero.
    pub rate: Option<Rate>,
    pub text: String,
    pub method: String,
}

impl Share {
    fn new(part: i64, whole: i64, method: impl Into<String>) -> Share {
        let rate = Rate::ratio(part, whole);
        Share {
            part,
            whole,
            rate,
            text: rate.map_or_else(|| "sans objet".to_owned(), |r| r.to_string()),
            method: method.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Indicators {
    pub period: Period,
    pub scope: String,
    pub charter: Charter,
    pub insertion: Insertion,
    pub work_contracts: work_contracts::WorkContracts,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Charter {
    /// Amount notified in the period: holders' and co-contractors' shares.
    pub awarded: Figure<Money>,
    pub local_by_value: Share,
    pub local_by_count: Share,
    /// Small firms (TPE and PME) by value and by count.
    pub small_firms_by_value: Share,
    pub small_firms_by_count: Share,
    pub reserved: Vec<ReservedAmount>,
    /// Contracts notified in the period, and their social considerations (DECP).
    pub contracts: i64,
    pub with_clause: Share,
    pub with_social_criterion: Share,
    pub reserved_contracts: Share,
    pub without_social_consideration: Share,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReservedAmount {
    pub reservation: Reservation,
    pub article: &'static str,
    pub amount: Money,
    pub share: Share,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Insertion {
    pub hours: Figure<Hours>,
    /// Hours of the period awaiting validation: in `hours` only when asked for.
    pub pending: Hours,
    pub includes_pending: bool,
    /// Full-time equivalents, in hundredths.
    pub fte: Figure<i64>,
    pub fte_text: String,
    /// Absent when the scope holds too few people to show it.
    pub participants: Figure<Option<i64>>,
    /// Participants with a recorded exit, and those whose exit is a job; absent when it would
    /// single out people.
    pub exits_to_employment: Option<Share>,
    /// Hours worked by women, of all hours; absent when a group of the breakdown by sex is
    /// hidden (it would give that group back).
    pub women_hours_share: Option<Share>,
    pub breakdowns: Vec<Breakdown>,
    /// Said when the scope holds too few people for any count of them to be shown.
    pub few_people: Option<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breakdown {
    pub dimension: &'static str,
    pub label: &'static str,
    /// A group per lot, contract or establishment (`grows_with_data`): paged in the API.
    pub paged: bool,
    pub groups: Vec<Group>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The code or identifier grouped on; `None` when not recorded, and for the one line
    /// standing for the hidden groups of people.
    pub key: Option<String>,
    pub label: String,
    /// Absent when suppressed (groups of people); groups of lots, companies, months… keep
    /// their hours.
    pub hours: Option<Hours>,
    /// Absent when suppressed.
    pub participants: Option<i64>,
    pub suppressed: bool,
}

/// The charter and insertion indicators of `scope` over `period`.
pub fn compute(
    conn: &mut DbConnection,
    scope: &DataScope,
    period: Period,
    options: Options,
) -> Result<Indicators, diesel::result::Error> {
    let contracts = ContractFilter {
        buyer_ids: scope.buyer_ids.clone(),
        from: period.from,
        to: period.to,
    };
    let awards = if scope.company_id.is_some() {
        // A company sees its own hours, not the buyers' purchasing.
        Vec::new()
    } else {
        sums::award_groups(conn, &contracts)?
    };
    let counts = if scope.company_id.is_some() {
        Default::default()
    } else {
        sums::contract_counts(conn, &contracts)?
    };
    let (from_month, to_month) = period.months();
    let hours = HoursFilter {
        buyer_ids: scope.buyer_ids.clone(),
        company_id: scope.company_id,
        from_month,
        to_month,
        counted: scope.counted(),
    };
    Ok(Indicators {
        period,
        scope: scope.description.clone(),
        charter: charter(&awards, counts, options),
        insertion: insertion(conn, &hours, options)?,
        work_contracts: work_contracts::compute(
            conn,
            scope,
            period,
            options.suppress_small_groups,
        )?,
    })
}

/// Amounts (in cents) and counts of awards, summed over the groups a filter keeps.
struct AwardSums<'a> {
    groups: &'a [AwardGroup],
    include_subcontractors: bool,
}

impl AwardSums<'_> {
    /// Declared subcontractors are not notified: they count only when asked for.
    fn counted(&self, g: &AwardGroup) -> bool {
        self.include_subcontractors || g.role != AwardRole::Subcontractor
    }

    fn sum(&self, filter: impl Fn(&AwardGroup) -> bool) -> (i64, i64) {
        self.groups
            .iter()
            .filter(|g| self.counted(g) && filter(g))
            .fold((0, 0), |(amount, n), g| {
                (amount + g.amount.cents(), n + g.awards)
            })
    }
}

/// Notified by the holders and co-contractors, whatever the options say of subcontractors.
fn notified(g: &&AwardGroup) -> bool {
    g.role != AwardRole::Subcontractor
}

fn charter(
    groups: &[AwardGroup],
    counts: crate::storage::indicators::ContractCounts,
    options: Options,
) -> Charter {
    let sums = AwardSums {
        groups,
        include_subcontractors: options.include_subcontractors,
    };
    let awarded: Money = groups.iter().filter(notified).map(|g| g.amount).sum();
    let (all_amount, all_count) = sums.sum(|_| true);
    let (local_amount, local_count) = sums.sum(|g| g.locality == Locality::Local);
    let (small_amount, small_count) =
        sums.sum(|g| matches!(g.size_class, Some(SizeClass::Micro | SizeClass::Sme)));
    let (local_method, small_method) = award_methods(&sums, options);
    let share =
        |part, whole, what: &str, method: &str| Share::new(part, whole, format!("{what} {method}"));
    let contracts = contract_shares(counts);
    Charter {
        awarded: Figure {
            value: awarded,
            method: "Somme des montants notifiés HT des titulaires et co-traitants des marchés notifiés dans la période.".to_owned(),
        },
        local_by_value: share(local_amount, all_amount, "En valeur.", &local_method),
        local_by_count: share(local_count, all_count, BY_COUNT, &local_method),
        small_firms_by_value: share(small_amount, all_amount, "En valeur.", &small_method),
        small_firms_by_count: share(small_count, all_count, BY_COUNT, &small_method),
        reserved: reserved_amounts(groups, awarded),
        contracts: counts.contracts,
        with_clause: contracts.with_clause,
        with_social_criterion: contracts.with_social_criterion,
        reserved_contracts: contracts.reserved_contracts,
        without_social_consideration: contracts.without_social_consideration,
    }
}

const BY_COUNT: &str = "En nombre d'attributions (lot × attributaire).";

/// How the local-firm and small-firm shares are computed, with what they leave out.
fn award_methods(sums: &AwardSums<'_>, options: Options) -> (String, String) {
    let (_, unknown_count) = sums.sum(|g| g.locality == Locality::Unknown);
    let (_, unsized_count) = sums.sum(|g| g.size_class.is_none());
    let subcontracting = if options.include_subcontractors {
        "sous-traitants déclarés inclus (leur montant s'ajoute à celui des titulaires qui les paient)"
    } else {
        "sous-traitants déclarés exclus"
    };
    let base = format!(
        "Marchés notifiés dans la période (date de notification) ; montants notifiés HT, part déclarée de chaque titulaire et co-traitant (groupements : part de chacun) ; {subcontracting}"
    );
    let local_method = format!(
        "{base}. Entreprise locale : établissement attributaire (SIRET, code postal) situé dans un département du territoire de l'acheteur ; une entreprise sans SIRET (identifiée par un numéro de TVA intracommunautaire ou un identifiant étranger) et sans code postal est comptée non locale ; {unknown_count} attribution(s) sans code postal connu comptée(s) non locales. Indicateur de suivi de la charte, jamais critère de choix."
    );
    let small_method = format!(
        "{base}. TPE et PME selon le décret 2008-1354 ; {unsized_count} attribution(s) de catégorie inconnue comptée(s) hors TPE/PME."
    );
    (local_method, small_method)
}

/// The amount of each kind of reserved lot, and its share of the amount notified.
fn reserved_amounts(groups: &[AwardGroup], awarded: Money) -> Vec<ReservedAmount> {
    [
        Reservation::Disability,
        Reservation::Insertion,
        Reservation::SocialEconomy,
    ]
    .into_iter()
    .map(|reservation| {
        let amount: Money = groups
            .iter()
            .filter(notified)
            .filter(|g| g.reservation == reservation)
            .map(|g| g.amount)
            .sum();
        ReservedAmount {
            reservation,
            article: reservation.label(),
            amount,
            share: Share::new(
                amount.cents(),
                awarded.cents(),
                format!(
                    "Montant notifié des lots réservés ({}) rapporté au montant notifié total de la période.",
                    reservation.label()
                ),
            ),
        }
    })
    .collect()
}

/// The contracts of the period with each social consideration, out of all of them.
struct ContractShares {
    with_clause: Share,
    with_social_criterion: Share,
    reserved_contracts: Share,
    without_social_consideration: Share,
}

fn contract_shares(counts: crate::storage::indicators::ContractCounts) -> ContractShares {
    let per_contract = |part: i64, what: &str| {
        Share::new(
            part,
            counts.contracts,
            format!(
                "Marchés notifiés dans la période ayant {what}, rapportés au nombre de marchés notifiés (considérations sociales du format DECP 2024)."
            ),
        )
    };
    ContractShares {
        with_clause: per_contract(
            counts.with_clause,
            "au moins un lot avec une clause sociale d'insertion",
        ),
        with_social_criterion: per_contract(
            counts.with_criterion,
            "un critère social d'attribution",
        ),
        reserved_contracts: per_contract(counts.reserved, "au moins un lot réservé"),
        without_social_consideration: per_contract(
            counts.with_none,
            "ni clause, ni critère social, ni réservation",
        ),
    }
}

fn insertion(
    conn: &mut DbConnection,
    filter: &HoursFilter,
    options: Options,
) -> Result<Insertion, diesel::result::Error> {
    let (hours, participants) = sums::hours_total(conn, filter)?;
    let pending_only = HoursFilter {
        counted: Counted::PendingOnly,
        ..filter.clone()
    };
    let pending = sums::hours_sum(conn, &pending_only)?;
    let suppress = options.suppress_small_groups;
    let exits = grouped(conn, filter, Dimension::ExitOutcome, options)?;
    let sexes = grouped(conn, filter, Dimension::Sex, options)?;
    let breakdowns = Dimension::ALL
        .into_iter()
        .filter(|d| options.breakdowns.contains(*d))
        .map(|dimension| {
            let groups = match dimension {
                Dimension::ExitOutcome => exits.clone(),
                Dimension::Sex => sexes.clone(),
                _ => grouped(conn, filter, dimension, options)?,
            };
            Ok(breakdown(dimension, groups))
        })
        .collect::<Result<_, diesel::result::Error>>()?;
    let includes_pending = filter.counted == Counted::WithPending;
    let months = format!(
        "Heures déclarées dans les relevés des mois de la période, sur les marchés du périmètre, toutes modalités (formation comprise), relevés corrigés pris pour leur dernière valeur ; {}",
        if includes_pending {
            "heures validées et heures en attente de validation"
        } else {
            "heures validées seulement (celles en attente de validation sont données à part)"
        }
    );
    let fte = hours.fte_hundredths();
    let few = suppress && !small_groups::shown(participants);
    Ok(Insertion {
        hours: Figure {
            value: hours,
            method: format!("{months}."),
        },
        pending,
        includes_pending,
        fte: Figure {
            value: fte,
            method: format!("{months}, divisées par 1 607 heures (1 ETP)."),
        },
        fte_text: format!("{} ETP", format_fixed(fte, 2)),
        participants: Figure {
            value: (!few).then_some(participants),
            method: format!(
                "Participants distincts ayant au moins une heure dans la période. {months}."
            ),
        },
        exits_to_employment: exits_to_employment(&exits),
        women_hours_share: women_hours_share(&sexes, hours),
        breakdowns,
        few_people: few.then_some(small_groups::FEW_PEOPLE_NOTE),
    })
}

/// The groups of one dimension, each marked hidden or not.
type Marked = Vec<(HourGroup, bool)>;

/// Whether a group of `dimension` keyed `key` is special-category data (health, justice).
fn is_sensitive(dimension: Dimension, key: Option<&str>) -> bool {
    dimension == Dimension::Criterion
        && key
            .and_then(EligibilityCriterion::from_code)
            .is_some_and(EligibilityCriterion::is_special_category)
}

/// The groups of `dimension` in the filter, those to hide marked when small groups are
/// suppressed: under the threshold or special-category data the reader may not see, completed
/// by the next smallest, and (groups of people) hidden in some buyer the filter counts.
fn grouped(
    conn: &mut DbConnection,
    filter: &HoursFilter,
    dimension: Dimension,
    options: Options,
) -> Result<Marked, diesel::result::Error> {
    let groups = sums::hours_by(conn, filter, dimension)?;
    if !options.suppress_small_groups {
        return Ok(groups.into_iter().map(|g| (g, false)).collect());
    }
    let sensitive = |key: Option<&str>| !options.special_categories && is_sensitive(dimension, key);
    let several_buyers = filter.buyer_ids.as_ref().is_none_or(|ids| ids.len() > 1);
    let elsewhere = if describes_people(dimension) && several_buyers {
        let cells: Vec<small_groups::BuyerCell<_>> =
            sums::people_by_buyer(conn, filter, dimension)?
                .into_iter()
                .map(|(buyer, key, participants)| small_groups::BuyerCell {
                    buyer,
                    key,
                    participants,
                })
                .collect();
        small_groups::hidden_in_some_buyer(&cells, sensitive)
    } else {
        Default::default()
    };
    let counts: Vec<i64> = groups.iter().map(|g| g.participants).collect();
    let forced: Vec<bool> = groups.iter().map(|g| elsewhere.contains(&g.key)).collect();
    let special: Vec<bool> = groups.iter().map(|g| sensitive(g.key.as_deref())).collect();
    let hidden = small_groups::hidden(&counts, &forced, &special);
    Ok(groups.into_iter().zip(hidden).collect())
}

/// Participants whose recorded exit is a job, of those with a recorded exit; not shown when a
/// group of recorded exits is hidden (it would give that group back).
fn exits_to_employment(exits: &Marked) -> Option<Share> {
    let recorded = || exits.iter().filter(|(g, _)| g.key.is_some());
    if recorded().any(|(_, hidden)| *hidden) {
        return None;
    }
    let exited: i64 = recorded().map(|(g, _)| g.participants).sum();
    let employed: i64 = recorded()
        .filter(|(g, _)| {
            g.key
                .as_deref()
                .and_then(ExitOutcome::from_code)
                .is_some_and(ExitOutcome::is_employment)
        })
        .map(|(g, _)| g.participants)
        .sum();
    Some(Share::new(
        employed,
        exited,
        "Participants de la période dont la sortie enregistrée est un emploi (durable ou de transition), rapportés aux participants dont une sortie est enregistrée.",
    ))
}

/// Hours worked by women out of all hours of the filter; not shown when a group of the
/// breakdown by sex is hidden (the share would give its hours back).
fn women_hours_share(sexes: &Marked, total: Hours) -> Option<Share> {
    if sexes.iter().any(|(_, hidden)| *hidden) {
        return None;
    }
    let women: i64 = sexes
        .iter()
        .filter(|(g, _)| g.key.as_deref() == Some(Sex::Female.code()))
        .map(|(g, _)| g.hours.hundredths())
        .sum();
    Some(Share::new(
        women,
        total.hundredths(),
        "Heures d'insertion de la période réalisées par des femmes, rapportées à toutes les heures de la période (sexe non renseigné compté au total).",
    ))
}

/// The breakdowns whose groups describe people (and so may be suppressed when small), by
/// code, in the order pages and workbooks list them.
pub const PEOPLE: [&str; 6] = [
    "criterion",
    "sex",
    "age_band",
    "qpv",
    "exit_outcome",
    "six_month_situation",
];

/// Whether groups of this dimension describe people.
fn describes_people(dimension: Dimension) -> bool {
    PEOPLE.contains(&dimension_names(dimension).0)
}

/// A breakdown as shown. Hidden groups of people lose everything, their key too, and stand
/// together as one line; hidden groups of lots, companies, months… lose their participants
/// only.
fn breakdown(dimension: Dimension, groups: Marked) -> Breakdown {
    let (code, label) = dimension_names(dimension);
    let people = describes_people(dimension);
    let any_hidden = groups.iter().any(|(_, hidden)| *hidden);
    let mut shown: Vec<Group> = groups
        .into_iter()
        .filter(|(_, hidden)| !(people && *hidden))
        .map(|(g, hidden)| Group {
            label: group_label(dimension, g.key.as_deref()),
            key: g.key,
            hours: Some(g.hours),
            participants: (!hidden).then_some(g.participants),
            suppressed: hidden,
        })
        .collect();
    if people && any_hidden {
        shown.push(Group {
            key: None,
            label: small_groups::MASKED_LABEL.to_owned(),
            hours: None,
            participants: None,
            suppressed: true,
        });
    }
    Breakdown {
        dimension: code,
        label,
        paged: grows_with_data(dimension),
        groups: shown,
    }
}

fn dimension_names(dimension: Dimension) -> (&'static str, &'static str) {
    match dimension {
        Dimension::Buyer => ("buyer", "Par acheteur"),
        Dimension::Contract => ("contract", "Par marché"),
        Dimension::Lot => ("lot", "Par lot"),
        Dimension::Company => ("company", "Par entreprise"),
        Dimension::InsertionEmployer => ("insertion_employer", "Par structure d'insertion"),
        Dimension::StructureKind => ("structure_kind", "Par type de structure"),
        Dimension::Year => ("year", "Par année"),
        Dimension::Month => ("month", "Par mois"),
        Dimension::Modality => ("modality", "Par modalité"),
        Dimension::Criterion => ("criterion", "Par critère d'éligibilité"),
        Dimension::Sex => ("sex", "Par sexe"),
        Dimension::AgeBand => ("age_band", "Par âge"),
        Dimension::Qpv => ("qpv", "Par résidence en QPV"),
        Dimension::ExitOutcome => ("exit_outcome", "Par sortie"),
        Dimension::SixMonthSituation => ("six_month_situation", "Par situation à six mois"),
    }
}

fn group_label(dimension: Dimension, key: Option<&str>) -> String {
    let Some(key) = key else {
        return match dimension {
            Dimension::InsertionEmployer => {
                "Sans structure d'insertion (embauche directe, formation)"
            }
            Dimension::ExitOutcome => "Pas de sortie enregistrée",
            Dimension::SixMonthSituation => "Pas de situation à six mois enregistrée",
            _ => "Non renseigné",
        }
        .to_owned();
    };
    if dimension == Dimension::Month {
        return key
            .parse()
            .ok()
            .and_then(|yyyymm| Month::from_yyyymm(yyyymm).ok())
            .map_or_else(|| key.to_owned(), |month| month.to_string());
    }
    let label = match dimension {
        Dimension::Modality => Modality::from_code(key).map(Labelled::label),
        Dimension::Criterion => EligibilityCriterion::from_code(key).map(Labelled::label),
        Dimension::Sex => Sex::from_code(key).map(Labelled::label),
        Dimension::ExitOutcome => ExitOutcome::from_code(key).map(Labelled::label),
        Dimension::SixMonthSituation => SixMonthSituation::from_code(key).map(Labelled::label),
        Dimension::StructureKind if key == "company" => Some("Entreprise (embauche directe)"),
        Dimension::StructureKind => StructureKind::from_code(key).map(Labelled::label),
        Dimension::AgeBand => match key {
            "under_26" => Some("Moins de 26 ans"),
            "26_to_49" => Some("26 à 49 ans"),
            "50_and_over" => Some("50 ans et plus"),
            _ => None,
        },
        Dimension::Qpv => match key {
            "yes" => Some("Résident d'un QPV"),
            "no" => Some("Hors QPV"),
            _ => None,
        },
        _ => None,
    };
    label.map_or_else(|| key.to_owned(), str::to_owned)
}

/// The main figures of one year, for a trend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearFigures {
    pub year: i32,
    pub awarded: Money,
    pub local_by_value: Option<Rate>,
    pub small_firms_by_value: Option<Rate>,
    pub reserved: Money,
    pub contracts: i64,
    pub with_clause: Option<Rate>,
    pub hours: Hours,
    pub fte: i64,
    /// Absent when too few to be shown.
    pub participants: Option<i64>,
}

/// The hours awaiting validation, said beside a figure of hours: "dont 320 h en attente de
/// validation" when the figure counts them, "et 320 h en attente de validation, non comptées"
/// when it does not; nothing when none wait. `write` writes the hours (exact, or rounded on a
/// page).
pub fn pending_text(pending: Hours, included: bool, write: fn(Hours) -> String) -> String {
    match (pending.hundredths(), included) {
        (0, _) => String::new(),
        (_, true) => format!("dont {} en attente de validation", write(pending)),
        (_, false) => format!(
            "et {} en attente de validation, non comptées",
            write(pending)
        ),
    }
}

impl Insertion {
    /// The hours awaiting validation, said beside the hours, written by `write`.
    pub fn pending_text(&self, write: fn(Hours) -> String) -> String {
        pending_text(self.pending, self.includes_pending, write)
    }
}

impl Charter {
    /// The amount of the reserved lots, every reservation together.
    pub fn reserved_amount(&self) -> Money {
        self.reserved.iter().map(|r| r.amount).sum()
    }
}

impl YearFigures {
    /// The main figures of a year's indicators.
    pub fn of(year: i32, i: &Indicators) -> YearFigures {
        YearFigures {
            year,
            awarded: i.charter.awarded.value,
            local_by_value: i.charter.local_by_value.rate,
            small_firms_by_value: i.charter.small_firms_by_value.rate,
            reserved: i.charter.reserved_amount(),
            contracts: i.charter.contracts,
            with_clause: i.charter.with_clause.rate,
            hours: i.insertion.hours.value,
            fte: i.insertion.fte.value,
            participants: i.insertion.participants.value,
        }
    }
}

/// The years of a series, `from` to `to` included (at most 50), with their periods.
pub fn series_years(from: i32, to: i32) -> impl Iterator<Item = (i32, Period)> {
    (from..=to.min(from.saturating_add(49)))
        .filter_map(|year| Period::year(year).map(|p| (year, p)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breakdowns_are_chosen_by_their_codes() {
        let two = Breakdowns::parse("modality, structure_kind").unwrap();
        assert!(two.contains(Dimension::Modality) && two.contains(Dimension::StructureKind));
        assert!(!two.contains(Dimension::Buyer));
        assert_eq!(
            two,
            Breakdowns::of(&[Dimension::StructureKind, Dimension::Modality])
        );
        assert_eq!(Breakdowns::parse("all"), Ok(Breakdowns::ALL));
        let default = Breakdowns::parse("").unwrap();
        assert_eq!(Breakdowns::parse("default"), Ok(default));
        assert!(default.contains(Dimension::Month) && default.contains(Dimension::Criterion));
        for large in [Dimension::Lot, Dimension::Contract, Dimension::Company] {
            assert!(!default.contains(large));
        }
        let more = Breakdowns::parse("default,company").unwrap();
        assert!(more.contains(Dimension::Company) && more.contains(Dimension::Month));
        assert!(Dimension::ALL.iter().all(|d| Breakdowns::ALL.contains(*d)));
        assert_eq!(Breakdowns::parse("none"), Ok(Breakdowns::NONE));
        let error = Breakdowns::parse("modality,couleur").unwrap_err();
        assert!(
            error.contains("« couleur »") && error.contains("structure_kind"),
            "{error}"
        );
        let people = Breakdowns::parse(&PEOPLE.join(",")).unwrap();
        assert_eq!(
            Dimension::ALL
                .iter()
                .filter(|d| people.contains(**d))
                .count(),
            PEOPLE.len()
        );
    }
}
