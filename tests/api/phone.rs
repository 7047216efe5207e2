//! On a phone: Chromium with a phone's screen (390 × 844, mobile emulation) goes through every
//! page of every role on the example data, and no page may scroll sideways. The pages are
//! found as a person finds them: the route table's pages without parameters, then the links
//! those pages give (up to a few per route), so that a page added to the route table is walked
//! too. On each: the document fits the screen's width, touch targets are at least 44 px and
//! chart labels at least 12 px. Screenshots of a few phone views go to docs/screenshots.

use std::collections::{HashMap, HashSet, VecDeque};

use fantoccini::{Client, Locator};
use serde_json::{Value, json};
use suivi_clauses::domain::{Labelled, Role, Siret};
use suivi_clauses::import::examples::{self, Dataset, Loaded};
use suivi_clauses::web::routes::PAGES;

use crate::browser::{
    Driver, accessibility_violations, chrome_options, click, open, project_path, session, type_into,
};
use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, USER_PASSWORD, spawn_app};

const WIDTH: u32 = 390;
const HEIGHT: u32 = 844;
/// The addresses walked per route: a list's first pages, a few of its records.
const PER_ROUTE: usize = 3;
/// A buyer and a company of the example dataset (imports/examples).
const EXAMPLE_BUYER: &str = "24310001900013";
const EXAMPLE_HOLDER: &str = "40000000160004";

/// Phone views shown in the README: route, the screenshot's name, and what to scroll to
/// first (the part of the page worth showing).
const SCREENSHOTS: &[(&str, &str, &str)] = &[
    ("/tableau-de-bord", "telephone-tableau-de-bord", "main h2"),
    ("/marches", "telephone-marches", "main table"),
    ("/marches/{id}", "telephone-marche", "main section h3"),
    ("/imports", "telephone-imports", "main h1"),
    ("/releves", "telephone-releves", "main table"),
];

fn phone_options(profile: &std::path::Path) -> Value {
    chrome_options(
        profile,
        profile,
        json!({ "mobileEmulation": {
            "deviceMetrics": { "width": WIDTH, "height": HEIGHT, "pixelRatio": 2.0, "touch": true },
            "userAgent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Mobile Safari/537.36",
        }}),
    )
}

/// The page route an address belongs to: an exact path first, else a pattern whose
/// parameters (`{id}`) take one segment each. Assets are not pages.
fn page_route(address: &str) -> Option<&'static str> {
    let path = address.split('?').next().unwrap_or_default();
    let pages = || {
        PAGES
            .iter()
            .filter(|r| r.method == "get" && !r.path.starts_with("/static/"))
    };
    let matches = |pattern: &str| {
        let (p, s): (Vec<&str>, Vec<&str>) =
            (pattern.split('/').collect(), path.split('/').collect());
        p.len() == s.len()
            && p.iter()
                .zip(&s)
                .all(|(p, s)| p == s || (p.starts_with('{') && !s.is_empty()))
    };
    pages()
        .find(|r| r.path == path)
        .or_else(|| pages().find(|r| matches(r.path)))
        .map(|r| r.path)
}

/// What the page does wrong on a phone: the document wider than the screen (with the
/// elements sticking out), small touch targets, small chart labels.
const PHONE_CHECKS: &str = r#"
const doc = document.documentElement;
const shown = e => e.getClientRects().length > 0;
const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
    + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : '')
    + ' « ' + (e.textContent || '').trim().slice(0, 40) + ' »';
const inScroller = e => {
  for (let p = e.parentElement; p && p !== doc; p = p.parentElement) {
    if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) return true;
  }
  return false;
};
const problems = [];
if (doc.scrollWidth > doc.clientWidth) {
  const wide = [...document.body.querySelectorAll('*')]
    .filter(e => shown(e) && e.getBoundingClientRect().right > doc.clientWidth + 0.5 && !inScroller(e))
    .slice(-3).map(name);
  problems.push('scrolls sideways: scrollWidth ' + doc.scrollWidth + ' > clientWidth ' + doc.clientWidth + ' (' + wide.join(' ; ') + ')');
}
const targets = 'header a, nav a, button, .button, select, summary, td a, th a, .pager a, '
  + 'input:not([type=hidden]):not([type=checkbox]):not([type=radio]), input[type=checkbox] + label';
for (const e of document.querySelectorAll(targets)) {
  if (!shown(e)) continue;
  const r = e.getBoundingClientRect();
  if (r.height < 43.5 || r.width < 43.5) {
    problems.push('touch target ' + Math.round(r.width) + ' × ' + Math.round(r.height) + ' px: ' + name(e));
  }
}
for (const t of document.querySelectorAll('svg text')) {
  if (!shown(t)) continue;
  const m = t.getScreenCTM();
  const px = parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
  if (px < 11.95) problems.push('chart label of ' + px.toFixed(1) + ' px: ' + name(t));
}
const links = [...document.querySelectorAll('a[href]')]
  .filter(a => a.origin === location.origin && !a.hasAttribute('download'))
  .map(a => a.pathname + a.search);
return { problems: problems.slice(0, 8), links, width: doc.clientWidth };
"#;

struct Seen {
    problems: Vec<String>,
    links: Vec<String>,
}

async fn phone_check(client: &Client) -> Seen {
    let found = client
        .execute(PHONE_CHECKS, vec![])
        .await
        .expect("checks ran");
    assert_eq!(
        found["width"],
        json!(WIDTH),
        "the phone's width is emulated"
    );
    Seen {
        problems: serde_json::from_value(found["problems"].clone()).unwrap(),
        links: serde_json::from_value(found["links"].clone()).unwrap(),
    }
}

fn screenshot_path(name: &str) -> std::path::PathBuf {
    let dir = project_path("docs/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(format!("{name}.png"))
}

/// Saves the phone's screen, scrolled to the first `part` of the page.
async fn save_screenshot(client: &Client, name: &str, part: &str) {
    let scroll = "const e = document.querySelector(arguments[0]); if (e) e.scrollIntoView();";
    client.execute(scroll, vec![json!(part)]).await.unwrap();
    let png = client.screenshot().await.unwrap();
    std::fs::write(screenshot_path(name), png).unwrap();
}

/// The walk of one role: the addresses to visit, and how many were taken per route.
#[derive(Default)]
struct Walk {
    queue: VecDeque<String>,
    seen: HashSet<String>,
    per_route: HashMap<&'static str, usize>,
}

impl Walk {
    fn start() -> Walk {
        let mut walk = Walk::default();
        for route in PAGES.iter().filter(|r| r.method == "get") {
            if !route.path.contains('{') {
                walk.offer(route.path);
            }
        }
        walk.offer("/nulle-part");
        walk
    }

    /// Queues an address unless seen, or its route already has its share.
    fn offer(&mut self, address: &str) {
        if address.starts_with("/api/") || self.seen.contains(address) {
            return;
        }
        let route = page_route(address).unwrap_or("(aucune page)");
        let taken = self.per_route.entry(route).or_default();
        if *taken < PER_ROUTE {
            *taken += 1;
            self.seen.insert(address.to_owned());
            self.queue.push_back(address.to_owned());
        }
    }
}

/// Signs in through the form as a person does.
pub async fn sign_in(client: &Client, app: &TestApp, email: &str, password: &str) {
    client.delete_all_cookies().await.unwrap();
    open(client, app, "/connexion").await;
    type_into(client, "email", email).await;
    type_into(client, "password", password).await;
    click(client, "main form button[type=submit]").await;
    client
        .wait()
        .for_element(Locator::Css("nav.menu"))
        .await
        .unwrap_or_else(|e| panic!("{email} signed in: {e}"));
}

/// Walks every page `role` reaches; returns the routes visited.
async fn walk_role(
    client: &Client,
    app: &TestApp,
    role: &str,
    screenshots: bool,
    failures: &mut Vec<String>,
) -> HashSet<&'static str> {
    let mut walk = Walk::start();
    let mut visited = HashSet::new();
    let mut shot = HashSet::new();
    while let Some(address) = walk.queue.pop_front() {
        open(client, app, &address).await;
        let seen = phone_check(client).await;
        failures.extend(
            seen.problems
                .iter()
                .map(|p| format!("{role} {address}: {p}")),
        );
        let route = page_route(&address).unwrap_or("(aucune page)");
        visited.insert(route);
        if screenshots {
            for violation in accessibility_violations(client).await {
                failures.push(format!("{role} {address}: {violation}"));
            }
            let view = SCREENSHOTS.iter().find(|(r, _, _)| *r == route);
            if let Some((_, name, part)) = view.filter(|(_, name, _)| shot.insert(*name)) {
                save_screenshot(client, name, part).await;
            }
        }
        for link in &seen.links {
            walk.offer(link);
        }
    }
    visited
}

/// The example dataset, a refused hours file (its report lists errors) and a company's
/// statement awaiting review.
pub async fn example_data(app: &TestApp) {
    let importer = crate::helpers::test_settings(&crate::helpers::TestDatabase::new())
        .importer()
        .unwrap();
    let loaded = app
        .database
        .run(move |conn| -> anyhow::Result<Loaded> {
            Ok(examples::load(conn, &importer, &Dataset::embedded())?)
        })
        .await
        .unwrap();
    assert!(matches!(loaded, Loaded::Loaded { .. }), "{loaded:?}");
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await.token;
    let refused = format!(
        "Référence marché;SIRET entreprise;Mois;Identifiant participant;Modalité;Heures travaillées\n\
         2025-TX-008;{EXAMPLE_HOLDER};13/2025;P-0025;Embauche directe;35\n\
         INCONNU-AVEC-UNE-REFERENCE-TRES-LONGUE-SANS-ESPACE;{EXAMPLE_HOLDER};06/2025;P-0025;Embauche directe;-4\n"
    );
    let (status, body) = app
        .import(
            &admin,
            "hours",
            "heures-erreurs.csv",
            refused.into_bytes(),
            false,
        )
        .await;
    assert_eq!(status, 422, "{body}");
    let company = app
        .create_user(Role::Company, vec![Siret::parse(EXAMPLE_HOLDER).unwrap()])
        .await;
    let company = app.session(&company.email, USER_PASSWORD).await.token;
    let statement = format!(
        "Référence marché;Lot;SIRET entreprise;Mois;Identifiant participant;Modalité;Heures travaillées\n\
         2025-TX-008;1;{EXAMPLE_HOLDER};12/2025;P-0025;Embauche directe;35\n"
    );
    let (status, body) = app
        .import(
            &company,
            "hours",
            "heures-decembre.csv",
            statement.into_bytes(),
            false,
        )
        .await;
    assert_eq!(status, 201, "{body}");
}

/// An account of `role` on the example data: an officer of one buyer, the company holding
/// lots of it, the others over every buyer.
async fn account_of(app: &TestApp, role: Role) -> String {
    let scope = match role {
        Role::BuyerOfficer => vec![Siret::parse(EXAMPLE_BUYER).unwrap()],
        Role::Company => vec![Siret::parse(EXAMPLE_HOLDER).unwrap()],
        _ => vec![],
    };
    app.create_user(role, scope).await.email
}

#[tokio::test]
#[ignore = "needs Chromium"]
async fn on_a_phone_no_page_of_any_role_scrolls_sideways() {
    let app = spawn_app().await;
    example_data(&app).await;
    let profile = tempfile::tempdir().unwrap();
    let driver = Driver::start();
    let client = session(&driver, phone_options(profile.path())).await;
    let mut failures = Vec::new();

    // Signed out: the sign-in page and the page of an unknown address.
    for address in ["/connexion", "/nulle-part"] {
        open(&client, &app, address).await;
        let seen = phone_check(&client).await;
        failures.extend(
            seen.problems
                .iter()
                .map(|p| format!("anonyme {address}: {p}")),
        );
    }

    // The administrator reaches every page of the route table, each checked by axe-core too.
    sign_in(&client, &app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let visited = walk_role(&client, &app, "admin", true, &mut failures).await;
    let unreached: Vec<&str> = PAGES
        .iter()
        .filter(|r| r.method == "get" && !r.path.starts_with("/static/"))
        .map(|r| r.path)
        .filter(|path| !visited.contains(path))
        .collect();
    assert!(
        unreached.is_empty(),
        "pages no link leads to (link them from a page the administrator sees): {unreached:?}"
    );

    for &role in Role::ALL.iter().filter(|r| **r != Role::Admin) {
        let email = account_of(&app, role).await;
        sign_in(&client, &app, &email, USER_PASSWORD).await;
        walk_role(&client, &app, role.code(), false, &mut failures).await;
    }

    assert!(failures.is_empty(), "on a phone:\n{}", failures.join("\n"));

    // The menu folds behind one button and opens without script.
    sign_in(&client, &app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    open(&client, &app, "/marches").await;
    let menu_link = Locator::Css(".menu-narrow a[href='/imports']");
    let folded = client.find(menu_link).await.unwrap();
    assert!(!folded.is_displayed().await.unwrap(), "menu folded");
    let wide = client.find(Locator::Css(".menu-wide")).await.unwrap();
    assert!(!wide.is_displayed().await.unwrap(), "the wide menu hidden");
    click(&client, ".menu-narrow summary").await;
    assert!(folded.is_displayed().await.unwrap(), "menu opened");
    save_screenshot(&client, "telephone-menu", "body").await;

    client.close().await.unwrap();
}

/// The walk's matching of addresses to the route table, which the walk's coverage rests on.
#[test]
fn addresses_are_matched_to_their_page_route() {
    assert_eq!(page_route("/marches"), Some("/marches"));
    assert_eq!(page_route("/marches?page=2"), Some("/marches"));
    assert_eq!(page_route("/marches/12"), Some("/marches/{id}"));
    assert_eq!(
        page_route("/entreprises/40000000160004"),
        Some("/entreprises/{siret}")
    );
    assert_eq!(page_route("/nulle-part/12/autre"), None);
    assert_eq!(page_route("/static/style.css"), None);
}
