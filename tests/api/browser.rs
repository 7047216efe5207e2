//! Tested as a person would: headless Chromium driven over chromedriver (fantoccini), with
//! axe-core run on every page and screenshots of the main pages saved into docs/screenshots.
//!
//! Needs the Debian packages chromium and chromium-driver, and axe-core installed by
//! `npm ci --prefix tests/browser`; `.ci/run` installs them and runs these ignored tests.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use suivi_clauses::domain::Role;

use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, USER_PASSWORD, spawn_app};
use crate::indicators::{local_sme, territory};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

pub fn project_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// chromedriver on a free port, stopped when dropped.
pub struct Driver {
    process: Child,
    url: String,
}

impl Driver {
    pub fn start() -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let process = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("{CHROMEDRIVER} cannot start ({e}): install chromium-driver")
            });
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not listen");
            std::thread::sleep(Duration::from_millis(100));
        }
        Driver {
            process,
            url: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// Chromium headless, French, downloads into `downloads`; `extra` adds options (a phone's
/// emulation).
pub fn chrome_options(profile: &Path, downloads: &Path, extra: Value) -> Value {
    let mut options = json!({
        "binary": CHROMIUM,
        "args": [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-quic", "--no-first-run", "--lang=fr-FR", "--window-size=1280,1000",
            format!("--user-data-dir={}", profile.display()),
        ],
        "prefs": {
            "download.default_directory": downloads.display().to_string(),
            "download.prompt_for_download": false,
            "intl.accept_languages": "fr-FR,fr",
        },
    });
    if let (Value::Object(options), Value::Object(extra)) = (&mut options, extra) {
        options.extend(extra);
    }
    options
}

/// A browser session: Chromium headless, French, downloads into `downloads`.
async fn browser(driver: &Driver, profile: &Path, downloads: &Path) -> Client {
    session(driver, chrome_options(profile, downloads, json!({}))).await
}

/// A Chromium session with these `goog:chromeOptions`.
pub async fn session(driver: &Driver, options: Value) -> Client {
    let capabilities = json!({ "browserName": "chrome", "goog:chromeOptions": options });
    let Value::Object(capabilities) = capabilities else {
        unreachable!()
    };
    ClientBuilder::rustls()
        .unwrap()
        .capabilities(capabilities)
        .connect(&driver.url)
        .await
        .expect("a Chromium session")
}

/// axe-core's WCAG 2.1 A and AA rules on the page: the serious and critical violations.
pub async fn accessibility_violations(client: &Client) -> Vec<String> {
    let axe = std::fs::read_to_string(project_path(
        "tests/browser/node_modules/axe-core/axe.min.js",
    ))
    .expect("axe-core installed: npm ci --prefix tests/browser");
    client
        .execute(&axe, vec![])
        .await
        .expect("axe-core injected");
    let found = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
               .then(r => done(r.violations
                 .filter(v => v.impact === 'serious' || v.impact === 'critical')
                 .map(v => v.id + ' (' + v.impact + '): ' + v.help + ' — '
                      + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))))
               .catch(e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await
        .expect("axe-core ran");
    serde_json::from_value(found).unwrap()
}

/// Checks the page with axe-core; saves its screenshot when it is one the README shows.
async fn check_page(client: &Client, name: &str, screenshot: bool, failures: &mut Vec<String>) {
    let violations = accessibility_violations(client).await;
    if !violations.is_empty() {
        failures.push(format!("{name}: {}", violations.join("\n  ")));
    }
    if screenshot {
        let png = client.screenshot().await.unwrap();
        let dir = project_path("docs/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }
}

pub async fn open(client: &Client, app: &TestApp, path: &str) {
    client.goto(&app.url(path)).await.unwrap();
    client
        .wait()
        .for_element(Locator::Css("main h1"))
        .await
        .unwrap();
}

pub async fn click(client: &Client, css: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap();
}

pub async fn type_into(client: &Client, id: &str, text: &str) {
    client
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("#{id}: {e}"))
        .send_keys(text)
        .await
        .unwrap();
}

async fn main_text(client: &Client) -> String {
    client
        .find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn figure(client: &Client, label: &str) -> String {
    client
        .find(Locator::Css(&format!("[data-figure=\"{label}\"]")))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

fn whole(text: &str) -> i64 {
    text.chars()
        .take_while(|c| *c != ',')
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap()
}

/// Sends `file` through the upload form as `kind`; returns the report page's text.
async fn upload(client: &Client, app: &TestApp, kind: &str, file: &Path) -> String {
    open(client, app, "/imports").await;
    client
        .find(Locator::Id("kind"))
        .await
        .unwrap()
        .select_by_value(kind)
        .await
        .unwrap();
    type_into(client, "file", &file.display().to_string()).await;
    click(client, "#envoi button[type=submit]").await;
    let main = client
        .wait()
        .for_element(Locator::Css("main .lead"))
        .await
        .unwrap();
    // A small file is done at once; a large one is followed until its report shows.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let text = main_text(client).await;
        if !text.contains("ligne(s) sur") || Instant::now() > deadline {
            drop(main);
            return text;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// Waits without blocking the test's runtime (its HTTP client's connections live on it).
async fn wait_for_download(dir: &Path) -> PathBuf {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let done = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|e| e == "xlsx"));
        if let Some(path) = done {
            return path;
        }
        assert!(
            Instant::now() < deadline,
            "no workbook downloaded into {}",
            dir.display()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
#[ignore = "needs Chromium"]
async fn a_person_signs_in_sends_files_and_sees_the_dashboard_and_every_page_is_accessible() {
    let app = spawn_app().await;
    territory(&app).await;
    let work = tempfile::tempdir().unwrap();
    let (profile, downloads) = (
        work.path().join("profil"),
        work.path().join("telechargements"),
    );
    std::fs::create_dir_all(&downloads).unwrap();
    let driver = Driver::start();
    let client = browser(&driver, &profile, &downloads).await;
    let mut failures = Vec::new();

    // The dashboard asks for a session first, then comes back to it.
    client.goto(&app.url("/tableau-de-bord")).await.unwrap();
    client
        .wait()
        .for_element(Locator::Id("email"))
        .await
        .unwrap();
    check_page(&client, "connexion", true, &mut failures).await;
    type_into(&client, "email", ADMIN_EMAIL).await;
    type_into(&client, "password", ADMIN_PASSWORD).await;
    click(&client, "main form button[type=submit]").await;
    client
        .wait()
        .for_element(Locator::Css("[data-figure]"))
        .await
        .unwrap();
    assert_eq!(
        client.current_url().await.unwrap().path(),
        "/tableau-de-bord"
    );
    let before = whole(&figure(&client, "Heures d'insertion").await);
    client.set_window_size(1280, 2400).await.unwrap();
    check_page(&client, "tableau-de-bord", true, &mut failures).await;
    client.set_window_size(1280, 1000).await.unwrap();

    // A statement of 35 hours: the dashboard moves by as much.
    let good = work.path().join("heures-juin.csv");
    std::fs::write(
        &good,
        format!(
            "Référence marché;SIRET entreprise;Mois;Identifiant participant;Modalité;Heures travaillées\n\
             2025-01;{};06/2025;P2;Embauche directe;35\n",
            local_sme()
        ),
    )
    .unwrap();
    let report = upload(&client, &app, "hours", &good).await;
    assert!(report.contains("Fichier importé"), "{report}");
    let sent = client.current_url().await.unwrap().path().to_owned();
    check_page(&client, "import-reussi", false, &mut failures).await;
    open(&client, &app, "/tableau-de-bord?year=2025").await;
    let after = whole(&figure(&client, "Heures d'insertion").await);
    assert_eq!(after - before, 35);

    // The yearly workbook, downloaded by its button, opens with calamine.
    click(&client, "a[href^='/api/exports/compliance.xlsx']").await;
    let workbook = wait_for_download(&downloads).await;
    let sheets = calamine::open_workbook_auto(&workbook).unwrap();
    assert!(calamine::Reader::sheet_names(&sheets).contains(&"Synthèse".to_owned()));

    // A file with mistakes: the report says where and what to change.
    let bad = work.path().join("heures-erreurs.csv");
    std::fs::write(
        &bad,
        format!(
            "Référence marché;SIRET entreprise;Mois;Identifiant participant;Modalité;Heures travaillées\n\
             2025-01;{};13/2025;P2;Embauche directe;35\n\
             INCONNU;{};06/2025;P2;Embauche directe;-4\n",
            local_sme(),
            local_sme()
        ),
    )
    .unwrap();
    let report = upload(&client, &app, "hours", &bad).await;
    assert!(report.contains("Fichier refusé"), "{report}");
    assert!(report.contains("13/2025"), "{report}");
    check_page(&client, "import-refuse", true, &mut failures).await;

    // Every other page, each checked by axe-core.
    let company = local_sme();
    let pages = [
        ("/marches", "marches", true),
        ("/marches?q=2025-01", "marches-recherche", false),
        ("/entreprises", "entreprises", true),
        (
            &format!("/entreprises/{company}") as &str,
            "entreprise",
            false,
        ),
        ("/entreprises?structures=true", "structures", false),
        ("/imports", "imports", true),
        ("/a-faire", "a-faire", false),
        ("/participants", "participants", false),
        ("/participants/nouveau", "participant-nouveau", false),
        ("/utilisateurs", "utilisateurs", false),
        ("/journal", "journal", false),
        ("/compte", "compte", false),
        ("/nulle-part", "introuvable", false),
    ];
    for (path, name, screenshot) in pages {
        open(&client, &app, path).await;
        check_page(&client, name, screenshot, &mut failures).await;
    }
    // The contract of the territory with its clause chart.
    let first = crate::indicators::json_of(
        &app,
        "/api/contracts?q=2025-01",
        &app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await.token,
    )
    .await;
    let id = first["items"][0]["id"].as_i64().unwrap();
    open(&client, &app, &format!("/marches/{id}")).await;
    client.set_window_size(1280, 1800).await.unwrap();
    check_page(&client, "marche-clause", true, &mut failures).await;
    client.set_window_size(1280, 1000).await.unwrap();

    // A participant's page: its months as a list, its work contracts, the six-month situation's
    // form.
    let participants = crate::indicators::json_of(
        &app,
        "/api/participants?q=P2",
        &app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await.token,
    )
    .await;
    let participant = participants["items"][0]["id"].as_i64().unwrap();
    open(&client, &app, &format!("/participants/{participant}")).await;
    let text = main_text(&client).await;
    assert!(text.contains("juin 2025"), "{text}");
    // Its work contracts, derived from the statements, as a table read as cards on a phone.
    assert!(text.contains("Déduit des relevés d'heures"), "{text}");
    check_page(&client, "participant", false, &mut failures).await;
    open(
        &client,
        &app,
        &format!("/participants/{participant}/modifier"),
    )
    .await;
    check_page(&client, "participant-modifier", false, &mut failures).await;

    // The June statement, sent by mistake, undone from its page: posted without its box ticked
    // (the browser's own check set aside), the reason shows beside the box; ticked, the import
    // is undone and the dashboard is back where it was.
    open(&client, &app, &sent).await;
    client
        .execute(
            "document.getElementById('confirm').required = false;",
            vec![],
        )
        .await
        .unwrap();
    click(&client, "#annulation button[type=submit]").await;
    client
        .wait()
        .for_element(Locator::Id("annulation-erreur"))
        .await
        .unwrap();
    assert_eq!(
        client
            .find(Locator::Id("confirm"))
            .await
            .unwrap()
            .attr("aria-invalid")
            .await
            .unwrap()
            .as_deref(),
        Some("true")
    );
    check_page(&client, "import-annulation-refusee", false, &mut failures).await;
    click(&client, "#confirm").await;
    click(&client, "#annulation button[type=submit]").await;
    client
        .wait()
        .for_element(Locator::Css("main .notice"))
        .await
        .unwrap();
    assert!(main_text(&client).await.contains("Import annulé le"));
    check_page(&client, "import-annule", false, &mut failures).await;
    open(&client, &app, "/tableau-de-bord?year=2025").await;
    assert_eq!(whole(&figure(&client, "Heures d'insertion").await), before);

    // Signing out leaves the sign-in page.
    sign_out(&client).await;
    let text = main_text(&client).await;
    assert!(text.contains("Vous êtes déconnecté"), "{text}");

    // The check itself finds what it should: an image without a text alternative.
    client
        .goto("data:text/html;charset=utf-8,<html lang=fr><title>t</title><main><img src=x.png></main></html>")
        .await
        .unwrap();
    let planted = accessibility_violations(&client).await;
    assert!(
        planted.iter().any(|v| v.starts_with("image-alt")),
        "{planted:?}"
    );

    client.close().await.unwrap();
    assert!(
        failures.is_empty(),
        "accessibility:\n{}",
        failures.join("\n")
    );
}

/// Signs in through the sign-in page; waits for the first page of the role.
async fn sign_in(client: &Client, app: &TestApp, email: &str, password: &str) {
    open(client, app, "/connexion").await;
    type_into(client, "email", email).await;
    type_into(client, "password", password).await;
    click(client, "main form button[type=submit]").await;
    client
        .wait()
        .for_element(Locator::Css("nav.menu"))
        .await
        .unwrap();
}

/// Signs out by the header's button; waits for the sign-in page.
async fn sign_out(client: &Client) {
    click(client, "header form button").await;
    client
        .wait()
        .for_element(Locator::Id("email"))
        .await
        .unwrap();
}

async fn text_of(client: &Client, css: &str) -> String {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .text()
        .await
        .unwrap()
}

#[tokio::test]
#[ignore = "needs Chromium"]
async fn an_administrator_creates_a_facilitator_who_calibrates_a_clause_in_the_lots_form() {
    let app = spawn_app().await;
    app.add_buyer(1, "Commune").await;
    let work = tempfile::tempdir().unwrap();
    let driver = Driver::start();
    let client = browser(&driver, &work.path().join("profil"), work.path()).await;
    let mut failures = Vec::new();

    // The administrator creates a facilitateur of the buyer in the page.
    sign_in(&client, &app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    open(&client, &app, "/utilisateurs").await;
    check_page(&client, "utilisateurs", false, &mut failures).await;
    open(&client, &app, "/utilisateurs/nouveau").await;
    check_page(&client, "utilisateur-nouveau", false, &mut failures).await;
    let email = "nina.facilitatrice@test.local";
    type_into(&client, "email", email).await;
    type_into(&client, "display_name", "Nina").await;
    client
        .find(Locator::Id("role"))
        .await
        .unwrap()
        .select_by_value("facilitator")
        .await
        .unwrap();
    click(&client, "#buyer-1").await;
    click(&client, "#creation button[type=submit]").await;
    client
        .wait()
        .for_element(Locator::Id("mot-de-passe"))
        .await
        .unwrap();
    let password = text_of(&client, "#mot-de-passe").await;
    check_page(&client, "utilisateur-cree", false, &mut failures).await;
    sign_out(&client).await;

    // She signs in and creates the contract with its lot; a SIRET mistyped is refused inside
    // the form, as typed.
    sign_in(&client, &app, email, &password).await;
    open(&client, &app, "/marches").await;
    click(&client, "a[href='/marches/nouveau']").await;
    client
        .wait()
        .for_element(Locator::Id("reference"))
        .await
        .unwrap();
    check_page(&client, "marche-nouveau", false, &mut failures).await;
    for (field, value) in [
        ("reference", "2025-VOIRIE"),
        ("object", "Réfection de la voirie"),
        ("notification_date", "01/03/2025"),
        ("duration_months", "24"),
        ("lot-0-number", "1"),
        ("lot-0-title", "Chaussées"),
        ("lot-0-award-0-siret", "443 061 841 00048"),
        ("lot-0-award-0-name", "Routes du Sud"),
        ("lot-0-award-0-amount", "1 000 000"),
    ] {
        type_into(&client, field, value).await;
    }
    click(&client, "#marche button[type=submit]").await;
    client
        .wait()
        .for_element(Locator::Css(".field-error"))
        .await
        .unwrap();
    let siret_field = client
        .find(Locator::Id("lot-0-award-0-siret"))
        .await
        .unwrap();
    assert_eq!(
        siret_field.attr("value").await.unwrap().as_deref(),
        Some("443 061 841 00048")
    );
    assert_eq!(
        siret_field.attr("aria-invalid").await.unwrap().as_deref(),
        Some("true")
    );
    let said = text_of(&client, "#lot-0-award-0-siret-erreur").await;
    assert!(said.contains("clé de contrôle est fausse"), "{said}");
    check_page(&client, "marche-refuse", false, &mut failures).await;
    siret_field.clear().await.unwrap();
    type_into(&client, "lot-0-award-0-siret", "443 061 841 00047").await;
    click(&client, "#marche button[type=submit]").await;
    client
        .wait()
        .for_element(Locator::Css("main .success"))
        .await
        .unwrap();
    let token = app.session(email, &password).await.token;
    let listed = crate::indicators::json_of(&app, "/api/contracts", &token).await;
    let (contract, lot) = (
        listed["items"][0]["id"].as_i64().unwrap(),
        listed["items"][0]["lots"][0]["id"].as_i64().unwrap(),
    );

    // She calibrates the lot's clause: the target shows before saving.
    open(&client, &app, &format!("/marches/{contract}")).await;
    check_page(&client, "marche-calibration", false, &mut failures).await;
    click(&client, &format!("#mode-calcule-{lot}")).await;
    for (field, value) in [
        ("base_amount", "1 000 000"),
        ("labour_share", "50"),
        ("insertion_rate", "5"),
        ("hourly_cost", "30"),
    ] {
        // The base amount may come filled with the lot's amount: typed over.
        let id = format!("{field}-{lot}");
        client
            .find(Locator::Id(&id))
            .await
            .unwrap()
            .clear()
            .await
            .unwrap();
        type_into(&client, &id, value).await;
    }
    // A lot without a clause yet: the target appears once the page script has asked for it.
    let preview = format!("#clause-{lot} [data-preview-target]");
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(&preview))
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut shown = text_of(&client, &preview).await;
    while !shown.contains("833,33") && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
        shown = text_of(&client, &preview).await;
    }
    assert!(shown.contains("833,33"), "the live preview shows {shown}");
    click(&client, &format!("#clause-{lot} button[value=save]")).await;
    client
        .wait()
        .for_element(Locator::Css("main .success"))
        .await
        .unwrap();
    let text = main_text(&client).await;
    assert!(
        text.contains(&format!("Clause fixée par {email}")),
        "{text}"
    );

    // The API lists the contract with that target.
    let listed = crate::indicators::json_of(&app, "/api/contracts", &token).await;
    assert_eq!(
        listed["items"][0]["lots"][0]["target_hours_hundredths"],
        83_333
    );

    // An officer of another buyer: the lot's forms are not found by their address, and the
    // clause form posted on that lot anyway (its token taken from the officer's own page) is
    // refused with the 403 page; the target stays.
    sign_out(&client).await;
    app.add_buyer(2, "Autre commune").await;
    let officer = app
        .create_user(Role::BuyerOfficer, vec![crate::helpers::siret(2)])
        .await;
    sign_in(&client, &app, &officer.email, USER_PASSWORD).await;
    open(&client, &app, &format!("/marches/{contract}/modifier")).await;
    assert_eq!(
        client.title().await.unwrap().split(" — ").next(),
        Some("Page introuvable"),
        "another buyer's contract is not found"
    );
    open(&client, &app, "/marches").await;
    client
        .execute(
            "const form = document.createElement('form');
             form.method = 'post';
             form.action = arguments[0];
             for (const [name, value] of [['csrf_token', document.querySelector('input[name=csrf_token]').value],
                                          ['mode', 'typed'], ['target_hours', '10'], ['action', 'save']]) {
               const input = document.createElement('input');
               input.type = 'hidden'; input.name = name; input.value = value;
               form.appendChild(input);
             }
             document.body.appendChild(form);
             form.submit();",
            vec![json!(format!("/marches/{contract}/lots/{lot}/clause"))],
        )
        .await
        .unwrap();
    client
        .wait()
        .for_element(Locator::Css("main .alert"))
        .await
        .unwrap();
    assert_eq!(
        client.title().await.unwrap().split(" — ").next(),
        Some("Accès refusé")
    );
    assert!(main_text(&client).await.contains("Code 403"));
    check_page(&client, "acces-refuse", false, &mut failures).await;
    // Read as the administrator: signing out ended the facilitateur's sessions.
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await.token;
    let listed = crate::indicators::json_of(&app, "/api/contracts", &admin).await;
    assert_eq!(
        listed["items"][0]["lots"][0]["target_hours_hundredths"],
        83_333
    );

    client.close().await.unwrap();
    assert!(
        failures.is_empty(),
        "accessibility:\n{}",
        failures.join("\n")
    );
}

/// The contract and holder of the review walk: buyer 1's works, held by this company.
const REVIEW_HOLDER: &str = "44306184100047";

/// The hours (hundredths) of 2025 the API counts: validated, and awaiting validation.
async fn api_hours_2025(app: &TestApp, token: &str) -> (i64, i64) {
    let figures =
        crate::indicators::json_of(app, "/api/indicators?year=2025&breakdowns=none", token).await;
    let insertion = &figures["insertion"];
    (
        insertion["hours"]["hours_hundredths"].as_i64().unwrap(),
        insertion["pending_hours_hundredths"].as_i64().unwrap(),
    )
}

/// « À faire », reached by its menu entry.
async fn to_do_from_the_menu(client: &Client) {
    click(client, "nav.menu a[href='/a-faire']").await;
    client
        .wait()
        .for_element(Locator::Css("main table"))
        .await
        .unwrap();
}

#[tokio::test]
#[ignore = "needs Chromium"]
async fn a_facilitator_follows_a_pending_statement_from_the_to_do_list_validates_it_and_the_dashboard_moves()
 {
    use crate::helpers::USER_PASSWORD;
    use crate::hours_import::send;
    use suivi_clauses::domain::{Role, Siret};

    // Buyer 1's contract with its clause; 100 h the administrator sent, counted at once; 42 h
    // the holder sent itself, awaiting validation.
    let app = spawn_app().await;
    app.add_buyer(1, "Département").await;
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await.token;
    let buyer = crate::helpers::siret(1);
    let header = "Référence marché;SIRET entreprise;Mois;Identifiant participant;Modalité;Heures travaillées";
    for (kind, file) in [
        (
            "contracts",
            format!(
                "Référence marché;Objet;SIRET acheteur;Date de notification;Durée (mois);Montant HT;SIRET titulaire;Raison sociale titulaire;Rôle;Clause d'insertion;Heures d'insertion prévues\n\
                 2025-TX-014;Réhabilitation du collège;{};14/01/2025;24;600000;{REVIEW_HOLDER};Bâtiments du Sud;Titulaire;Oui;2500\n",
                buyer.as_str()
            ),
        ),
        (
            "participants",
            "Identifiant participant;Critère d'éligibilité;Date de validation\nP-001;RSA;02/01/2025\n"
                .to_owned(),
        ),
        (
            "hours",
            format!("{header}\n2025-TX-014;{REVIEW_HOLDER};02/2025;P-001;Embauche directe;100\n"),
        ),
    ] {
        let (status, body) = send(&app, &admin, kind, &file).await;
        assert_eq!(status, 201, "{kind}: {body}");
    }
    let company = app
        .create_user(Role::Company, vec![Siret::parse(REVIEW_HOLDER).unwrap()])
        .await;
    let company = app.session(&company.email, USER_PASSWORD).await.token;
    let (status, body) = send(
        &app,
        &company,
        "hours",
        &format!("{header}\n2025-TX-014;{REVIEW_HOLDER};03/2025;P-001;Embauche directe;42\n"),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let import = body["report"]["import_id"].as_i64().unwrap();
    assert_eq!(api_hours_2025(&app, &admin).await, (10_000, 4_200));

    let facilitator = app.create_user(Role::Facilitator, vec![buyer]).await;
    let work = tempfile::tempdir().unwrap();
    let driver = Driver::start();
    let client = browser(&driver, &work.path().join("profil"), work.path()).await;
    let mut failures = Vec::new();
    sign_in(&client, &app, &facilitator.email, USER_PASSWORD).await;

    // The dashboard before: the validated hours only.
    open(&client, &app, "/tableau-de-bord?year=2025").await;
    let before = whole(&figure(&client, "Heures d'insertion").await);
    assert_eq!(before, 100);
    check_page(
        &client,
        "tableau-de-bord-avant-validation",
        false,
        &mut failures,
    )
    .await;

    // « À faire », from the menu: the statement is there, with the way to decide on it.
    to_do_from_the_menu(&client).await;
    check_page(&client, "a-faire-releve", false, &mut failures).await;
    let item = format!("tr[data-kind='pending_validation'] a[href='/releves?import={import}']");
    let row_text = text_of(&client, "tr[data-kind='pending_validation']").await;
    assert!(row_text.contains("Bâtiments du Sud"), "{row_text}");
    assert!(row_text.contains("42"), "{row_text}");
    assert_eq!(text_of(&client, &item).await, "Valider ou rejeter");
    click(&client, &item).await;

    // The review page of that import: its line, awaiting validation; validated.
    let line = format!("tr[data-import='{import}']");
    client
        .wait()
        .for_element(Locator::Css(&line))
        .await
        .unwrap();
    assert_eq!(client.current_url().await.unwrap().path(), "/releves");
    check_page(&client, "releves-a-valider", false, &mut failures).await;
    let pending = text_of(&client, &line).await;
    assert!(pending.contains("En attente de validation"), "{pending}");
    assert!(
        pending.contains("2025-TX-014, marché sans lots"),
        "{pending}"
    );
    click(
        &client,
        &format!("{line} form:has(input[name='decision'][value='validate']) button"),
    )
    .await;
    client
        .wait()
        .for_element(Locator::Css("main .notice"))
        .await
        .unwrap();
    let said = text_of(&client, "main .notice").await;
    assert!(said.contains("Les relevés sont validés"), "{said}");
    check_page(&client, "releves-valides", false, &mut failures).await;

    // The item has left the list, and the dashboard has moved by the statement's 42 hours.
    to_do_from_the_menu(&client).await;
    let left = client
        .find_all(Locator::Css("tr[data-kind='pending_validation']"))
        .await
        .unwrap();
    assert!(left.is_empty(), "{}", main_text(&client).await);
    open(&client, &app, "/tableau-de-bord?year=2025").await;
    let after = whole(&figure(&client, "Heures d'insertion").await);
    assert_eq!(after - before, 42);
    assert_eq!(api_hours_2025(&app, &admin).await, (after * 100, 0));

    client.close().await.unwrap();
    assert!(
        failures.is_empty(),
        "accessibility:\n{}",
        failures.join("\n")
    );
}
