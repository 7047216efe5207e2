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
use crate::domain::lot::lot_heading;
use crate::domain::{ClauseStatus, Hours, Labelled, Month, ObligationRules};
use crate::indicators::clauses::ClauseView;
use crate::indicators::{
    Breakdown, FigureCache, Freshness, Indicators, Insertion, Share, YearFigures,
};
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

/// A figure card: the figure, its change, one sentence saying what it is; the method behind
/// a disclosure.
pub struct Card {
    pub label: &'static str,
    pub value: String,
    pub change: String,
    pub sentence: &'static str,
    pub method: String,
    /// Said beside the value: the hours awaiting validation.
    pub note: String,
}

fn card(label: &'static str, value: String, change: String, method: &str) -> Card {
    Card {
        sentence: sentence_of(label),
        label,
        value,
        change,
        method: method.to_owned(),
        note: String::new(),
    }
}

/// What each figure is, in one plain sentence for a reader who does not know the method.
fn sentence_of(label: &str) -> &'static str {
    match label {
        "Heures d'insertion" => {
            "Heures travaillées par des personnes en insertion sur les marchés à clause."
        }
        "Équivalents temps plein" => {
            "Ces heures en emplois à temps plein sur un an (1 607 heures chacun)."
        }
        "Participants" => "Personnes en insertion qui ont travaillé sur ces marchés.",
        "Contrats de travail" => {
            "Contrats de travail de ces personnes, par type, et leur nombre moyen par personne."
        }
        "Sorties vers l'emploi" => {
            "Part des personnes sorties du parcours qui ont trouvé un emploi."
        }
        "Part des heures réalisées par des femmes" => {
            "Part des heures d'insertion travaillées par des femmes."
        }
        "Marchés avec clause d'insertion" => {
            "Part des marchés notifiés qui demandent des heures d'insertion."
        }
        "Marchés réservés" => {
            "Part des marchés réservés aux structures d'insertion, du handicap ou de l'ESS."
        }
        "Marchés avec critère social" => {
            "Part des marchés attribués en notant aussi un critère social."
        }
        "Part des entreprises locales (montant)" => {
            "Part du montant attribué à des entreprises établies sur le territoire."
        }
        "Part des TPE et PME (montant)" => {
            "Part du montant attribué à des petites et moyennes entreprises."
        }
        "Montant des marchés réservés" => "Montant des lots réservés notifiés sur la période.",
        _ => "",
    }
}

/// A share with its part and whole, written by `unit` (a count, or cents as euros).
fn share_card(
    label: &'static str,
    now: &Share,
    before: &Share,
    last: &str,
    unit: fn(i64) -> String,
) -> Card {
    card(
        label,
        format!("{} ({} sur {})", now.text, unit(now.part), unit(now.whole)),
        text::change_points(now.rate, before.rate, last),
        &now.method,
    )
}

/// Said in place of a figure that would single out people.
fn masked() -> String {
    "masqué (moins de 5 personnes)".to_owned()
}

/// The women's share of hours, masked when it would give back a hidden group.
fn women_card(i: &Insertion, b: &Insertion, last: &str) -> Card {
    const LABEL: &str = "Part des heures réalisées par des femmes";
    match (&i.women_hours_share, &b.women_hours_share) {
        (Some(now), Some(before)) => share_card(LABEL, now, before, last, text::hundredths),
        (Some(now), None) => card(
            LABEL,
            format!(
                "{} ({} sur {})",
                now.text,
                text::hundredths(now.part),
                text::hundredths(now.whole)
            ),
            String::new(),
            &now.method,
        ),
        (None, _) => card(
            LABEL,
            masked(),
            String::new(),
            "Une part qui redonnerait les heures d'un groupe masqué (moins de 5 personnes) n'est pas montrée.",
        ),
    }
}

/// The participants and their exits, each masked when it would single out people.
fn people_cards(i: &Insertion, b: &Insertion, last: &str) -> [Card; 2] {
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
                share_card("Sorties vers l'emploi", now, before, last, text::count)
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

/// The work contracts and the people holding them; their types and the contracts per person
/// said beside. Masked with the people.
fn contracts_card(now: &Indicators, before: &Indicators, last: &str) -> Card {
    let (w, b) = (&now.work_contracts, &before.work_contracts);
    let (value, note) = match (w.contracts, w.people) {
        (Some(contracts), Some(people)) => {
            let mut said = vec![w.per_person_text.clone()];
            said.extend(w.by_type.iter().map(|g| match g.contracts {
                Some(n) => format!("{} : {}", g.label, text::count(n)),
                None => "autres types masqués".to_owned(),
            }));
            (
                format!(
                    "{} pour {} personnes",
                    text::count(contracts),
                    text::count(people)
                ),
                said.join(" ; "),
            )
        }
        _ => (masked(), String::new()),
    };
    let change = match (w.contracts, b.contracts) {
        (Some(now), Some(before)) => text::change(now, before, last),
        _ => String::new(),
    };
    Card {
        note,
        ..card("Contrats de travail", value, change, w.method)
    }
}

/// The cards of `now`, each compared with `before`, the period `last` names.
fn cards(now: &Indicators, before: &Indicators, last: &str) -> Vec<Card> {
    let (i, b) = (&now.insertion, &before.insertion);
    let (c, p) = (&now.charter, &before.charter);
    let reserved = c.reserved_amount().cents();
    let [people, exits] = people_cards(i, b, last);
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
        women_card(i, b, last),
        contracts_card(now, before, last),
        share_card(
            "Marchés avec clause d'insertion",
            &c.with_clause,
            &p.with_clause,
            last,
            text::count,
        ),
        share_card(
            "Marchés réservés",
            &c.reserved_contracts,
            &p.reserved_contracts,
            last,
            text::count,
        ),
        share_card(
            "Marchés avec critère social",
            &c.with_social_criterion,
            &p.with_social_criterion,
            last,
            text::count,
        ),
        share_card(
            "Part des entreprises locales (montant)",
            &c.local_by_value,
            &p.local_by_value,
            last,
            text::cents,
        ),
        share_card(
            "Part des TPE et PME (montant)",
            &c.small_firms_by_value,
            &p.small_firms_by_value,
            last,
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

/// One breakdown of the participants as the dashboard's table shows it.
pub struct Publics {
    pub label: &'static str,
    pub groups: Vec<PublicGroup>,
}

pub struct PublicGroup {
    pub label: String,
    pub participants: String,
}

/// The breakdowns about people, in their order; hidden groups stand as one line.
fn publics(figures: &Indicators) -> Vec<Publics> {
    crate::indicators::PEOPLE
        .iter()
        .filter_map(|d| {
            figures
                .insertion
                .breakdowns
                .iter()
                .find(|b| b.dimension == *d)
        })
        .map(|b| Publics {
            label: b.label,
            groups: b
                .groups
                .iter()
                .map(|g| PublicGroup {
                    label: g.label.clone(),
                    participants: g
                        .participants
                        .map_or_else(|| "masqué".to_owned(), text::count),
                })
                .collect(),
        })
        .collect()
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

/// Said for a year of the trend before the scope's first contract or hour: no data is not
/// zero.
const NO_DATA: &str = "pas de données";

/// "janvier à novembre 2025": the months of `year` a year under way is counted over.
fn months_label(through: Month, year: i32) -> String {
    match through.month() {
        1 => format!("janvier {year}"),
        _ => format!("janvier à {} {year}", through.french_name()),
    }
}

/// The five years' bars: `value` and `text` of each year, "pas de données" for the years
/// before any, the year under way labelled with its months.
fn trend_data(
    series: &[YearFigures],
    through: Option<Month>,
    value: impl Fn(&YearFigures) -> (i64, String),
) -> Vec<Datum> {
    let first = series
        .iter()
        .find(|y| y.contracts > 0 || y.hours > Hours::ZERO || y.awarded.cents() > 0)
        .map(|y| y.year);
    let last = series.last().map(|y| y.year);
    series
        .iter()
        .map(|y| {
            let label = match through {
                Some(month) if Some(y.year) == last => {
                    format!("{} ({})", y.year, months_label(month, y.year))
                }
                _ => y.year.to_string(),
            };
            let (value, text) = if first.is_none_or(|first| y.year < first) {
                (0, NO_DATA.to_owned())
            } else {
                value(y)
            };
            Datum { label, value, text }
        })
        .collect()
}

fn trend_charts(series: &[YearFigures], through: Option<Month>) -> Vec<String> {
    let hours = trend_data(series, through, |y| {
        (y.hours.hundredths(), text::hours(y.hours))
    });
    let local = trend_data(series, through, |y| {
        (
            y.local_by_value.map_or(0, |r| r.basis_points()),
            text::rate(y.local_by_value),
        )
    });
    let awarded = trend_data(series, through, |y| {
        (y.awarded.cents(), text::euros(y.awarded))
    });
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
/// Those a printout keeps: the page is one A4 sheet for an assembly's file.
const LATE_PRINTED: usize = 5;

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
            lot: lot_heading(c.lot, c.lot_title.as_deref()),
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
    /// The period shown and what it is compared with.
    period: String,
    /// « Chiffres du 30/11 à 10 h 42 (UTC), mise à jour en cours. » when the figures shown are
    /// those of before a write, the new ones being computed.
    stale: Option<String>,
    /// The filters, said in words for a printout.
    filters_text: String,
    printed: String,
    cards: Vec<Card>,
    /// Said when the scope holds too few people for any count of them to be shown.
    few_people: Option<&'static str>,
    trends: Vec<String>,
    breakdowns: Vec<String>,
    /// The participants by criterion, sex, age, QPV, exit and six-month situation.
    publics: Vec<Publics>,
    late: Vec<Late>,
    late_total: usize,
    /// The late clauses a printout keeps, for it to hold on one A4 page.
    late_printed: usize,
    workbook: Option<String>,
    /// The yearly report to funders, for those who may export workbooks.
    annual_report: Option<String>,
    /// The SPASER report of the year for the buyer filtered (all of the scope otherwise).
    spaser: Option<String>,
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

/// Said above the figures while newer ones are computed. Times are in UTC, as on the other
/// pages.
fn stale_line(freshness: Freshness) -> Option<String> {
    freshness.stale.then(|| {
        format!(
            "Chiffres du {} (heure UTC), mise à jour en cours.",
            freshness.computed_at.format("%d/%m à %H h %M")
        )
    })
}

/// The filters a dashboard was asked with.
struct Filters {
    buyer: Option<String>,
    departement: Option<String>,
    pending: bool,
}

impl Filters {
    /// "acheteur Commune de Muret ; département 31 ; heures en attente comptées", or "aucun".
    fn in_words(&self, buyers: &[Buyer]) -> String {
        let mut said = Vec::new();
        if let Some(siret) = &self.buyer {
            let name = buyers
                .iter()
                .find(|b| b.siret.as_str() == siret)
                .map_or_else(|| siret.clone(), |b| b.name.to_string());
            said.push(format!("acheteur {name}"));
        }
        if let Some(departement) = &self.departement {
            said.push(format!("département {departement}"));
        }
        said.push(
            if self.pending {
                "heures en attente de validation comptées"
            } else {
                "heures validées seulement"
            }
            .to_owned(),
        );
        said.join(" ; ")
    }
}

/// A yearly workbook of the same view at `path`; the hours awaiting validation counted when
/// the page counts them and the workbook can (`pending`).
fn export_address(path: &str, year: i32, filters: &Filters, pending: bool) -> String {
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
    if pending && filters.pending {
        url.append_pair("pending", "true");
    }
    format!("{path}?{}", url.finish())
}

/// The yearly workbook of the same view.
fn workbook_address(year: i32, filters: &Filters) -> String {
    export_address("/api/exports/compliance.xlsx", year, filters, true)
}

/// The yearly report to funders, with the filters of the page (validated hours only).
fn annual_report_address(year: i32, filters: &Filters) -> String {
    export_address("/api/exports/annual-report.xlsx", year, filters, false)
}

/// The SPASER workbook of the year, for the buyer filtered.
fn spaser_address(year: i32, filters: &Filters) -> String {
    let mut url = form_urlencoded::Serializer::new(String::new());
    url.append_pair("year", &year.to_string());
    if let Some(buyer) = &filters.buyer {
        url.append_pair("buyer", buyer);
    }
    format!("/api/exports/spaser.xlsx?{}", url.finish())
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
        let annual_report = viewer
            .may(Action::ExportWorkbooks)
            .then(|| annual_report_address(shown.year, &filters));
        let spaser = viewer
            .may(Action::ReadObligations)
            .then(|| spaser_address(shown.year, &filters));
        let lacking_social = lacking_social(shown.lacking_social_condition, &filters);
        let (year, last) = (shown.year, shown.year - 1);
        let (period, compared) = match shown.through {
            Some(month) => (
                format!(
                    "année {year} en cours : {}, comparés aux mêmes mois de {last}",
                    months_label(month, year)
                ),
                months_label(month, last),
            ),
            None => (
                format!("année {year} complète, comparée à {last}"),
                last.to_string(),
            ),
        };
        DashboardPage {
            shell: viewer.shell("Tableau de bord"),
            cards: cards(now, &shown.before, &compared),
            period,
            stale: stale_line(shown.freshness),
            filters_text: filters.in_words(&shown.buyers),
            printed: crate::app::today().format("%d/%m/%Y").to_string(),
            few_people: now.insertion.few_people,
            trends: trend_charts(&shown.series, shown.through),
            breakdowns: vec![
                breakdown_chart(now, "modality", "par-modalite", "Heures par modalité"),
                breakdown_chart(
                    now,
                    "structure_kind",
                    "par-structure",
                    "Heures par type de structure",
                ),
            ],
            publics: publics(now),
            late,
            late_total,
            late_printed: LATE_PRINTED,
            scope: sentence(&now.scope),
            year: shown.year,
            years: years_around(shown.year),
            pending: filters.pending,
            buyer: filters.buyer.unwrap_or_default(),
            departement: filters.departement.unwrap_or_default(),
            buyers: shown.buyers,
            workbook,
            annual_report,
            spaser,
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
            qpv_share: None,
            qpv_counted: None,
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
        let expected: Vec<String> = (1..=20).map(|lot: i32| format!("Lot {lot}")).collect();
        assert_eq!(lots, expected);
        assert_eq!(
            shown[0].missing,
            text::hours(Hours::from_hundredths(99_900).unwrap())
        );
    }
}
