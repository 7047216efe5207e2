//! The buyer's legal obligations: a register with a contract of each case gives exactly the
//! expected statuses through the API, the command line and the compliance workbook; a modified
//! rules file changes them without a rebuild; the register's new columns import, and an
//! unknown ground is refused with its row and the allowed grounds.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use suivi_clauses::domain::{Labelled, ObligationStatus, Role};

use crate::exports::{download, open, rows, text};
use crate::helpers::{
    ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, TestDatabase, USER_PASSWORD, message_at, problems_by_row,
    siret, spawn_app_on,
};

const HEADER: &str = "Référence marché;Objet;SIRET acheteur;Code CPV;Date de notification;Montant HT;SIRET titulaire;Raison sociale titulaire;Clause d'insertion;Date de lancement de la consultation;Nature;Valeur estimée HT;Condition sociale d'exécution;Condition environnementale d'exécution;Motif d'absence de condition sociale;Justification";

/// One contract of the register: (reference, buyer number, CPV, insertion clause, launch,
/// nature, estimated value, other social condition, environmental condition, ground, text).
type Case = (
    &'static str,
    u64,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

/// Buyer 1 is a local authority (the default type), buyer 2 a State buyer. The 2026–2027
/// thresholds: works 5 404 000 €, services 216 000 € (local authority) and 140 000 € (State).
const CASES: &[Case] = &[
    // Works above and below the threshold.
    (
        "W-ABOVE",
        1,
        "45210000",
        "Oui",
        "01/09/2026",
        "Travaux",
        "5 404 000",
        "",
        "Oui",
        "",
        "",
    ),
    (
        "W-BELOW",
        1,
        "45210000",
        "Non",
        "01/09/2026",
        "Travaux",
        "5 403 999,99",
        "",
        "",
        "",
        "",
    ),
    // Services at the threshold, launched the day of the entry into force: local authority.
    (
        "S-LOCAL",
        1,
        "79620000",
        "",
        "22/08/2026",
        "Services",
        "216 000",
        "",
        "",
        "",
        "",
    ),
    // Services of a State buyer at its threshold (below the local authority's); the nature
    // comes from the CPV code.
    (
        "S-STATE",
        2,
        "79620000",
        "",
        "22/08/2026",
        "",
        "140 000",
        "",
        "",
        "",
        "",
    ),
    // Launched the day before the entry into force.
    (
        "S-BEFORE",
        1,
        "79620000",
        "",
        "21/08/2026",
        "Services",
        "300 000",
        "",
        "",
        "",
        "",
    ),
    // Another social condition of execution.
    (
        "S-SOCIAL",
        1,
        "79620000",
        "",
        "01/09/2026",
        "Services",
        "300 000",
        "Oui",
        "Oui",
        "",
        "",
    ),
    // A ground with its justification.
    (
        "F-GROUND",
        1,
        "30190000",
        "",
        "01/10/2026",
        "Fournitures",
        "250 000",
        "",
        "Oui",
        "Solution immédiatement disponible",
        "Achat sur catalogue d'un bien standard",
    ),
    // An unknown estimated value.
    (
        "S-NOVALUE",
        1,
        "79620000",
        "",
        "01/10/2026",
        "Services",
        "",
        "",
        "",
        "",
        "",
    ),
];

/// (reference, social status, ground code, environmental status), by buyer and reference.
fn expected(
    local_services_threshold_raised: bool,
) -> Vec<(
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
)> {
    let s_local = if local_services_threshold_raised {
        "not_subject"
    } else {
        "missing"
    };
    vec![
        (
            "F-GROUND",
            "justified",
            Some("immediately_available"),
            "compliant",
        ),
        ("S-BEFORE", "not_subject", None, "not_subject"),
        ("S-LOCAL", s_local, None, "missing"),
        ("S-NOVALUE", "incomplete", None, "missing"),
        ("S-SOCIAL", "compliant", None, "compliant"),
        ("W-ABOVE", "compliant", None, "compliant"),
        ("W-BELOW", "not_subject", None, "missing"),
        ("S-STATE", "missing", None, "missing"),
    ]
}

fn register_csv() -> Vec<u8> {
    register_csv_justifying(&[])
}

/// The register, the contracts named given F-GROUND's ground and justification.
fn register_csv_justifying(justified: &[&str]) -> Vec<u8> {
    let mut lines = vec![HEADER.to_owned()];
    for (i, c) in CASES.iter().enumerate() {
        let mut case = *c;
        if justified.contains(&case.0) {
            let grounded = CASES.iter().find(|c| c.0 == "F-GROUND").unwrap();
            (case.9, case.10) = (grounded.9, grounded.10);
        }
        let (reference, buyer, cpv, clause, launch, nature, value, social, green, ground, why) =
            case;
        lines.push(
            [
                reference,
                &format!("Marché {reference}"),
                siret(buyer).as_str(),
                cpv,
                "01/12/2026",
                "100 000",
                siret(100 + i as u64).as_str(),
                &format!("Entreprise {i}"),
                clause,
                launch,
                nature,
                value,
                social,
                green,
                ground,
                why,
            ]
            .join(";"),
        );
    }
    lines.join("\n").into_bytes()
}

/// The binary on the application's database, with the environment given.
pub(crate) fn suivi(url: &str, dir: &Path) -> Command {
    let mut command = Command::cargo_bin("suivi-clauses").unwrap();
    command
        .current_dir(dir)
        .env_clear()
        .env("DATABASE_URL", url)
        .env("SUIVI_LOG__FILTER", "warn");
    command
}

pub(crate) fn succeeded(command: &mut Command) -> String {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

struct Register {
    app: TestApp,
    url: String,
    dir: PathBuf,
    admin: String,
}

/// The application, its two buyers added from the command line (the second as a State buyer),
/// and the register imported.
async fn register(rules_file: Option<PathBuf>) -> Register {
    let database = TestDatabase::new();
    let (url, dir) = (database.url().to_owned(), database.data_dir());
    let file = rules_file.clone();
    let app = spawn_app_on(database, move |settings| {
        settings.obligations.rules_file = file;
    })
    .await;
    for (n, kind) in [(1, None), (2, Some("État"))] {
        let mut command = suivi(&url, &dir);
        let siret = siret(n).as_str().to_owned();
        command.args([
            "buyer",
            "add",
            "--siret",
            &siret,
            "--name",
            "Acheteur",
            "--territory",
            "31",
        ]);
        if let Some(kind) = kind {
            command.args(["--type", kind]);
        }
        let added = succeeded(&mut command);
        let kind = kind.unwrap_or("Collectivité territoriale");
        assert!(added.contains(kind), "{added}");
    }
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await.token;
    let (status, body) = app
        .import(&admin, "contracts", "registre.csv", register_csv(), false)
        .await;
    assert_eq!(status, 201, "{body}");
    Register {
        app,
        url,
        dir,
        admin,
    }
}

/// (reference, social status, ground, environmental status) of an obligations JSON.
fn statuses(json: &serde_json::Value) -> Vec<(String, String, Option<String>, String)> {
    json["contracts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["reference"].as_str().unwrap().to_owned(),
                c["social"]["status"].as_str().unwrap().to_owned(),
                c["social"]["ground"].as_str().map(str::to_owned),
                c["environmental"]["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn owned(
    expected: Vec<(&str, &str, Option<&str>, &str)>,
) -> Vec<(String, String, Option<String>, String)> {
    expected
        .into_iter()
        .map(|(r, s, g, e)| {
            (
                r.to_owned(),
                s.to_owned(),
                g.map(str::to_owned),
                e.to_owned(),
            )
        })
        .collect()
}

/// The statuses of the workbook's obligations sheet, read back as codes.
async fn workbook_statuses(r: &Register) -> Vec<(String, String, Option<String>, String)> {
    let bytes = download(&r.app, "/api/exports/compliance.xlsx?year=2026", &r.admin).await;
    let mut book = open(bytes);
    let sheet = rows(&mut book, "Obligations");
    let code = |label: &str| {
        ObligationStatus::parse_label(label)
            .unwrap()
            .code()
            .to_owned()
    };
    let ground = |label: String| {
        (!label.is_empty()).then(|| {
            assert_eq!(label, "Solution immédiatement disponible");
            "immediately_available".to_owned()
        })
    };
    sheet
        .iter()
        .skip(1)
        .map(|row| {
            (
                text(&row[1]),
                code(&text(&row[3])),
                ground(text(&row[4])),
                code(&text(&row[5])),
            )
        })
        .collect()
}

#[tokio::test]
async fn each_case_gets_its_status_through_the_api_the_command_line_and_the_workbook() {
    let r = register(None).await;
    let want = owned(expected(false));

    let response = r.app.get_with("/api/obligations?year=2026", &r.admin).await;
    assert_eq!(response.status(), 200);
    let api: serde_json::Value = response.json().await.unwrap();
    assert_eq!(statuses(&api), want);
    assert_eq!(api["entry_into_force"], "2026-08-22");
    assert_eq!(api["contracts"][7]["buyer_siret"], siret(2).as_str());

    let cli = succeeded(suivi(&r.url, &r.dir).args(["obligations", "--year", "2026", "--json"]));
    let cli: serde_json::Value = serde_json::from_str(&cli).unwrap();
    assert_eq!(statuses(&cli), want);
    let text = succeeded(suivi(&r.url, &r.dir).args(["obligations", "--year", "2026"]));
    assert!(
        text.contains("2 marchés sans condition sociale ni justification."),
        "{text}"
    );

    assert_eq!(workbook_statuses(&r).await, want);

    let other_year = r.app.get_with("/api/obligations?year=2025", &r.admin).await;
    let other_year: serde_json::Value = other_year.json().await.unwrap();
    assert_eq!(other_year["contracts"], serde_json::json!([]));
}

#[tokio::test]
async fn the_pages_show_the_statuses_and_the_list_narrows_to_the_missing_ones() {
    let r = register(None).await;
    let officer = r.app.create_user(Role::BuyerOfficer, vec![siret(1)]).await;
    let token = r.app.session(&officer.email, USER_PASSWORD).await.token;

    let dashboard = r.app.get_with("/tableau-de-bord?year=2026", &token).await;
    let dashboard = dashboard.text().await.unwrap();
    // S-LOCAL only: S-STATE is another buyer's.
    assert!(
        dashboard.contains("1 marché sans condition sociale ni justification"),
        "{dashboard}"
    );

    let missing = r
        .app
        .get_with("/marches?obligation=social_missing", &token)
        .await;
    let missing = missing.text().await.unwrap();
    assert!(missing.contains("1 marché(s)."), "{missing}");
    assert!(missing.contains(">S-LOCAL</a>"), "{missing}");

    let api = r.app.get_with("/api/obligations?year=2026", &token).await;
    let api: serde_json::Value = api.json().await.unwrap();
    let references: Vec<&str> = api["contracts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["reference"].as_str().unwrap())
        .collect();
    assert_eq!(
        references.len(),
        7,
        "the officer's buyer only: {references:?}"
    );
    assert!(!references.contains(&"S-STATE"));

    let listed = r.app.get_with("/api/contracts?q=F-GROUND", &token).await;
    let listed: serde_json::Value = listed.json().await.unwrap();
    let id = listed["items"][0]["id"].as_i64().unwrap();
    assert_eq!(listed["items"][0]["contract_type"], "supplies");
    assert_eq!(listed["items"][0]["estimated_value_cents"], 25_000_000);
    let page = r.app.get_with(&format!("/marches/{id}"), &token).await;
    let page = page.text().await.unwrap();
    assert!(
        page.contains("Dérogation justifiée</span> — motif : Solution immédiatement disponible"),
        "{page}"
    );
    assert!(
        page.contains("<dd>Achat sur catalogue d&#39;un bien standard</dd>"),
        "{page}"
    );

    // Counted once per data version: the register imported again with a ground for S-LOCAL
    // is seen at once.
    let (status, body) = r
        .app
        .import(
            &r.admin,
            "contracts",
            "registre.csv",
            register_csv_justifying(&["S-LOCAL"]),
            false,
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let justified = r.app.get_with("/tableau-de-bord?year=2026", &token).await;
    let justified = justified.text().await.unwrap();
    assert!(
        justified.contains("Aucun marché sans condition sociale ni justification"),
        "{justified}"
    );
}

#[tokio::test]
async fn a_modified_rules_file_changes_the_statuses_without_a_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("obligations.toml");
    let built_in = suivi_clauses::domain::obligations::BUILT_IN;
    let raised = built_in.replace("local_authority = 216000", "local_authority = 216001");
    assert_ne!(raised, built_in);
    std::fs::write(&rules, raised).unwrap();

    let r = register(Some(rules.clone())).await;
    let want = owned(expected(true));

    let api = r.app.get_with("/api/obligations?year=2026", &r.admin).await;
    let api: serde_json::Value = api.json().await.unwrap();
    assert_eq!(statuses(&api), want);

    // The command line reads the same file from the settings, here from the environment.
    let cli = succeeded(
        suivi(&r.url, &r.dir)
            .env("SUIVI_OBLIGATIONS__RULES_FILE", &rules)
            .args(["obligations", "--year", "2026", "--json"]),
    );
    let cli: serde_json::Value = serde_json::from_str(&cli).unwrap();
    assert_eq!(statuses(&cli), want);
    // Without it, the built-in thresholds.
    let built = succeeded(suivi(&r.url, &r.dir).args(["obligations", "--year", "2026", "--json"]));
    let built: serde_json::Value = serde_json::from_str(&built).unwrap();
    assert_eq!(statuses(&built), owned(expected(false)));
}

#[tokio::test]
async fn an_unknown_ground_is_refused_with_its_row_and_the_allowed_grounds() {
    let database = TestDatabase::new();
    let app = spawn_app_on(database, |_| {}).await;
    app.add_buyer(1, "Département").await;
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await.token;
    let file = format!(
        "{HEADER}\nX-1;Objet;{};79620000;01/12/2026;100 000;{};Entreprise;;01/09/2026;Services;300 000;;;Trop cher;Parce que\n",
        siret(1).as_str(),
        siret(100).as_str()
    );
    let (status, body) = app
        .import(
            &admin,
            "contracts",
            "registre.csv",
            file.into_bytes(),
            false,
        )
        .await;
    assert_eq!(status, 422, "{body}");
    let problems = problems_by_row(&body);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(
        message_at(&problems, 2),
        "« Trop cher » n'est pas un motif d'absence de condition sociale reconnu : écrivez « Solution immédiatement disponible », « Pas de lien suffisant avec l'objet du marché » ou « Restriction de la concurrence ou exécution difficile »."
    );
}

#[tokio::test]
async fn the_contracts_template_offers_the_natures_and_grounds() {
    let database = TestDatabase::new();
    let app = spawn_app_on(database, |_| {}).await;
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await.token;
    let bytes = download(&app, "/api/imports/templates/contracts", &admin).await;
    let mut book = open(bytes);
    let lists = rows(&mut book, "Listes");
    let column = |header: &str| -> Vec<String> {
        let c = lists[0].iter().position(|h| text(h) == header).unwrap();
        lists
            .iter()
            .skip(1)
            .map(|r| text(&r[c]))
            .filter(|t| !t.is_empty())
            .collect()
    };
    assert_eq!(column("Nature"), ["Travaux", "Fournitures", "Services"]);
    assert_eq!(
        column("Motif d'absence de condition sociale"),
        [
            "Solution immédiatement disponible",
            "Pas de lien suffisant avec l'objet du marché",
            "Restriction de la concurrence ou exécution difficile"
        ]
    );
}
