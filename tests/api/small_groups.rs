//! Small groups of people (issue 24, finding 3): what an elected official reads in the API, the
//! dashboard and the compliance workbook never singles out fewer than five people, neither
//! directly, nor by subtracting the groups shown from a total, nor by subtracting one buyer's
//! figures from those of all buyers.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use serde_json::Value;
use suivi_clauses::domain::Role;
use suivi_clauses::indicators::small_groups::FEW_PEOPLE_NOTE;

use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, USER_PASSWORD, siret, spawn_app};
use crate::indicators::breakdown;
use crate::pages::{figure, page};

const MURET: u64 = 41;
const TOULOUSE: u64 = 42;
const BLAGNAC: u64 = 43;

/// The dimensions about people.
const PEOPLE: [&str; 6] = [
    "criterion",
    "sex",
    "age_band",
    "qpv",
    "exit_outcome",
    "six_month_situation",
];

async fn send(app: &TestApp, token: &str, kind: &str, csv: String) {
    let (status, body) = app
        .import(token, kind, &format!("{kind}.csv"), csv.into_bytes(), false)
        .await;
    assert_eq!(status, 201, "{kind}: {body}");
}

/// Criterion, sex, and exit (outcome and date, or nothing) of one participant.
type Person = (&'static str, &'static str, &'static str);

/// The first lines of the register and hours files both datasets below send.
const REGISTER_HEADER: &str = "Référence marché;Objet;SIRET acheteur;Date de notification;Durée (mois);Montant HT;SIRET titulaire;Raison sociale titulaire;Code postal titulaire;Clause d'insertion;Heures d'insertion prévues\n";
const HOURS_HEADER: &str =
    "Référence marché;SIRET entreprise;Mois;Identifiant participant;Modalité;Heures travaillées\n";

/// Three communes, one contract each, worked in 2025:
/// - Muret: 10 participants, 8 women and 2 men; 9 RSA and 1 RQTH;
/// - Toulouse: 18 participants, 12 women and 6 men, all RSA;
/// - Blagnac: 3 participants, one of whom left for a lasting job.
async fn communes(app: &TestApp) -> String {
    app.add_buyer(MURET, "Commune de Muret").await;
    app.add_buyer(TOULOUSE, "Toulouse Métropole").await;
    app.add_buyer(BLAGNAC, "Commune de Blagnac").await;
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await.token;
    let holder = siret(40);
    let holder = holder.as_str();
    let mut register = String::from(REGISTER_HEADER);
    let mut people = String::from(
        "Identifiant participant;Critère d'éligibilité;Année de naissance;Sexe;Résident QPV;Sortie;Date de sortie\n",
    );
    let mut hours = String::from(HOURS_HEADER);
    let towns: [(u64, &str, Vec<Person>); 3] = [
        (
            MURET,
            "M",
            (1..=10)
                .map(|n| match n {
                    1..=8 => ("RSA", "F", ""),
                    9 => ("RSA", "H", ""),
                    _ => ("TH", "H", ""),
                })
                .collect(),
        ),
        (
            TOULOUSE,
            "T",
            (1..=18)
                .map(|n| ("RSA", if n <= 12 { "F" } else { "H" }, ""))
                .collect(),
        ),
        (
            BLAGNAC,
            "B",
            vec![
                ("RSA", "F", "Emploi durable;01/10/2025"),
                ("RSA", "H", ""),
                ("RSA", "F", ""),
            ],
        ),
    ];
    for (buyer, prefix, persons) in towns {
        let buyer = siret(buyer);
        let reference = format!("2025-{prefix}");
        register.push_str(&format!(
            "{reference};Travaux;{};01/01/2025;12;500000;{holder};Bâtiments du Sud;31000;Oui;2000\n",
            buyer.as_str()
        ));
        for (n, (criterion, sex, exit)) in persons.into_iter().enumerate() {
            let exit = if exit.is_empty() { ";" } else { exit };
            people.push_str(&format!("{prefix}{n};{criterion};1980;{sex};Non;{exit}\n"));
            // One month each, spread over the year.
            let month = n % 12 + 1;
            hours.push_str(&format!(
                "{reference};{holder};{month:02}/2025;{prefix}{n};Embauche directe;35\n"
            ));
        }
    }
    send(app, &admin, "contracts", register).await;
    send(app, &admin, "participants", people).await;
    send(app, &admin, "hours", hours).await;
    // An elected official of every buyer (an elected official follows one buyer, or all).
    let elected = app.create_user(Role::Elected, Vec::new()).await;
    app.session(&elected.email, USER_PASSWORD).await.token
}

async fn figures(app: &TestApp, token: &str, buyer: Option<u64>) -> Value {
    let path = match buyer {
        Some(b) => format!(
            "/api/indicators?year=2025&breakdowns=all&buyer={}",
            siret(b).as_str()
        ),
        None => "/api/indicators?year=2025&breakdowns=all".to_owned(),
    };
    let response = app.get_with(&path, token).await;
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.unwrap()
}

/// The participants of each group shown, by key (`None`: not recorded).
fn shown(figures: &Value, dimension: &str) -> Vec<(Option<String>, i64)> {
    breakdown(figures, dimension)
        .iter()
        .filter(|g| g["suppressed"] == false)
        .map(|g| {
            (
                g["key"].as_str().map(str::to_owned),
                g["participants"].as_i64().unwrap(),
            )
        })
        .collect()
}

/// Hidden groups of people are never named and stand together as one line at most.
fn no_hidden_group_is_named(figures: &Value, view: &str) {
    for dimension in PEOPLE {
        let hidden: Vec<&Value> = breakdown(figures, dimension)
            .iter()
            .filter(|g| g["suppressed"] == true)
            .collect();
        assert!(hidden.len() <= 1, "{view} {dimension}: {hidden:?}");
        for group in hidden {
            assert!(
                group["key"].is_null()
                    && group["participants"].is_null()
                    && group["hours_hundredths"].is_null(),
                "{view} {dimension}: {group}"
            );
        }
        for (_, participants) in shown(figures, dimension) {
            assert!(participants == 0 || participants >= 5, "{view} {dimension}");
        }
    }
}

#[tokio::test]
async fn no_figure_shown_singles_out_fewer_than_five_people() {
    let app = spawn_app().await;
    let elected = communes(&app).await;
    let all = figures(&app, &elected, None).await;
    let muret = figures(&app, &elected, Some(MURET)).await;
    let toulouse = figures(&app, &elected, Some(TOULOUSE)).await;
    let blagnac = figures(&app, &elected, Some(BLAGNAC)).await;

    for (view, figures) in [
        ("all", &all),
        ("Muret", &muret),
        ("Toulouse", &toulouse),
        ("Blagnac", &blagnac),
    ] {
        no_hidden_group_is_named(figures, view);
    }

    // Muret: 10 participants shown; had the 8 women been shown beside them, 10 − 8 would give
    // the 2 men. The one hidden group takes the next smallest with it.
    assert_eq!(muret["insertion"]["participants"]["count"], 10);
    assert!(
        shown(&muret, "sex").is_empty(),
        "{:?}",
        breakdown(&muret, "sex")
    );
    assert!(shown(&muret, "criterion").is_empty());

    // Toulouse alone: 12 women, 6 men, all shown.
    assert_eq!(
        shown(&toulouse, "sex"),
        [
            (Some("female".to_owned()), 12),
            (Some("male".to_owned()), 6)
        ]
    );

    // All buyers minus one buyer never gives a small group: the groups Muret hides (and
    // Blagnac's) stay hidden in every figure that counts them.
    for (view, part) in [
        ("Muret", &muret),
        ("Toulouse", &toulouse),
        ("Blagnac", &blagnac),
    ] {
        for dimension in PEOPLE {
            let part = shown(part, dimension);
            for (key, whole) in shown(&all, dimension) {
                let rest = whole - part.iter().find(|(k, _)| *k == key).map_or(0, |(_, n)| *n);
                assert!(
                    rest == 0 || rest >= 5,
                    "all − {view}, {dimension} {key:?}: {rest}"
                );
            }
        }
    }
    let total = |f: &Value| f["insertion"]["participants"]["count"].as_i64();
    assert_eq!(total(&all), Some(31));
    assert_eq!(total(&toulouse), Some(18));
    assert!(
        shown(&all, "sex").is_empty(),
        "{:?}",
        breakdown(&all, "sex")
    );

    // Blagnac: 3 participants. No count of them, no "1 of 1" exits to a job, a note saying why;
    // hours stay (by lot, by month) but not the people behind them.
    let insertion = &blagnac["insertion"];
    assert_eq!(insertion["participants"]["count"], Value::Null);
    assert_eq!(insertion["exits_to_employment"], Value::Null);
    assert_eq!(insertion["few_people"], FEW_PEOPLE_NOTE);
    assert_eq!(insertion["hours"]["hours_hundredths"], 10_500);
    for dimension in ["lot", "company", "month", "buyer", "structure_kind"] {
        for group in breakdown(&blagnac, dimension) {
            assert!(group["hours_hundredths"].is_i64(), "{dimension}: {group}");
            assert_eq!(group["participants"], Value::Null, "{dimension}: {group}");
        }
    }
    // Months of one or two people are hidden among all buyers too, their hours kept.
    for group in breakdown(&all, "month") {
        let participants = group["participants"].as_i64();
        assert!(participants.is_none_or(|n| n >= 5), "{group}");
        assert!(group["hours_hundredths"].is_i64());
    }
}

fn text(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

#[tokio::test]
async fn the_dashboard_and_the_workbook_follow_the_same_rule() {
    let app = spawn_app().await;
    let elected = communes(&app).await;
    let blagnac = app.create_user(Role::Elected, vec![siret(BLAGNAC)]).await;
    let blagnac = app.session(&blagnac.email, USER_PASSWORD).await;
    let muret = app.create_user(Role::Elected, vec![siret(MURET)]).await;
    let muret = app.session(&muret.email, USER_PASSWORD).await;

    let (status, dashboard) = page(&app, &blagnac, "/tableau-de-bord?year=2025").await;
    let workbook = app
        .get_with(
            &format!(
                "/api/exports/compliance.xlsx?year=2025&buyer={}",
                siret(MURET).as_str()
            ),
            &elected,
        )
        .await;
    assert_eq!(workbook.status(), 200);
    let mut book: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(workbook.bytes().await.unwrap().to_vec())).unwrap();
    let publics: Vec<Vec<Data>> = book
        .worksheet_range("Publics")
        .unwrap()
        .rows()
        .map(<[Data]>::to_vec)
        .collect();
    let (_, muret_page) = page(&app, &muret, "/tableau-de-bord?year=2025").await;

    // Blagnac's dashboard: no count of its 3 participants, no "100 % (1 sur 1)" exits to a job,
    // and why.
    assert_eq!(status, 200);
    assert!(
        dashboard.contains(&FEW_PEOPLE_NOTE.replace('\'', "&#39;")),
        "{dashboard}"
    );
    assert!(figure(&dashboard, "Participants").starts_with("masqué"));
    assert!(figure(&dashboard, "Sorties vers l'emploi").starts_with("masqué"));
    assert_eq!(figure(&muret_page, "Participants"), "10");

    // Muret's workbook: neither men nor women named with a figure, one line for the hidden
    // groups of each breakdown about people.
    let sex: Vec<&Vec<Data>> = publics
        .iter()
        .filter(|r| text(&r[0]) == "Par sexe")
        .collect();
    assert_eq!(sex.len(), 1, "{sex:?}");
    assert!(text(&sex[0][1]).starts_with("Groupes masqués"), "{sex:?}");
    assert!(text(&sex[0][3]).contains("masqué"));
    assert!(
        !publics
            .iter()
            .any(|r| text(&r[1]) == "Homme" || text(&r[1]) == "Femme"),
        "{publics:?}"
    );
}

/// One participant of `pathways`: criterion, sex, birth year, QPV, exit (outcome and date) and
/// six-month situation (and date), empty when none.
type Pathway = (
    &'static str,
    &'static str,
    u32,
    &'static str,
    &'static str,
    &'static str,
);

/// Two buyers whose people give small groups in every breakdown, and special-category groups
/// of five people and more (RQTH) beside a small one (AAH):
/// - Colomiers: 12 RSA (8 women), 8 RQTH, 2 AAH, 5 JEUNE; exits and six-month situations;
/// - Cugnaux: 9 RSA, 5 RQTH, 1 justice.
async fn pathways(app: &TestApp) -> (String, String) {
    const COLOMIERS: u64 = 51;
    const CUGNAUX: u64 = 52;
    app.add_buyer(COLOMIERS, "Commune de Colomiers").await;
    app.add_buyer(CUGNAUX, "Commune de Cugnaux").await;
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await.token;
    let holder = siret(40);
    let holder = holder.as_str();
    let mut register = String::from(REGISTER_HEADER);
    let mut people = String::from(
        "Identifiant participant;Critère d'éligibilité;Année de naissance;Sexe;Résident QPV;Sortie;Date de sortie;Situation à 6 mois;Date de la situation à 6 mois\n",
    );
    let mut hours = String::from(HOURS_HEADER);
    let durable = "Emploi durable;15/03/2025";
    let positive = "Sortie positive;15/03/2025";
    let colomiers: Vec<Pathway> = (0..27)
        .map(|n| match n {
            0..=7 => (
                "RSA",
                "F",
                1990,
                "Non",
                if n < 5 { durable } else { ";" },
                if n < 4 {
                    "Emploi durable;20/09/2025"
                } else {
                    ";"
                },
            ),
            8..=11 => (
                "RSA",
                "H",
                1960,
                "Oui",
                if n < 10 { positive } else { ";" },
                if n < 9 {
                    "Sans nouvelles;20/09/2025"
                } else {
                    ";"
                },
            ),
            12..=19 => ("TH", if n < 15 { "F" } else { "H" }, 1980, "Non", ";", ";"),
            20..=21 => ("AAH", "H", 1975, "Oui", ";", ";"),
            _ => ("JEUNE", "H", 2004, "Non", ";", ";"),
        })
        .collect();
    let cugnaux: Vec<Pathway> = (0..15)
        .map(|n| match n {
            0..=8 => ("RSA", "F", 1992, "Non", ";", ";"),
            9..=13 => ("TH", "H", 1970, "Non", ";", ";"),
            _ => ("DETENTION_MJ", "H", 1999, "Oui", ";", ";"),
        })
        .collect();
    for (buyer, prefix, persons) in [(COLOMIERS, "CO", colomiers), (CUGNAUX, "CU", cugnaux)] {
        let buyer = siret(buyer);
        let reference = format!("2025-{prefix}");
        register.push_str(&format!(
            "{reference};Travaux;{};01/01/2025;12;500000;{holder};Bâtiments du Sud;31000;Oui;2000\n",
            buyer.as_str()
        ));
        for (n, (criterion, sex, born, qpv, exit, six)) in persons.into_iter().enumerate() {
            people.push_str(&format!(
                "{prefix}{n};{criterion};{born};{sex};{qpv};{exit};{six}\n"
            ));
            // Hours differ from one person to the next, so that no two groups tie by chance.
            let month = n % 3 + 1;
            hours.push_str(&format!(
                "{reference};{holder};{month:02}/2025;{prefix}{n};Embauche directe;{}\n",
                20 + n
            ));
        }
    }
    send(app, &admin, "contracts", register).await;
    send(app, &admin, "participants", people).await;
    send(app, &admin, "hours", hours).await;
    let elected = app.create_user(Role::Elected, Vec::new()).await;
    let elected = app.session(&elected.email, USER_PASSWORD).await.token;
    (admin, elected)
}

/// A group as shown: key, participants, hours (in hundredths), suppressed.
type Cell = (Option<String>, Option<i64>, Option<i64>, bool);

/// Participants and hours of every group of a breakdown as shown, by key.
fn cells(figures: &Value, dimension: &str) -> Vec<Cell> {
    breakdown(figures, dimension)
        .iter()
        .map(|g| {
            (
                g["key"].as_str().map(str::to_owned),
                g["participants"].as_i64(),
                g["hours_hundredths"].as_i64(),
                g["suppressed"] == true,
            )
        })
        .collect()
}

/// Every group the facilitateur's view has and `view` does not show is hidden among two or
/// more (or the total with them): neither total minus the groups shown, in people or in
/// hours, gives it. Returns how many groups `view` hid.
fn no_hidden_group_is_deduced(full: &Value, view: &Value, name: &str) -> usize {
    let total_people = view["insertion"]["participants"]["count"].as_i64();
    let total_hours = view["insertion"]["hours"]["hours_hundredths"]
        .as_i64()
        .unwrap();
    let mut hidden_count = 0;
    for dimension in PEOPLE {
        let shown: Vec<_> = cells(view, dimension)
            .into_iter()
            .filter(|c| !c.3)
            .collect();
        let hidden: Vec<_> = cells(full, dimension)
            .into_iter()
            .filter(|(key, ..)| !shown.iter().any(|s| s.0 == *key))
            .collect();
        for (_, participants, ..) in &shown {
            let n = participants.unwrap();
            assert!(n == 0 || n >= 5, "{name} {dimension}: {n} shown");
        }
        let rest_hours = total_hours - shown.iter().map(|s| s.2.unwrap()).sum::<i64>();
        let rest_people = total_people.map(|t| t - shown.iter().map(|s| s.1.unwrap()).sum::<i64>());
        for (key, participants, hours, _) in &hidden {
            assert_ne!(
                hours.unwrap(),
                rest_hours,
                "{name} {dimension} {key:?}: hours"
            );
            if let Some(rest) = rest_people {
                assert_ne!(
                    participants.unwrap(),
                    rest,
                    "{name} {dimension} {key:?}: people"
                );
            }
        }
        assert_ne!(hidden.len(), 1, "{name} {dimension}: {hidden:?}");
        hidden_count += hidden.len();
    }
    hidden_count
}

#[tokio::test]
async fn an_elected_account_never_finds_a_hidden_group_by_subtraction() {
    let app = spawn_app().await;
    let (admin, elected) = pathways(&app).await;
    let officer = app.create_user(Role::BuyerOfficer, vec![siret(51)]).await;
    let officer = app.session(&officer.email, USER_PASSWORD).await.token;

    let mut hidden = 0;
    for buyer in [None, Some(51), Some(52)] {
        let full = figures(&app, &admin, buyer).await;
        let view = figures(&app, &elected, buyer).await;
        hidden += no_hidden_group_is_deduced(&full, &view, &format!("{buyer:?}"));
        // Health and justice criteria never reach an elected official, whatever their size.
        for (key, ..) in cells(&view, "criterion") {
            assert!(
                !matches!(key.as_deref(), Some("TH" | "AAH" | "DETENTION_MJ")),
                "{buyer:?}: {key:?}"
            );
        }
        assert_eq!(
            view["insertion"]["hours"]["hours_hundredths"],
            full["insertion"]["hours"]["hours_hundredths"]
        );
    }
    assert!(hidden > 0, "the scenario hides groups");

    // Colomiers for an elected official: RQTH (8 people) hidden with the AAH (2), and the
    // smallest other group (JEUNE, 5) with them, so that 27 − 12 gives no RQTH.
    let colomiers = figures(&app, &elected, Some(51)).await;
    assert_eq!(
        shown(&colomiers, "criterion"),
        [(Some("RSA".to_owned()), 12)]
    );
    // The six-month situations: 4 lasting jobs, 1 no news, the rest none recorded.
    let full = figures(&app, &admin, Some(51)).await;
    let mut situations = shown(&full, "six_month_situation");
    situations.sort();
    assert_eq!(
        situations,
        [
            (None, 22),
            (Some("no_news".to_owned()), 1),
            (Some("sustainable_employment".to_owned()), 4)
        ]
    );
    assert_eq!(shown(&colomiers, "six_month_situation"), [(None, 22)]);
    // Women's share of hours: a share of the hours by sex, hidden with the groups by sex.
    let women = &full["insertion"]["women_hours_share"];
    // The 8 women of RSA (20 to 27 h) and the 3 of RQTH (32 to 34 h).
    let women_hours: i64 = (0..8).chain(12..15).map(|n| (20 + n) * 100).sum();
    assert_eq!(women["part_hours_hundredths"].as_i64(), Some(women_hours));
    assert_eq!(
        colomiers["insertion"]["women_hours_share"].is_null(),
        breakdown(&colomiers, "sex")
            .iter()
            .any(|g| g["suppressed"] == true)
    );

    // The officer of Colomiers reads RQTH (8 people), never the AAH (2).
    let own = figures(&app, &officer, Some(51)).await;
    let criteria = shown(&own, "criterion");
    assert!(
        criteria.contains(&(Some("TH".to_owned()), 8)),
        "{criteria:?}"
    );
    assert!(!criteria.iter().any(|(k, _)| k.as_deref() == Some("AAH")));
    no_hidden_group_is_deduced(&full, &own, "officer");
}
