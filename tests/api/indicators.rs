//! Indicators against figures computed by hand from a small territory, on both backends; the
//! command line and the API agree; small participant groups are hidden from elected officials;
//! figures kept in memory follow every write, from this instance or another.

use serde_json::{Value, json};
use std::sync::Arc;
use suivi_clauses::domain::Role;

use suivi_clauses::indicators::{
    Breakdowns, DataScope, FigureCache, Freshness, Options, Period, Refreshed,
};
use suivi_clauses::storage::{BuyerId, figures_transaction};
use suivi_clauses::web::api::wire::indicators as wire;

use crate::helpers::{
    ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, TestDatabase, USER_PASSWORD, siret, spawn_app_on,
};

/// The structures of the territory (see `territory`).
pub fn structures_csv() -> String {
    let (sme, large, aci, etti) = (local_sme(), far_large(), aci(), etti());
    format!(
        "SIRET;Raison sociale;Type de structure;Code postal;Catégorie entreprise\n\
         {sme};Bâtiments du Sud;Entreprise;31000;PME\n\
         {large};Grands Travaux de Paris;Entreprise;75001;GE\n\
         {aci};Chantier du Lauragais;ACI;31290;\n\
         {etti};Intérim Insertion Garonne;ETTI;31100;\n"
    )
}

/// The register of the territory (see `territory`).
pub fn register_csv() -> String {
    let (b1, b2) = (siret(1), siret(2));
    let (b1, b2) = (b1.as_str(), b2.as_str());
    let (sme, large, aci) = (local_sme(), far_large(), aci());
    format!(
        "Référence marché;Objet;SIRET acheteur;Date de notification;Durée (mois);Lot;Montant HT;SIRET titulaire;Code postal titulaire;Rôle;Clause d'insertion;Heures d'insertion prévues;Critère social;Marché réservé\n\
         2025-01;Collège Jean Jaurès;{b1};01/01/2025;12;;100000;{sme};31000;Titulaire;Oui;1000;Non;Non\n\
         2025-02;Voirie départementale;{b1};15/02/2025;12;1;300000;{large};75001;Titulaire;Non;;Non;Non\n\
         2025-02;Voirie départementale;{b1};15/02/2025;12;1;50000;{aci};31290;Sous-traitant;Non;;Non;Non\n\
         2025-02;Voirie départementale;{b1};15/02/2025;12;2;60000;{aci};31290;Titulaire;Non;;Non;L2113-13\n\
         2025-03;Entretien des espaces verts;{b1};10/05/2025;12;;40000;{sme};31000;Titulaire;Non;;Oui;Non\n\
         2024-09;Gymnase;{b1};01/09/2024;12;;500000;{large};75001;Titulaire;Non;;Non;Non\n\
         2025-B2;École élémentaire;{b2};01/03/2025;24;;200000;{large};75001;Titulaire;Oui;400;Non;Non\n"
    )
}

/// The participants of the territory (see `territory`).
pub fn participants_csv() -> String {
    "Identifiant participant;Critère d'éligibilité;Année de naissance;Sexe;Résident QPV;Sortie;Date de sortie\n\
     P1;RSA;2002;F;Oui;Emploi durable;01/10/2025\n\
     P2;TH;1970;H;Non;;\n\
     P3;JEUNE;2005;F;;Autre sortie;15/11/2025\n"
        .to_owned()
}

/// Companies: a local PME (31), a large firm from Paris, an ACI (31, size unknown), an ETTI.
pub fn local_sme() -> String {
    siret(10).as_str().to_owned()
}
pub fn far_large() -> String {
    siret(11).as_str().to_owned()
}
pub fn aci() -> String {
    siret(12).as_str().to_owned()
}
pub fn etti() -> String {
    siret(13).as_str().to_owned()
}

pub async fn send(app: &TestApp, token: &str, kind: &str, csv: String) {
    let (status, body) = app
        .import(token, kind, &format!("{kind}.csv"), csv.into_bytes(), false)
        .await;
    assert_eq!(status, 201, "{kind}: {body}");
}

/// Two buyers of Haute-Garonne; five contracts notified in 2025 and one in 2024; three
/// participants and their hours.
///
/// | contract | buyer | notified | lot | holder (amount) | other |
/// |---|---|---|---|---|---|
/// | 2025-01 | B1 | 01/01/2025, 12 months | 0 | local PME 100 000 € | clause 1 000 h |
/// | 2025-02 | B1 | 15/02/2025 | 1 | Paris GE 300 000 € | ACI subcontractor 50 000 € |
/// | 2025-02 | B1 | | 2 | ACI 60 000 € | reserved L2113-13 |
/// | 2025-03 | B1 | 10/05/2025 | 0 | local PME 40 000 € | social criterion |
/// | 2024-09 | B1 | 01/09/2024 | 0 | Paris GE 500 000 € | |
/// | 2025-B2 | B2 | 01/03/2025, 24 months | 0 | Paris GE 200 000 € | clause 400 h |
pub async fn territory(app: &TestApp) -> String {
    app.add_buyer(1, "Département").await;
    app.add_buyer(2, "Commune").await;
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await.token;
    let (sme, large, etti) = (local_sme(), far_large(), etti());
    send(app, &admin, "structures", structures_csv()).await;
    send(app, &admin, "contracts", register_csv()).await;
    send(app, &admin, "participants", participants_csv()).await;
    send(
        app,
        &admin,
        "hours",
        format!(
            "Référence marché;SIRET entreprise;Mois;Identifiant participant;Modalité;SIRET structure d'insertion;Heures travaillées\n\
             2025-01;{sme};03/2025;P1;Embauche directe;;100\n\
             2025-01;{sme};04/2025;P1;Embauche directe;;120\n\
             2025-01;{sme};04/2025;P2;Formation;;20\n\
             2025-01;{sme};05/2025;P3;Mise à disposition;{etti};50\n\
             2025-B2;{large};06/2025;P2;Embauche directe;;80\n\
             2024-09;{large};12/2024;P3;Embauche directe;;30\n"
        ),
    )
    .await;
    admin
}

/// Runs the command on the database at `url` from `dir`, and checks it succeeded.
pub fn command_line(url: &str, dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    let output = std::process::Command::new(assert_cmd::cargo::cargo_bin("suivi-clauses"))
        .current_dir(dir)
        .env_clear()
        .env("DATABASE_URL", url)
        .env("SUIVI_LOG__FILTER", "warn")
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// The JSON answer to a GET.
pub async fn json_of(app: &TestApp, path: &str, token: &str) -> Value {
    app.get_with(path, token).await.json().await.unwrap()
}

/// The groups of one breakdown of an indicators answer.
pub fn breakdown<'a>(indicators: &'a Value, dimension: &str) -> &'a Vec<Value> {
    indicators["insertion"]["breakdowns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["dimension"] == dimension)
        .unwrap_or_else(|| panic!("no breakdown {dimension}"))["groups"]
        .as_array()
        .unwrap()
}

fn dimensions(indicators: &Value) -> Vec<String> {
    indicators["insertion"]["breakdowns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["dimension"].as_str().unwrap().to_owned())
        .collect()
}

/// The default answer holds the breakdowns of few groups; those of each lot, contract, company
/// and insertion structure come when named, paged, every page together giving them all.
/// Returns the answer with every breakdown.
async fn large_breakdowns_are_named_and_paged(
    app: &TestApp,
    admin: &str,
    default: &Value,
) -> Value {
    let large = ["contract", "lot", "company", "insertion_employer"];
    let shown = dimensions(default);
    assert!(
        large.iter().all(|d| !shown.iter().any(|s| s == d)),
        "{shown:?}"
    );
    for small in [
        "buyer",
        "month",
        "modality",
        "structure_kind",
        "criterion",
        "exit_outcome",
    ] {
        assert!(shown.iter().any(|s| s == small), "{small}: {shown:?}");
    }
    let all = json_of(app, "/api/indicators?year=2025&breakdowns=all", admin).await;
    assert_eq!(all["charter"], default["charter"]);
    assert_eq!(dimensions(&all).len(), shown.len() + large.len());
    for dimension in &shown {
        assert_eq!(breakdown(&all, dimension), breakdown(default, dimension));
    }
    let more = json_of(
        app,
        "/api/indicators?year=2025&breakdowns=default,company",
        admin,
    )
    .await;
    assert_eq!(dimensions(&more).len(), shown.len() + 1);
    assert_eq!(breakdown(&more, "company"), breakdown(&all, "company"));
    for dimension in large {
        let whole = breakdown(&all, dimension);
        assert!(whole.len() > 1, "{dimension}: {whole:?}");
        let mut pages = Vec::new();
        for page in 1..=whole.len() + 1 {
            let path =
                format!("/api/indicators?year=2025&breakdowns={dimension}&per_page=1&page={page}");
            let answer = json_of(app, &path, admin).await;
            let only = &answer["insertion"]["breakdowns"][0];
            assert_eq!(
                (&only["dimension"], &only["paged"], &only["total_groups"]),
                (&json!(dimension), &json!(true), &json!(whole.len()))
            );
            assert_eq!(
                only["groups"].as_array().unwrap().len(),
                usize::from(page <= whole.len())
            );
            pages.extend(only["groups"].as_array().unwrap().iter().cloned());
        }
        assert_eq!(&pages, whole, "{dimension}");
    }
    // Small breakdowns are whole whatever the page.
    let paged = json_of(app, "/api/indicators?year=2025&per_page=1&page=2", admin).await;
    assert_eq!(breakdown(&paged, "month"), breakdown(default, "month"));
    all
}

fn groups(indicators: &Value, dimension: &str) -> Vec<(Value, Value, Value)> {
    breakdown(indicators, dimension)
        .iter()
        .map(|g| {
            (
                g["key"].clone(),
                g["hours_hundredths"].clone(),
                g["participants"].clone(),
            )
        })
        .collect()
}

/// A share of counts: part, whole, rate in basis points.
fn share(value: &Value) -> (i64, i64, Option<i64>) {
    (
        value["part"].as_i64().unwrap(),
        value["whole"].as_i64().unwrap(),
        value["rate_basis_points"].as_i64(),
    )
}

/// A share of amounts: part and whole in cents, rate in basis points.
fn amount_share(value: &Value) -> (i64, i64, Option<i64>) {
    (
        value["part_cents"].as_i64().unwrap(),
        value["whole_cents"].as_i64().unwrap(),
        value["rate_basis_points"].as_i64(),
    )
}

#[tokio::test]
async fn the_indicators_match_the_figures_computed_by_hand() {
    let database = TestDatabase::new();
    let url = database.url().to_owned();
    let dir = database.data_dir();
    let app = spawn_app_on(database, |_| {}).await;
    let admin = territory(&app).await;

    let response = app.get_with("/api/indicators?year=2025", &admin).await;
    assert_eq!(response.status(), 200);
    let figures: Value = response.json().await.unwrap();
    let charter = &figures["charter"];

    // Only the breakdowns asked for, with the same figures; an unknown one is named.
    let two = json_of(
        &app,
        "/api/indicators?year=2025&breakdowns=modality,sex",
        &admin,
    )
    .await;
    let kept: Vec<&str> = two["insertion"]["breakdowns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["dimension"].as_str().unwrap())
        .collect();
    assert_eq!(kept, ["modality", "sex"]);
    assert_eq!(breakdown(&two, "modality"), breakdown(&figures, "modality"));
    assert_eq!(two["charter"], figures["charter"]);
    let wrong = app
        .get_with("/api/indicators?year=2025&breakdowns=couleur", &admin)
        .await;
    assert_eq!(wrong.status(), 422);
    let wrong: Value = wrong.json().await.unwrap();
    assert_eq!(wrong["error"]["code"], "invalid_breakdowns");
    let message = wrong["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("« couleur »") && message.contains("lot"),
        "{message}"
    );
    let all = large_breakdowns_are_named_and_paged(&app, &admin, &figures).await;
    // A SIRET that names no buyer: 422, as for an import naming one.
    let nobody = app
        .get_with(
            &format!("/api/indicators?year=2025&buyer={}", siret(99)),
            &admin,
        )
        .await;
    assert_eq!(nobody.status(), 422);
    let nobody: Value = nobody.json().await.unwrap();
    assert_eq!(nobody["error"]["code"], "unknown_buyer");

    // Holders and co-contractors of the 2025 contracts: 100 000 + 300 000 + 60 000 + 40 000
    // + 200 000 € (the 2024 contract and the subcontractor left out).
    assert_eq!(charter["awarded"]["amount_cents"], 70_000_000);
    // Local: the PME twice and the ACI = 200 000 of 700 000 €, 3 awards of 5.
    assert_eq!(
        amount_share(&charter["local_by_value"]),
        (20_000_000, 70_000_000, Some(2_857))
    );
    assert_eq!(share(&charter["local_by_count"]), (3, 5, Some(6_000)));
    assert_eq!(charter["local_by_value"]["text"], "28,57\u{a0}%");
    assert!(
        charter["local_by_value"]["method"]
            .as_str()
            .unwrap()
            .contains("sous-traitants déclarés exclus")
    );
    // TPE/PME: the PME's 140 000 € (the ACI's size is unknown, the Paris firm is large).
    assert_eq!(
        amount_share(&charter["small_firms_by_value"]),
        (14_000_000, 70_000_000, Some(2_000))
    );
    assert_eq!(share(&charter["small_firms_by_count"]), (2, 5, Some(4_000)));
    let insertion_reserved = charter["reserved"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["article"] == "L2113-13")
        .unwrap();
    assert_eq!(insertion_reserved["amount_cents"], 6_000_000);
    assert_eq!(
        amount_share(&insertion_reserved["share"]),
        (6_000_000, 70_000_000, Some(857))
    );
    // Four contracts in 2025: two with a clause, one with a social criterion, one reserved.
    assert_eq!(charter["contracts"], 4);
    assert_eq!(share(&charter["with_clause"]), (2, 4, Some(5_000)));
    assert_eq!(
        share(&charter["with_social_criterion"]),
        (1, 4, Some(2_500))
    );
    assert_eq!(share(&charter["reserved_contracts"]), (1, 4, Some(2_500)));
    assert_eq!(
        share(&charter["without_social_consideration"]),
        (0, 4, Some(0))
    );

    // 2025 hours: 100 + 120 + 20 + 50 + 80 = 370 h by three people; 370 ÷ 1 607 = 0,23 ETP.
    let insertion = &figures["insertion"];
    assert_eq!(insertion["hours"]["hours_hundredths"], 37_000);
    assert_eq!(insertion["participants"]["count"], 3);
    assert_eq!(insertion["fte"]["fte_hundredths"], 23);
    assert_eq!(insertion["fte_text"], "0,23 ETP");
    // P1 left for a job, P3 for something else: 1 of 2.
    assert_eq!(
        share(&insertion["exits_to_employment"]),
        (1, 2, Some(5_000))
    );
    assert_eq!(
        groups(&figures, "modality"),
        [
            (json!("direct_hire"), json!(30_000), json!(2)),
            (json!("secondment"), json!(5_000), json!(1)),
            (json!("training"), json!(2_000), json!(1)),
        ]
    );
    assert_eq!(
        groups(&figures, "criterion"),
        [
            (json!("JEUNE"), json!(5_000), json!(1)),
            (json!("RSA"), json!(22_000), json!(1)),
            (json!("TH"), json!(10_000), json!(1)),
        ]
    );
    assert_eq!(
        groups(&figures, "buyer"),
        [
            (json!(siret(1).as_str()), json!(29_000), json!(3)),
            (json!(siret(2).as_str()), json!(8_000), json!(1)),
        ]
    );
    // Age in 2025: P1 23, P3 20 (under 26), P2 55.
    assert_eq!(
        groups(&figures, "age_band"),
        [
            (json!("50_and_over"), json!(10_000), json!(1)),
            (json!("under_26"), json!(27_000), json!(2)),
        ]
    );
    let qpv = groups(&figures, "qpv");
    assert!(
        qpv.contains(&(json!("yes"), json!(22_000), json!(1))),
        "{qpv:?}"
    );
    assert!(
        qpv.contains(&(json!("no"), json!(10_000), json!(1))),
        "{qpv:?}"
    );
    assert!(
        qpv.contains(&(Value::Null, json!(5_000), json!(1))),
        "{qpv:?}"
    );
    assert_eq!(
        groups(&figures, "structure_kind"),
        [
            (json!("company"), json!(32_000), json!(2)),
            (json!("etti"), json!(5_000), json!(1)),
        ]
    );
    // Every breakdown adds up to the total hours.
    for breakdown in insertion["breakdowns"].as_array().unwrap() {
        let sum: i64 = breakdown["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["hours_hundredths"].as_i64().unwrap())
            .sum();
        assert_eq!(sum, 37_000, "{}", breakdown["dimension"]);
    }

    // Subcontractors included: the ACI's 50 000 € join both sides of the local share.
    let with_subcontractors: Value = json_of(
        &app,
        "/api/indicators?year=2025&subcontractors=true",
        &admin,
    )
    .await;
    assert_eq!(
        amount_share(&with_subcontractors["charter"]["local_by_value"]),
        (25_000_000, 75_000_000, Some(3_333))
    );

    // The command line prints the same indicators, every breakdown (fewer groups than a page).
    let output = command_line(&url, &dir, &["stats", "--year", "2025", "--json"]);
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(figures_only(printed), figures_only(all));
}

#[tokio::test]
async fn figures_kept_in_memory_follow_a_write_from_another_instance() {
    let database = TestDatabase::new();
    let (url, dir) = (database.url().to_owned(), database.data_dir());
    let app = spawn_app_on(database, |_| {}).await;
    let admin = territory(&app).await;
    let hours = |figures: &Value| figures["insertion"]["hours"]["hours_hundredths"].clone();
    let first = json_of(&app, "/api/indicators?year=2025", &admin).await;
    let again = json_of(&app, "/api/indicators?year=2025", &admin).await;
    let clauses = json_of(&app, "/api/clauses?at=2025-07-01", &admin).await;

    // The command line is another process on the same database, as a second instance is.
    let file = dir.join("more-hours.csv");
    std::fs::write(
        &file,
        format!(
            "Référence marché;SIRET entreprise;Mois;Identifiant participant;Modalité;SIRET structure d'insertion;Heures travaillées\n\
             2025-01;{};06/2025;P1;Embauche directe;;10\n",
            local_sme()
        ),
    )
    .unwrap();
    let args = ["import", "--kind", "hours", file.to_str().unwrap()].map(str::to_owned);
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        command_line(&url, &dir, &args)
    })
    .await
    .unwrap();
    let after = json_of(&app, "/api/indicators?year=2025", &admin).await;
    let clauses_after = json_of(&app, "/api/clauses?at=2025-07-01", &admin).await;

    assert_eq!(hours(&first), 37_000);
    assert_eq!(again, first);
    assert_eq!(hours(&after), 38_000);
    assert_eq!(clauses[0]["worked_hours_hundredths"], 29_000);
    assert_eq!(clauses_after[0]["worked_hours_hundredths"], 30_000);
}

#[test]
fn the_figures_read_lately_are_recomputed_once_after_a_write() {
    let database = TestDatabase::new();
    let mut conn = database.connect().connection().unwrap();
    let figures = FigureCache::default();
    let scope = scope_of(None);
    let options = main_figures();
    let year = |y| Period::year(y).unwrap();
    figures
        .indicators(&mut conn, &scope, year(2025), options)
        .unwrap();
    figures
        .series(&mut conn, &scope, 2023, 2025, options)
        .unwrap();
    figures
        .clauses(&mut conn, &scope, chrono::NaiveDate::MIN)
        .unwrap();
    let json = figures
        .indicators_json(
            &mut conn,
            &scope,
            year(2025),
            (
                options,
                suivi_clauses::storage::PageRequest::new(None, None),
            ),
            wire::indicators_json,
        )
        .unwrap();
    let unchanged = figures.refresh(&mut conn).unwrap();
    figures_transaction(&mut conn, |_, _| Ok::<_, diesel::result::Error>(())).unwrap();
    let after_write = figures.refresh(&mut conn).unwrap();
    let after_refresh = figures.refresh(&mut conn).unwrap();

    let nothing = Refreshed {
        forgotten: 0,
        recomputed: 0,
    };
    assert_eq!(unchanged, nothing);
    // Three years of indicators (2025 read twice) and one clause assessment, computed again;
    // those and the JSON answer of the earlier version dropped.
    assert_eq!(
        after_write,
        Refreshed {
            forgotten: 5,
            recomputed: 4
        }
    );
    assert_eq!(after_refresh, nothing);
    let figures_2025 = figures
        .indicators(&mut conn, &scope, year(2025), options)
        .unwrap();
    let now = Freshness {
        computed_at: chrono::Utc::now(),
        stale: false,
    };
    assert_eq!(
        figures_only(serde_json::from_slice(&json).unwrap()),
        figures_only(
            serde_json::to_value(wire::IndicatorsJson::of(&figures_2025, None, now)).unwrap()
        )
    );
}

/// An indicators answer without when its figures were computed.
fn figures_only(mut answer: Value) -> Value {
    let fields = answer.as_object_mut().expect("an object");
    fields.remove("computed_at");
    fields.remove("stale");
    answer
}

/// An hours statement of these lines (`;`-separated, each ending with a newline).
pub fn hours_file(lines: &str) -> String {
    format!(
        "Référence marché;SIRET entreprise;Mois;Identifiant participant;Modalité;SIRET structure d'insertion;Heures travaillées\n{lines}"
    )
}

/// Ten more hours for P1 in June 2025, on the first buyer's contract 2025-01 (P1 works for no
/// other buyer).
pub fn june_hours_of_p1() -> String {
    hours_file(&format!(
        "2025-01;{};06/2025;P1;Embauche directe;;10\n",
        local_sme()
    ))
}

#[tokio::test]
async fn an_import_for_one_buyer_leaves_the_figures_of_another_as_they_were_computed() {
    let app = spawn_app_on(TestDatabase::new(), |_| {}).await;
    let admin = territory(&app).await;
    let first = format!("/api/indicators?year=2025&buyer={}", siret(1));
    let second = format!("/api/indicators?year=2025&buyer={}", siret(2));
    let first_before = json_of(&app, &first, &admin).await;
    let second_before = json_of(&app, &second, &admin).await;

    send(&app, &admin, "hours", june_hours_of_p1()).await;
    let first_after = json_of(&app, &first, &admin).await;
    let second_after = json_of(&app, &second, &admin).await;

    let hours = |figures: &Value| figures["insertion"]["hours"]["hours_hundredths"].clone();
    // The second buyer's figures are those kept, computed before the import.
    assert_eq!(second_after, second_before);
    assert_eq!(second_after["stale"], false);
    // The first buyer's are computed again, with the hours imported.
    assert_ne!(first_after["computed_at"], first_before["computed_at"]);
    assert_eq!(first_after["stale"], false);
    assert_eq!(
        hours(&first_after).as_i64().unwrap(),
        hours(&first_before).as_i64().unwrap() + 1_000
    );
}

#[tokio::test]
async fn an_import_for_one_buyer_moves_the_figures_of_another_whose_lot_its_contract_joins() {
    let app = spawn_app_on(TestDatabase::new(), |_| {}).await;
    let admin = territory(&app).await;
    let second = format!("/api/indicators?year=2025&buyer={}", siret(2));
    let before = json_of(&app, &second, &admin).await;

    // P2 worked in June for the large company on the second buyer's contract. May, for the
    // same company on the first buyer's contract, makes one contract of two months of both.
    let may = format!("2024-09;{};05/2025;P2;Embauche directe;;10\n", far_large());
    send(&app, &admin, "hours", hours_file(&may)).await;
    let after = json_of(&app, &second, &admin).await;

    let days = |figures: &Value| figures["work_contracts"]["mean_days"].as_i64().unwrap();
    assert_eq!(after["stale"], false);
    assert_eq!(days(&before), 30, "June 2025: {before}");
    assert_eq!(days(&after), 61, "May and June 2025: {after}");
}

#[test]
fn after_a_write_readers_get_the_previous_figures_at_once_said_stale_until_the_new_are_computed() {
    let database = TestDatabase::new();
    let mut conn = database.connect().connection().unwrap();
    // Readers do not wait for new figures; nothing but `refresh` computes them.
    let figures = FigureCache::new(std::time::Duration::ZERO);
    let scope = scope_of(Some(&[1]));
    let options = main_figures();
    let year = Period::year(2025).unwrap();
    let page = suivi_clauses::storage::PageRequest::new(None, None);
    let latest = |conn: &mut _| {
        figures
            .latest_indicators(conn, &scope, year, options)
            .unwrap()
    };
    let json = |conn: &mut _| -> Value {
        let bytes = figures
            .indicators_json(conn, &scope, year, (options, page), wire::indicators_json)
            .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    };
    let write = |conn: &mut _| {
        figures_transaction(conn, |_, touched| {
            touched.buyers([BuyerId::from(1)]);
            Ok::<_, diesel::result::Error>(())
        })
        .unwrap()
    };

    let first = latest(&mut conn);
    write(&mut conn);
    let during = latest(&mut conn);
    let json_during = json(&mut conn);
    let again = latest(&mut conn);
    let refreshed = figures.refresh(&mut conn).unwrap();
    let after = latest(&mut conn);
    let json_after = json(&mut conn);
    write(&mut conn);
    // Documents ask for the current figures: they wait for them, never stale.
    let current = figures
        .indicators(&mut conn, &scope, year, options)
        .unwrap();

    assert!(!first.freshness.stale);
    // At once, the figures kept, said stale, with the time they were computed.
    assert!(Arc::ptr_eq(&first.value, &during.value));
    let stale = Freshness {
        computed_at: first.freshness.computed_at,
        stale: true,
    };
    assert_eq!(during.freshness, stale);
    assert_eq!(json_during["stale"], true);
    assert_eq!(
        json_during["computed_at"],
        serde_json::to_value(first.freshness.computed_at).unwrap()
    );
    // No reader computes them: the refresh does, once.
    assert!(Arc::ptr_eq(&first.value, &again.value));
    assert_eq!(again.freshness, stale);
    assert_eq!(refreshed.recomputed, 1);
    assert!(!after.freshness.stale);
    assert!(after.freshness.computed_at > first.freshness.computed_at);
    assert!(!Arc::ptr_eq(&first.value, &after.value));
    assert_eq!(json_after["stale"], false);
    assert!(!Arc::ptr_eq(&after.value, &current));
}

#[tokio::test]
async fn the_dashboard_says_when_its_figures_are_those_of_before_a_write() {
    // Readers answered at once, and no periodic refresh between the import and the page: the
    // first page after the import shows the figures kept, the refresh it wakes comes after.
    let app = spawn_app_on(TestDatabase::new(), |s| {
        s.figures.wait_ms = 0;
        s.figures.refresh_ms = 3_600_000;
    })
    .await;
    let admin = territory(&app).await;
    let page = "/tableau-de-bord?year=2025";
    let clauses_path = "/api/clauses?at=2025-07-01";
    let before = app.get_with(page, &admin).await.text().await.unwrap();
    let clauses_before = KeptList::read(app.get_with(clauses_path, &admin).await).await;
    send(&app, &admin, "hours", june_hours_of_p1()).await;
    let after = app.get_with(page, &admin).await.text().await.unwrap();
    let clauses = KeptList::read(app.get_with(clauses_path, &admin).await).await;

    assert!(!before.contains("data-stale"), "{before}");
    // The page says which figures it shows, to screen readers too.
    let line = after
        .lines()
        .find(|l| l.contains("data-stale"))
        .unwrap_or_else(|| panic!("no line saying the figures are stale: {after}"))
        .to_owned();
    assert!(line.contains(r#"role="status""#), "{line}");
    assert!(line.contains("Chiffres du "), "{line}");
    assert!(line.contains("mise à jour en cours"), "{line}");
    // The lists say it in headers. The page's read woke the refresh, which may have computed
    // the clauses already: either those kept, said stale with their time, or new ones, which
    // hold June's hours. Times alone cannot tell the two apart: both may fall in one millisecond.
    assert_eq!(clauses_before.stale, "false");
    match clauses.stale.as_str() {
        "true" => {
            assert_eq!(clauses.computed_at, clauses_before.computed_at);
            assert_eq!(clauses.body, clauses_before.body);
        }
        "false" => {
            assert!(clauses.computed_at >= clauses_before.computed_at);
            assert_ne!(clauses.body, clauses_before.body, "June's hours are new");
        }
        other => panic!("Figures-Stale: {other}"),
    }
}

/// A list of kept figures as answered: its headers saying when they were computed, and its body.
struct KeptList {
    stale: String,
    computed_at: chrono::DateTime<chrono::FixedOffset>,
    body: Value,
}

impl KeptList {
    async fn read(response: reqwest::Response) -> KeptList {
        let header = |name: &str| response.headers()[name].to_str().unwrap().to_owned();
        let stale = header("Figures-Stale");
        let computed_at =
            chrono::DateTime::parse_from_rfc3339(&header("Figures-Computed-At")).unwrap();
        KeptList {
            stale,
            computed_at,
            body: response.json().await.unwrap(),
        }
    }
}

/// The options of the main figures, as a trend reads them: no breakdown.
fn main_figures() -> Options {
    Options {
        include_subcontractors: false,
        suppress_small_groups: true,
        special_categories: false,
        breakdowns: Breakdowns::NONE,
    }
}

/// A scope of the buyers `ids` (`None`: every buyer).
fn scope_of(ids: Option<&[i64]>) -> DataScope {
    DataScope {
        buyer_ids: ids.map(|ids| ids.iter().copied().map(BuyerId::from).collect()),
        company_id: None,
        description: "acheteurs".to_owned(),
        with_pending: false,
    }
}

#[test]
fn a_write_for_one_buyer_leaves_the_figures_kept_for_the_others() {
    let database = TestDatabase::new();
    let mut conn = database.connect().connection().unwrap();
    let figures = FigureCache::default();
    let options = main_figures();
    let year = Period::year(2025).unwrap();
    let scopes = [
        scope_of(Some(&[1])),
        scope_of(Some(&[2])),
        scope_of(Some(&[1, 2])),
        scope_of(None),
    ];
    let read = |conn: &mut _| {
        scopes
            .iter()
            .map(|scope| figures.indicators(conn, scope, year, options).unwrap())
            .collect::<Vec<_>>()
    };
    // Whether each scope's figures are those kept before (the same allocation) or computed
    // again.
    let kept = |before: &[std::sync::Arc<_>], after: &[std::sync::Arc<_>]| {
        before
            .iter()
            .zip(after)
            .map(|(b, a)| std::sync::Arc::ptr_eq(b, a))
            .collect::<Vec<bool>>()
    };
    let write = |conn: &mut _, buyers: Option<&[i64]>| {
        figures_transaction(conn, |_, touched| {
            if let Some(ids) = buyers {
                touched.buyers(ids.iter().copied().map(BuyerId::from));
            }
            Ok::<_, diesel::result::Error>(())
        })
        .unwrap()
    };

    let first = read(&mut conn);
    write(&mut conn, Some(&[1]));
    let after_one = read(&mut conn);
    write(&mut conn, Some(&[]));
    let after_none = read(&mut conn);
    write(&mut conn, None);
    let after_all = read(&mut conn);

    // Buyer 1's write: buyer 2's figures stay, those covering buyer 1 are computed again.
    assert_eq!(kept(&first, &after_one), [false, true, false, false]);
    assert_eq!(kept(&after_one, &after_none), [true, true, true, true]);
    // A write on records shared by every buyer (the default): every figure again.
    assert_eq!(kept(&after_none, &after_all), [false, false, false, false]);
}

#[tokio::test]
async fn clauses_are_assessed_at_a_date_with_training_and_status() {
    let app = spawn_app_on(TestDatabase::new(), |_| {}).await;
    let admin = territory(&app).await;

    let response = app.get_with("/api/clauses?at=2025-07-01", &admin).await;
    assert_eq!(response.status(), 200);
    let clauses: Value = response.json().await.unwrap();

    let clauses = clauses.as_array().unwrap_or_else(|| panic!("{clauses}"));
    assert_eq!(clauses.len(), 2);
    // 2025-01: 1 000 h over 2025. Worked 290 h, counted 270 h (training does not count by
    // default). 181 of 364 days elapsed = 49,73 % → 497,30 h expected: behind.
    let first = &clauses[0];
    assert_eq!(first["reference"], "2025-01");
    assert_eq!(first["worked_hours_hundredths"], 29_000);
    assert_eq!(first["counted_hours_hundredths"], 27_000);
    assert_eq!(first["status"], "behind");
    assert_eq!(first["status_label"], "En retard");
    assert_eq!(first["assessment"]["elapsed_basis_points"], 4_973);
    assert_eq!(first["assessment"]["expected_hours_hundredths"], 49_730);
    assert_eq!(first["assessment"]["missing_hours_hundredths"], 73_000);
    // 2025-B2: 400 h from 1 March 2025 for 24 months (to 28 February 2027, 729 days); on
    // 1 July, 122 days = 16,74 % → 66,96 h expected; 80 h done: on track, 477,90 h projected.
    let second = &clauses[1];
    assert_eq!(second["reference"], "2025-B2");
    assert_eq!(second["counted_hours_hundredths"], 8_000);
    assert_eq!(second["status"], "on_track");
    assert_eq!(second["assessment"]["elapsed_basis_points"], 1_674);
    assert_eq!(second["assessment"]["expected_hours_hundredths"], 6_696);
    assert_eq!(second["assessment"]["projected_hours_hundredths"], 47_790);

    // Before any hour, at notification: not started.
    let early: Value = json_of(&app, "/api/clauses?at=2025-01-15", &admin).await;
    assert_eq!(early[0]["status"], "not_started");
}

#[tokio::test]
async fn elected_officials_see_small_participant_groups_suppressed() {
    let app = spawn_app_on(TestDatabase::new(), |_| {}).await;
    territory(&app).await;
    let elected = app.create_user(Role::Elected, vec![siret(1)]).await;
    let elected = app.session(&elected.email, USER_PASSWORD).await.token;

    let figures: Value = json_of(&app, "/api/indicators?year=2025&breakdowns=all", &elected).await;
    let outside: Value = app
        .get_with(
            &format!("/api/indicators?year=2025&buyer={}", siret(2).as_str()),
            &elected,
        )
        .await
        .json()
        .await
        .unwrap();

    // Their scope is buyer 1: 290 h by three people.
    assert_eq!(figures["insertion"]["hours"]["hours_hundredths"], 29_000);
    // One person per criterion: hidden, unnamed; hours by lot are not about people: shown.
    for (key, hours, participants) in groups(&figures, "criterion") {
        assert_eq!(
            (key, hours, participants),
            (Value::Null, Value::Null, Value::Null)
        );
    }
    assert_eq!(figures["insertion"]["participants"]["count"], Value::Null);
    assert!(groups(&figures, "lot").iter().all(|(_, h, _)| h.is_i64()));
    assert_eq!(outside["error"]["code"], "out_of_scope");
}

#[tokio::test]
async fn a_facilitator_calibrates_a_clause_and_its_parameters_are_kept() {
    let app = spawn_app_on(TestDatabase::new(), |_| {}).await;
    let admin = territory(&app).await;
    let clauses: Value = json_of(&app, "/api/clauses?at=2025-07-01", &admin).await;
    let lot = clauses[0]["lot_id"].as_i64().unwrap();
    let facilitator = app.create_user(Role::Facilitator, vec![siret(1)]).await;
    let facilitator = app.session(&facilitator.email, USER_PASSWORD).await.token;
    let other = app.create_user(Role::Facilitator, vec![siret(2)]).await;
    let other = app.session(&other.email, USER_PASSWORD).await.token;
    // 1 000 000 € × 50 % × 5 % ÷ 30 €/h = 833,33 h (the domain brief's example).
    let calibration = json!({
        "base_amount_cents": 100_000_000, "labour_share_basis_points": 5_000,
        "insertion_rate_basis_points": 500, "hourly_cost_cents": 3_000,
    });
    let put = |token: String, body: Value| {
        let request = app
            .client
            .put(app.url(&format!("/api/lots/{lot}/clause")))
            .bearer_auth(token)
            .json(&body);
        async move {
            let response = request.send().await.unwrap();
            (
                response.status().as_u16(),
                response.json::<Value>().await.unwrap(),
            )
        }
    };

    let (saved, body) = put(
        facilitator.clone(),
        json!({ "calibration": calibration, "penalty_per_hour_cents": 3_000, "training_counts": true }),
    )
    .await;
    let (both, both_body) = put(
        facilitator.clone(),
        json!({ "calibration": calibration, "target_hours_hundredths": 100_000 }),
    )
    .await;
    let (outside, _) = put(other, json!({ "target_hours_hundredths": 100_000 })).await;
    let after: Value = json_of(&app, "/api/clauses?at=2025-07-01", &admin).await;

    assert_eq!(saved, 200, "{body}");
    assert_eq!(body["target_hours_hundredths"], 83_333);
    assert_eq!(body["warning"], Value::Null);
    assert_eq!(both, 422, "{both_body}");
    assert!(
        both_body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("pas les deux")
    );
    assert_eq!(outside, 404);
    let clause = &after[0];
    assert_eq!(clause["target_hours_hundredths"], 83_333);
    assert_eq!(clause["target_source"], "calibrated");
    // Training now counts: all 290 h; 833,33 − 290 = 543,33 h missing at 30 €/h.
    assert_eq!(clause["counted_hours_hundredths"], 29_000);
    assert_eq!(clause["assessment"]["missing_hours_hundredths"], 54_333);
    assert_eq!(clause["assessment"]["penalty_cents"], 1_629_990);
    // The audit log tells the clause beside the lot (it was written as the client's address).
    let audit = json_of(&app, "/api/audit", &admin).await;
    let line = audit
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "clause.set")
        .expect("the clause in the audit log");
    assert_eq!(line["target"], "marché 2025-01, lot 0");
    // The clause before (the register's 1 000 h) and after, parameters included.
    assert_eq!(
        line["details"],
        "avant : objectif 1\u{202f}000,00\u{a0}h (saisi) ; sans pénalité ; formation non comptée ; sans plafond \
         → après : objectif 833,33\u{a0}h (1\u{202f}000\u{202f}000,00\u{a0}€ × 50\u{a0}% × 5\u{a0}% ÷ 30,00\u{a0}€) ; \
         pénalité 30,00\u{a0}€ par heure ; formation comptée ; sans plafond"
    );
}

#[tokio::test]
async fn a_small_calibration_is_computed_with_a_warning() {
    let app = spawn_app_on(TestDatabase::new(), |_| {}).await;
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await.token;

    // 80 000 € × 20 % × 5 % ÷ 30 €/h = 26,67 h: below the 150 h usually recommended.
    let response = app
        .client
        .post(app.url("/api/calibrations"))
        .bearer_auth(&admin)
        .json(&json!({
            "base_amount_cents": 8_000_000, "labour_share_basis_points": 2_000,
            "insertion_rate_basis_points": 500, "hourly_cost_cents": 3_000,
        }))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["target_hours_hundredths"], 2_667);
    assert!(
        body["warning"].as_str().unwrap().contains("150 heures"),
        "{body}"
    );
}
