//! Importing the contracts register: rows of lot × awardee become contracts, lots, awards and
//! clauses; an updated register updates them; inconsistent rows are refused, nothing written.

use diesel::prelude::*;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use suivi_clauses::domain::Role;
use suivi_clauses::storage::StorageError;
use suivi_clauses::storage::schema::{awards, companies, contracts, insertion_clauses, lots};

use crate::helpers::{TestApp, USER_PASSWORD, message_at, problems_by_row, siret, spawn_app};

const HEADERS: [&str; 15] = [
    "N° de marché",
    "Objet du marché",
    "SIRET acheteur",
    "Procédure",
    "CPV",
    "Date de notification",
    "Durée (mois)",
    "Lot",
    "Montant HT",
    "SIRET titulaire",
    "Titulaire",
    "Rôle",
    "Clause sociale",
    "Heures prévues",
    "Marché réservé",
];

/// The register as an officer exports it; `hours` is the target of the collège's lot.
fn register(hours: f64) -> Vec<u8> {
    let buyer = siret(1).as_str().to_owned();
    let collège = |amount: &str, siret: &str, name: &str, role: &str| {
        let head = [
            "2025-TX-014",
            "Réhabilitation du collège Jean Jaurès",
            &buyer,
            "Appel d'offres ouvert",
            "45454000-4",
            "",
            "24",
            "",
        ];
        [&head[..], &[amount, siret, name, role, "Oui", "", "Non"]]
            .concat()
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<String>>()
    };
    let espaces_verts =
        |lot: &str, amount: &str, siret: &str, clause: &str, hours: &str, reserved: &str| {
            let head = [
                "2025-SV-003",
                "Entretien des espaces verts",
                &buyer,
                "MAPA",
                "77310000",
                "",
                "36",
            ];
            [
                &head[..],
                &[lot, amount, siret, "", "", clause, hours, reserved],
            ]
            .concat()
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<String>>()
        };
    let rows: Vec<Vec<String>> = vec![
        // A contract without lots: a holder, a co-contractor and a subcontractor.
        collège(
            "600 000,00 €",
            "44306184100047",
            "Bâtiments du Sud",
            "Titulaire",
        ),
        collège(
            "250000",
            "73282932000074",
            "Menuiseries Garonne",
            "Co-traitant",
        ),
        collège(
            "80000",
            "21310555400017",
            "Chantier d'insertion du Lauragais",
            "Sous-traitant",
        ),
        // Two lots; the second reserved to insertion employers.
        espaces_verts("1", "120000", "44306184100047", "Non", "", "Non"),
        espaces_verts("2", "95000", "21310555400017", "Oui", "1 200", "L2113-13"),
    ];
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet
        .write_string(0, 0, "Registre des marchés notifiés — 2025")
        .unwrap();
    for (c, h) in HEADERS.iter().enumerate() {
        sheet.write_string(2, c as u16, *h).unwrap();
    }
    let date_format = Format::new().set_num_format("dd/mm/yyyy");
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 3;
        for (c, value) in row.iter().enumerate() {
            if !value.is_empty() {
                sheet.write_string(r, c as u16, value).unwrap();
            }
        }
        // Notification dates as real Excel dates.
        let (y, m, d) = if r < 6 { (2025, 3, 14) } else { (2025, 1, 6) };
        sheet
            .write_datetime_with_format(
                r,
                5,
                ExcelDateTime::from_ymd(y, m, d).unwrap(),
                &date_format,
            )
            .unwrap();
    }
    sheet.write_number(3, 13, hours).unwrap();
    book.save_to_buffer().unwrap()
}

pub async fn officer(app: &TestApp) -> String {
    app.add_buyer(1, "Département de la Haute-Garonne").await;
    app.add_buyer(2, "Autre acheteur").await;
    let user = app.create_user(Role::BuyerOfficer, vec![siret(1)]).await;
    app.session(&user.email, USER_PASSWORD).await.token
}

async fn send(app: &TestApp, token: &str, name: &str, bytes: Vec<u8>) -> (u16, serde_json::Value) {
    app.import(token, "contracts", name, bytes, false).await
}

/// (reference, lot number, lot amount in cents, reservation, clause target in hundredths)
pub type LotRow = (String, i32, i64, String, Option<i64>);

pub async fn stored_lots(app: &TestApp) -> Vec<LotRow> {
    app.database
        .run(|conn| {
            lots::table
                .inner_join(contracts::table)
                .left_join(insertion_clauses::table)
                .select((
                    contracts::reference,
                    lots::number,
                    lots::amount_cents,
                    lots::reservation,
                    insertion_clauses::target_hours.nullable(),
                ))
                .order((contracts::reference, lots::number))
                .load::<LotRow>(conn)
                .map_err(StorageError::from)
        })
        .await
        .unwrap()
}

async fn award_roles(app: &TestApp) -> Vec<(String, String, Option<i64>)> {
    app.database
        .run(|conn| {
            awards::table
                .inner_join(companies::table)
                .select((companies::name, awards::role, awards::amount_cents))
                .order((awards::lot_id, awards::id))
                .load(conn)
                .map_err(StorageError::from)
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn a_register_becomes_contracts_lots_awards_and_clauses() {
    let app = spawn_app().await;
    let token = officer(&app).await;

    let (status, body) = send(&app, &token, "registre.xlsx", register(2_500.0)).await;

    assert_eq!(status, 201, "{body}");
    assert_eq!(body["report"]["rows_written"], 5);
    assert_eq!(body["report"]["header_row"], 3);
    assert_eq!(
        stored_lots(&app).await,
        [
            (
                "2025-SV-003".to_owned(),
                1,
                12_000_000,
                "none".to_owned(),
                None
            ),
            (
                "2025-SV-003".to_owned(),
                2,
                9_500_000,
                "l2113_13".to_owned(),
                Some(120_000)
            ),
            // The lot is its holder's and co-contractor's shares; subcontracting is paid from them.
            (
                "2025-TX-014".to_owned(),
                0,
                85_000_000,
                "none".to_owned(),
                Some(250_000)
            ),
        ]
    );
    let roles = award_roles(&app).await;
    assert_eq!(roles.len(), 5);
    assert!(roles.contains(&(
        "Chantier d'insertion du Lauragais".to_owned(),
        "subcontractor".to_owned(),
        Some(8_000_000)
    )));
    let (notified, duration, procedure, cpv): (
        chrono::NaiveDate,
        Option<i32>,
        Option<String>,
        Option<String>,
    ) = app
        .database
        .run(|conn| {
            contracts::table
                .filter(contracts::reference.eq("2025-TX-014"))
                .select((
                    contracts::notification_date,
                    contracts::duration_months,
                    contracts::procedure,
                    contracts::cpv_code,
                ))
                .first(conn)
                .map_err(StorageError::from)
        })
        .await
        .unwrap();
    assert_eq!(
        notified,
        chrono::NaiveDate::from_ymd_opt(2025, 3, 14).unwrap()
    );
    assert_eq!(
        (duration, procedure.as_deref(), cpv.as_deref()),
        (Some(24), Some("open_tender"), Some("45454000"))
    );
}

#[tokio::test]
async fn an_updated_register_updates_instead_of_adding() {
    let app = spawn_app().await;
    let token = officer(&app).await;

    let (first, _) = send(&app, &token, "registre.xlsx", register(2_500.0)).await;
    let (second, body) = send(&app, &token, "registre-v2.xlsx", register(3_000.0)).await;

    assert_eq!((first, second), (201, 201), "{body}");
    let lots = stored_lots(&app).await;
    assert_eq!(lots.len(), 3);
    assert_eq!(lots[2].4, Some(300_000));
    assert_eq!(award_roles(&app).await.len(), 5);
}

#[tokio::test]
async fn inconsistent_or_foreign_rows_are_refused_and_nothing_is_written() {
    let app = spawn_app().await;
    let token = officer(&app).await;
    let mine = siret(1).as_str().to_owned();
    let theirs = siret(2).as_str().to_owned();
    let csv = format!(
        "Référence marché;Objet;SIRET acheteur;Date de notification;Date de fin;Lot;Montant HT;SIRET titulaire;Raison sociale titulaire;Clause d'insertion;Heures d'insertion prévues\n\
         A-1;Voirie;{mine};01/02/2025;;1;100000;44306184100047;Routes du Sud;Oui;500\n\
         A-1;Voirie communale;{mine};01/02/2025;;2;100000;44306184100047;Routes du Sud;Non;\n\
         A-2;Éclairage;{mine};01/02/2025;;1;50000;44306184100047;Routes du Sud;Oui;300\n\
         A-2;Éclairage;{mine};01/02/2025;;1;20000;73282932000074;Lumière SA;Oui;400\n\
         A-3;Nettoyage;{theirs};01/02/2025;;;30000;44306184100047;Routes du Sud;;\n\
         A-4;Peinture;{mine};01/02/2025;;;30000;21310555400017;;;\n\
         A-5;Toiture;{mine};01/02/2025;01/01/2025;;30000;44306184100047;Routes du Sud;;\n\
         RÉFÉRENCE-BIEN-TROP-LONGUE;Toiture;{mine};01/02/2025;;;30000;44306184100047;Routes du Sud;;\n\
         A-6;Plomberie;{mine};01/02/2025;;;30000;44306184100047;Routes du Sud;Non;120\n"
    );

    let (status, body) = send(&app, &token, "registre.csv", csv.into_bytes()).await;

    assert_eq!(status, 422, "{body}");
    let problems = problems_by_row(&body);
    let at = |row| message_at(&problems, row);
    assert!(at(3).contains("autre valeur pour l'objet"), "{problems:?}");
    assert!(
        at(5).contains("La ligne 4 prévoit déjà 300,00"),
        "{problems:?}"
    );
    assert!(at(6).contains("pas accès à cet acheteur"), "{problems:?}");
    assert!(at(7).contains("indiquez sa raison sociale"), "{problems:?}");
    assert!(
        at(8).contains("précède la date de notification"),
        "{problems:?}"
    );
    assert!(at(9).contains("16 caractères"), "{problems:?}");
    assert!(at(10).contains("vaut Non"), "{problems:?}");
    assert_eq!(problems.len(), 7, "{problems:?}");
    assert!(stored_lots(&app).await.is_empty());
}
