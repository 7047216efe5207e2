//! The SPASER report: a register of two buyers over two years gives, in the workbook read back
//! and in the open-data CSV, exactly the counts, values and shares worked out here from the
//! register itself; an officer gets only its buyers; the command line writes the same file.

use suivi_clauses::domain::Role;

use crate::exports::{download, open, rows, scaled, text};
use crate::helpers::{
    ADMIN_EMAIL, ADMIN_PASSWORD, TestDatabase, USER_PASSWORD, siret, spawn_app_on,
};
use crate::obligations::{succeeded, suivi};

const HEADER: &str = "Référence marché;Objet;SIRET acheteur;Code CPV;Date de notification;Montant HT;SIRET titulaire;Raison sociale titulaire;Clause d'insertion;Critère social;Marché réservé;Condition sociale d'exécution;Condition environnementale d'exécution;Critère environnemental d'attribution;Date de lancement de la consultation;Nature;Valeur estimée HT";

/// One contract of the register.
struct Case {
    reference: &'static str,
    buyer: u64,
    notified: &'static str,
    euros: i64,
    clause: bool,
    criterion: bool,
    reserved: bool,
    condition: bool,
    green_condition: bool,
    green_criterion: bool,
    /// Launched after the climate law's entry into force, subject and without anything: the
    /// one contract the report lists as missing.
    missing: bool,
}

const fn case(reference: &'static str, buyer: u64, notified: &'static str, euros: i64) -> Case {
    Case {
        reference,
        buyer,
        notified,
        euros,
        clause: false,
        criterion: false,
        reserved: false,
        condition: false,
        green_condition: false,
        green_criterion: false,
        missing: false,
    }
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            clause: true,
            ..case("A25-1", 1, "01/03/2025", 100_000)
        },
        case("A25-2", 1, "01/06/2025", 50_000),
        Case {
            clause: true,
            green_condition: true,
            ..case("A26-1", 1, "01/10/2026", 200_000)
        },
        Case {
            criterion: true,
            ..case("A26-2", 1, "15/10/2026", 300_000)
        },
        Case {
            reserved: true,
            ..case("A26-3", 1, "01/11/2026", 120_000)
        },
        Case {
            condition: true,
            green_criterion: true,
            ..case("A26-4", 1, "05/11/2026", 80_000)
        },
        Case {
            missing: true,
            ..case("A26-5", 1, "01/12/2026", 250_000)
        },
        Case {
            green_condition: true,
            ..case("B26-1", 2, "01/09/2026", 400_000)
        },
        case("B26-2", 2, "10/09/2026", 100_000),
    ]
}

fn yes(flag: bool) -> &'static str {
    if flag { "Oui" } else { "Non" }
}

fn register_csv() -> Vec<u8> {
    let mut lines = vec![HEADER.to_owned()];
    for (i, c) in cases().iter().enumerate() {
        let (launch, nature, estimated) = if c.missing {
            ("01/09/2026", "Services", "300 000")
        } else {
            ("", "", "")
        };
        lines.push(
            [
                c.reference,
                &format!("Marché {}", c.reference),
                siret(c.buyer).as_str(),
                "79620000",
                c.notified,
                &c.euros.to_string(),
                siret(100 + i as u64).as_str(),
                &format!("Entreprise {i}"),
                yes(c.clause),
                yes(c.criterion),
                if c.reserved { "L2113-13" } else { "Non" },
                yes(c.condition),
                yes(c.green_condition),
                yes(c.green_criterion),
                launch,
                nature,
                estimated,
            ]
            .join(";"),
        );
    }
    lines.join("\n").into_bytes()
}

/// Whether a contract counts for an indicator, as the test reads the register.
type Counts = fn(&Case) -> bool;

/// The indicators in the report's order.
const INDICATORS: [(&str, Counts); 7] = [
    ("marches_notifies", |_| true),
    ("consideration_sociale", |c| {
        c.clause || c.criterion || c.reserved || c.condition
    }),
    ("clause_insertion", |c| c.clause),
    ("autre_condition_sociale", |c| c.condition),
    ("critere_social", |c| c.criterion),
    ("marche_reserve", |c| c.reserved),
    ("consideration_environnementale", |c| {
        c.green_condition || c.green_criterion
    }),
];

/// `part ÷ whole` in basis points, half up.
fn basis_points(part: i64, whole: i64) -> i64 {
    (2 * part * 10_000 + whole) / (2 * whole)
}

/// One expected row: (SIRET, year, code, count, value in cents, share by count, share by
/// value, target), shares and targets in basis points.
type Row = (String, i64, String, i64, i64, i64, i64, Option<i64>);

/// Buyer 1 set its targets (35 % social, 50 % environmental); buyer 2 has the PNAD's 30 %.
fn expected(buyers: &[u64]) -> Vec<Row> {
    let cases = cases();
    let mut rows = Vec::new();
    for &buyer in buyers {
        let years: &[&str] = if buyer == 1 {
            &["2025", "2026"]
        } else {
            &["2026"]
        };
        for year in years {
            let of_year: Vec<&Case> = cases
                .iter()
                .filter(|c| c.buyer == buyer && c.notified.ends_with(year))
                .collect();
            let whole_value: i64 = of_year.iter().map(|c| c.euros * 100).sum();
            for (code, counts) in INDICATORS {
                let counted: Vec<&&Case> = of_year.iter().filter(|c| counts(c)).collect();
                let value: i64 = counted.iter().map(|c| c.euros * 100).sum();
                let target = match (code, buyer) {
                    ("consideration_sociale", 1) => Some(3_500),
                    ("consideration_sociale", _) => Some(3_000),
                    ("consideration_environnementale", 1) => Some(5_000),
                    _ => None,
                };
                rows.push((
                    siret(buyer).as_str().to_owned(),
                    year.parse().unwrap(),
                    code.to_owned(),
                    counted.len() as i64,
                    value,
                    basis_points(counted.len() as i64, of_year.len() as i64),
                    basis_points(value, whole_value),
                    target,
                ));
            }
        }
    }
    rows
}

/// "33.33" as basis points.
fn percent(cell: &str) -> i64 {
    let (units, hundredths) = cell.split_once('.').unwrap();
    units.parse::<i64>().unwrap() * 100 + hundredths.parse::<i64>().unwrap()
}

fn csv_rows(csv: &str) -> Vec<Row> {
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "siret_acheteur,nom_acheteur,annee,indicateur,nombre_marches,valeur_euros_ht,part_nombre_pct,part_valeur_pct,cible_pct"
    );
    lines
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            (
                f[0].to_owned(),
                f[2].parse().unwrap(),
                f[3].to_owned(),
                f[4].parse().unwrap(),
                percent(f[5]),
                percent(f[6]),
                percent(f[7]),
                (!f[8].is_empty()).then(|| percent(f[8])),
            )
        })
        .collect()
}

/// The indicators sheet as rows, its labels turned back into the CSV's codes by position.
fn workbook_rows(bytes: Vec<u8>) -> Vec<Row> {
    let mut book = open(bytes);
    let sheet = rows(&mut book, "Indicateurs");
    sheet
        .iter()
        .skip(1)
        .enumerate()
        .map(|(i, row)| {
            let target = text(&row[8]);
            (
                text(&row[0]),
                scaled(&row[2], 1.0),
                INDICATORS[i % INDICATORS.len()].0.to_owned(),
                scaled(&row[4], 1.0),
                scaled(&row[5], 100.0),
                scaled(&row[6], 10_000.0),
                scaled(&row[7], 10_000.0),
                (!target.is_empty()).then(|| scaled(&row[8], 10_000.0)),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_report_equals_the_register_counted_here_in_the_workbook_and_the_csv() {
    let database = TestDatabase::new();
    let (url, dir) = (database.url().to_owned(), database.data_dir());
    let app = spawn_app_on(database, |_| {}).await;
    for n in [1, 2] {
        let siret = siret(n).as_str().to_owned();
        let name = format!("Acheteur {n}");
        let add = [
            "buyer",
            "add",
            "--siret",
            &siret,
            "--name",
            &name,
            "--territory",
            "31",
        ];
        succeeded(suivi(&url, &dir).args(add));
    }
    let first = siret(1).as_str().to_owned();
    let targets = ["buyer", "targets", "--siret", &first, "--social", "35 %"];
    succeeded(suivi(&url, &dir).args([&targets[..], &["--environmental", "50 %"]].concat()));
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await.token;
    let (status, body) = app
        .import(&admin, "contracts", "registre.csv", register_csv(), false)
        .await;
    assert_eq!(status, 201, "{body}");

    let workbook = download(&app, "/api/exports/spaser.xlsx?year=2026", &admin).await;
    assert_eq!(workbook_rows(workbook.clone()), expected(&[1, 2]));
    let mut book = open(workbook);
    let missing = rows(&mut book, "Marchés manquants");
    assert_eq!(missing.len(), 2, "{missing:?}");
    assert_eq!(text(&missing[1][2]), "A26-5");
    assert!(!rows(&mut book, "Méthode").is_empty());
    let trend = rows(&mut book, "Tendance");
    assert_eq!(
        text(&trend[0][0]),
        format!("Acheteur 1 (SIRET {})", siret(1).as_str())
    );

    let csv = download(&app, "/api/exports/spaser.csv?year=2026", &admin).await;
    let csv = String::from_utf8(csv).unwrap();
    assert_eq!(csv_rows(&csv), expected(&[1, 2]));

    let file = dir.join("spaser.csv");
    let export = [
        "export", "--kind", "spaser", "--year", "2026", "--format", "csv",
    ];
    succeeded(suivi(&url, &dir).args([&export[..], &[file.to_str().unwrap()]].concat()));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), csv);

    let officer = app.create_user(Role::BuyerOfficer, vec![siret(2)]).await;
    let token = app.session(&officer.email, USER_PASSWORD).await.token;
    let own = download(&app, "/api/exports/spaser.csv?year=2026", &token).await;
    assert_eq!(csv_rows(&String::from_utf8(own).unwrap()), expected(&[2]));
    let other = format!("/api/exports/spaser.csv?year=2026&buyer={}", siret(1));
    assert_ne!(app.get_with(&other, &token).await.status(), 200);
    let dashboard = app.get_with("/tableau-de-bord?year=2026", &token).await;
    let dashboard = dashboard.text().await.unwrap();
    assert!(
        dashboard.contains("href=\"/api/exports/spaser.xlsx?year=2026\""),
        "{dashboard}"
    );
}
