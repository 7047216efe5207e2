//! The "Tableau de bord" an elected official opens: the year's headline figures with their
//! change and method, trends, breakdowns and the clauses behind schedule. Every figure comes
//! from the same use cases as the indicators API, so the page and the API cannot disagree.

use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{Datelike, Utc};
use serde::Deserialize;

use super::chart::{BarChart, Datum, markup};
use super::shell::Shell;
use super::viewer::Viewer;
use super::{PageError, html, text};
use crate::app::dashboard::Dashboard;
use crate::app::{self, Narrowing};
use crate::domain::authorization::Action;
use crate::domain::{ClauseStatus, Hours, Labelled, ObligationRules};
use crate::indicators::clauses::ClauseView;
use crate::indicators::{Breakdown, FigureCache, Indicators, Insertion, Share, YearFigures};
use crate::storage::Database;
use crate::storage::buyers::Buyer;
use crate::web::auth::can;

#[derive(Debug, Default, Deserialize)]
pub struct DashboardQuery {
    pub year: Option<i32>,
    pub buyer: Option<String>,
    pub departement: Option<String>,
    /// "true" to count the hours awaiting validation too.
    pub pending: Option<String>,
}

fn filled(text: &Option<String>) -> Option<String> {
    text.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

pub struct Card {
    pub label: &'static str,
    pub value: String,
    pub change: String,
    pub method: String,
    /// Said beside the value: the hours awaiting validation.
    pub note: String,
}

fn card(label: &'static str, value: String, change: String, method: &str) -> Card {
    Card {
        label,
        value,
        change,
        method: method.to_owned(),
        note: String::new(),
    }
}

/// A share with its part and whole, written by `unit` (a count, or cents as euros).
fn share_card(
    label: &'static str,
    now: &Share,
    before: &Share,
    year: i32,
    unit: fn(i64) -> String,
) -> Card {
    card(
        label,
        format!("{} ({} sur {})", now.text, unit(now.part), unit(now.whole)),
        text::change_points(now.rate, before.rate, year - 1),
        &now.method,
    )
}

/// Said in place of a figure that would single out people.
fn masked() -> String {
    "masqué (moins de 5 personnes)".to_owned()
}

/// The participants and their exits, each masked when it would single out people.
fn people_cards(i: &Insertion, b: &Insertion, year: i32) -> [Card; 2] {
    let last = year - 1;
    [
        card(
            "Participants",
            i.participants.value.map_or_else(masked, text::count),
            match (i.participants.value, b.participants.value) {
                (Some(now), Some(before)) => text::change(now, before, last),
                _ => String::new(),
            },
            &i.participants.method,
        ),
        match (&i.exits_to_employment, &b.exits_to_employment) {
            (Some(now), Some(before)) => {
                share_card("Sorties vers l'emploi", now, before, year, text::count)
            }
            (Some(now), None) => card(
                "Sorties vers l'emploi",
                format!(
                    "{} ({} sur {})",
                    now.text,
                    text::count(now.part),
                    text::count(now.whole)
                ),
                String::new(),
                &now.method,
            ),
            (None, _) => card(
                "Sorties vers l'emploi",
                masked(),
                String::new(),
                "Une part calculée sur moins de 5 personnes, ou qui redonnerait un groupe masqué, n'est pas montrée.",
            ),
        },
    ]
}

fn cards(now: &Indicators, before: &Indicators, year: i32) -> Vec<Card> {
    let (i, b) = (&now.insertion, &before.insertion);
    let (c, p) = (&now.charter, &before.charter);
    let last = year - 1;
    let reserved = c.reserved_amount().cents();
    let [people, exits] = people_cards(i, b, year);
    vec![
        Card {
            note: i.pending_text(text::hours),
            ..card(
                "Heures d'insertion",
                text::hours(i.hours.value),
                text::change(i.hours.value.hundredths(), b.hours.value.hundredths(), last),
                &i.hours.method,
            )
        },
        card(
            "Équivalents temps plein",
            i.fte_text.clone(),
            text::change(i.fte.value, b.fte.value, last),
            &i.fte.method,
        ),
        people,
        exits,
        share_card(
            "Marchés avec clause d'insertion",
            &c.with_clause,
            &p.with_clause,
            year,
            text::count,
        ),
        share_card(
            "Marchés réservés",
            &c.reserved_contracts,
            &p.reserved_contracts,
            year,
            text::count,
        ),
        share_card(
            "Marchés avec critère social",
            &c.with_social_criterion,
            &p.with_social_criterion,
            year,
            text::count,
        ),
        share_card(
            "Part des entreprises locales (montant)",
            &c.local_by_value,
            &p.local_by_value,
            year,
            text::cents,
        ),
        share_card(
            "Part des TPE et PME (montant)",
            &c.small_firms_by_value,
            &p.small_firms_by_value,
            year,
            text::cents,
        ),
        card(
            "Montant des marchés réservés",
            text::cents(reserved),
            text::change(reserved, p.reserved_amount().cents(), last),
            "Somme des montants notifiés des lots réservés (L2113-12, L2113-13, L2113-15) sur la période.",
        ),
    ]
}

fn breakdown_chart(figures: &Indicators, dimension: &str, id: &str, title: &str) -> String {
    let groups = figures
        .insertion
        .breakdowns
        .iter()
        .find(|b: &&Breakdown| b.dimension == dimension)
        .map(|b| b.groups.as_slice())
        .unwrap_or_default();
    let data = groups
        .iter()
        .map(|g| Datum {
            label: g.label.clone(),
            value: g.hours.map_or(0, |h| h.hundredths()),
            text: g.hours.map_or_else(masked, text::hours),
        })
        .collect();
    markup(&BarChart::new(id, title, "Heures", data))
}

fn trend_charts(series: &[YearFigures]) -> Vec<String> {
    let hours = series
        .iter()
        .map(|y| Datum {
            label: y.year.to_string(),
            value: y.hours.hundredths(),
            text: text::hours(y.hours),
        })
        .collect();
    let local = series
        .iter()
        .map(|y| Datum {
            label: y.year.to_string(),
            value: y.local_by_value.map_or(0, |r| r.basis_points()),
            text: text::rate(y.local_by_value),
        })
        .collect();
    let awarded = series
        .iter()
        .map(|y| Datum {
            label: y.year.to_string(),
            value: y.awarded.cents(),
            text: text::euros(y.awarded),
        })
        .collect();
    vec![
        markup(&BarChart::new(
            "tendance-heures",
            "Heures d'insertion par année",
            "Heures",
            hours,
        )),
        markup(&BarChart::new(
            "tendance-local",
            "Part des entreprises locales (montant) par année",
            "Part",
            local,
        )),
        markup(&BarChart::new(
            "tendance-montant",
            "Montant notifié par année",
            "Montant",
            awarded,
        )),
    ]
}

/// The late clauses a dashboard lists: those missing the most hours. A territory has thousands
/// of clauses; the contracts pages list them all.
const LATE_SHOWN: usize = 20;

pub struct Late {
    pub contract_id: i64,
    pub reference: String,
    pub object: String,
    pub lot: String,
    pub target: String,
    pub counted: String,
    pub missing: String,
    pub status: &'static str,
    pub status_code: &'static str,
}

/// The clauses behind or ended short, most missing hours first, at most `LATE_SHOWN`; and how
/// many there are in all.
fn late(clauses: &[ClauseView]) -> (Vec<Late>, usize) {
    let mut late: Vec<&ClauseView> = clauses
        .iter()
        .filter(|c| {
            matches!(
                c.status,
                Some(ClauseStatus::Behind | ClauseStatus::EndedShort)
            )
        })
        .collect();
    let missing = |c: &ClauseView| c.assessment.as_ref().map_or(Hours::ZERO, |a| a.missing);
    late.sort_by_key(|c| std::cmp::Reverse(missing(c)));
    let total = late.len();
    let shown = late
        .into_iter()
        .take(LATE_SHOWN)
        .map(|c| Late {
            missing: text::hours(missing(c)),
            contract_id: c.contract_id.get(),
            lot: match &c.lot_title {
                Some(title) => format!("{} — {title}", c.lot),
                None => c.lot.to_string(),
            },
            reference: c.reference.clone(),
            object: c.object.clone(),
            target: text::hours(c.target),
            counted: text::hours(c.counted),
            status: c.status.map_or("", |s| s.label()),
            status_code: c.status.map_or("none", |s| s.code()),
        })
        .collect();
    (shown, total)
}

/// "tous les acheteurs" as the start of a sentence.
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    shell: Shell,
    year: i32,
    years: Vec<i32>,
    buyer: String,
    departement: String,
    /// Hours awaiting validation counted too.
    pending: bool,
    buyers: Vec<Buyer>,
    scope: String,
    cards: Vec<Card>,
    /// Said when the scope holds too few people for any count of them to be shown.
    few_people: Option<&'static str>,
    trends: Vec<String>,
    breakdowns: Vec<String>,
    late: Vec<Late>,
    late_total: usize,
    workbook: Option<String>,
    /// « 3 marchés sans condition sociale ni justification », and where they are listed.
    lacking_social: (usize, String, String),
}

/// `GET /tableau-de-bord?year=&buyer=&departement=`.
pub async fn dashboard(
    viewer: Viewer<can::ReadIndicators>,
    query: web::Query<DashboardQuery>,
    database: web::Data<Database>,
    figures: web::Data<FigureCache>,
    rules: web::Data<ObligationRules>,
) -> Result<HttpResponse, PageError> {
    let (buyer, departement) = (filled(&query.buyer), filled(&query.departement));
    let pending = query.pending.as_deref() == Some("true");
    let narrowing = Narrowing {
        with_pending: pending,
        ..Narrowing::parse(buyer.as_deref(), departement.as_deref())?
    };
    let (year, caller) = (query.year, viewer.caller());
    let shown = crate::web::run(&database, move |conn| {
        let today = app::today();
        app::dashboard::dashboard(conn, &figures, &caller, &rules, &narrowing, year, today)
    })
    .await?;
    let filters = Filters {
        buyer,
        departement,
        pending,
    };
    html(&DashboardPage::of(shown, &viewer, filters))
}

/// The filters a dashboard was asked with.
struct Filters {
    buyer: Option<String>,
    departement: Option<String>,
    pending: bool,
}

/// The yearly workbook of the same view.
fn workbook_address(year: i32, filters: &Filters) -> String {
    let mut url = form_urlencoded::Serializer::new(String::new());
    url.append_pair("year", &year.to_string());
    for (key, value) in [
        ("buyer", &filters.buyer),
        ("departement", &filters.departement),
    ] {
        if let Some(value) = value {
            url.append_pair(key, value);
        }
    }
    if filters.pending {
        url.append_pair("pending", "true");
    }
    format!("/api/exports/compliance.xlsx?{}", url.finish())
}

/// The count of contracts without a social condition nor a ground, its sentence, and the list
/// of them.
fn lacking_social(count: usize, filters: &Filters) -> (usize, String, String) {
    let mut url = form_urlencoded::Serializer::new(String::new());
    url.append_pair("obligation", "social_missing");
    if let Some(buyer) = &filters.buyer {
        url.append_pair("buyer", buyer);
    }
    (
        count,
        crate::domain::obligations::missing_social_sentence(count),
        format!("/marches?{}", url.finish()),
    )
}

/// The ten last years to choose from, and the year shown if older.
fn years_around(year: i32) -> Vec<i32> {
    let this_year = Utc::now().year();
    let mut years: Vec<i32> = (this_year - 9..=this_year).rev().collect();
    if !years.contains(&year) {
        years.push(year);
    }
    years
}

impl DashboardPage {
    /// The figures drawn for the viewer, with the filters they came from.
    fn of(
        shown: Dashboard,
        viewer: &Viewer<can::ReadIndicators>,
        filters: Filters,
    ) -> DashboardPage {
        let (late, late_total) = late(&shown.clauses);
        let now = &shown.now;
        let workbook = viewer
            .may(Action::ExportWorkbooks)
            .then(|| workbook_address(shown.year, &filters));
        let lacking_social = lacking_social(shown.lacking_social_condition, &filters);
        DashboardPage {
            shell: viewer.shell("Tableau de bord"),
            cards: cards(now, &shown.before, shown.year),
            few_people: now.insertion.few_people,
            trends: trend_charts(&shown.series),
            breakdowns: vec![
                breakdown_chart(now, "modality", "par-modalite", "Heures par modalité"),
                breakdown_chart(
                    now,
                    "structure_kind",
                    "par-structure",
                    "Heures par type de structure",
                ),
            ],
            late,
            late_total,
            scope: sentence(&now.scope),
            year: shown.year,
            years: years_around(shown.year),
            pending: filters.pending,
            buyer: filters.buyer.unwrap_or_default(),
            departement: filters.departement.unwrap_or_default(),
            buyers: shown.buyers,
            workbook,
            lacking_social,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::domain::ClauseFacts;

    /// A 1 000 h clause of 2025 with `counted` hours, assessed on 1 July.
    fn clause(lot: i32, counted: i64) -> ClauseView {
        let day = |m| NaiveDate::from_ymd_opt(2025, m, 1).unwrap();
        let hours = |h| Hours::from_hundredths(h * 100).unwrap();
        let assessment = ClauseFacts {
            target: hours(1_000),
            counted: hours(counted),
            start: day(1),
            end: NaiveDate::from_ymd_opt(2025, 12, 31).unwrap(),
            penalty_per_hour: None,
        }
        .assess(day(7));
        ClauseView {
            lot_id: i64::from(lot).into(),
            contract_id: 1.into(),
            buyer_siret: "21310555400017".to_owned(),
            reference: format!("2025-{lot}"),
            object: "Travaux".to_owned(),
            lot,
            lot_title: None,
            start: day(1),
            end: Some(NaiveDate::from_ymd_opt(2025, 12, 31).unwrap()),
            target: hours(1_000),
            target_source: "typed".to_owned(),
            worked: hours(counted),
            pending: hours(0),
            counted: hours(counted),
            status: Some(assessment.status),
            status_label: Some(assessment.status.label()),
            assessment: Some(assessment),
            penalty_per_hour: None,
        }
    }

    #[test]
    fn the_dashboard_lists_the_late_clauses_missing_the_most_hours() {
        // Lots 1–30 have 1 h to 30 h counted: all behind (about 500 h expected by July);
        // lot 99 is on track.
        let mut clauses: Vec<ClauseView> =
            (1..=30).map(|lot| clause(lot, i64::from(lot))).collect();
        clauses.push(clause(99, 900));

        let (shown, total) = late(&clauses);

        assert_eq!(total, 30);
        assert_eq!(shown.len(), LATE_SHOWN);
        let lots: Vec<&str> = shown.iter().map(|l| l.lot.as_str()).collect();
        let expected: Vec<String> = (1..=20).map(|lot: i32| lot.to_string()).collect();
        assert_eq!(lots, expected);
        assert_eq!(
            shown[0].missing,
            text::hours(Hours::from_hundredths(99_900).unwrap())
        );
    }
}
