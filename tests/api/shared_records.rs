//! Companies and participants are shared between buyers: on the example data, an import may
//! change a known one only if its uploader answers for every buyer it is tied to; creating one,
//! or repeating what is stored, stays open to all; empty cells keep what is stored and
//! « effacer » clears it.

use serde_json::Value;
use suivi_clauses::domain::{Role, Siret};
use suivi_clauses::import::examples::{self, Dataset, Loaded};
use suivi_clauses::import::limits::ImportLimits;
use suivi_clauses::import::profiles::Profiles;
use suivi_clauses::storage::companies::{self, Company};
use suivi_clauses::storage::participants::{self, ParticipantFilter, ParticipantView};
use suivi_clauses::storage::{PageRequest, StorageError};

use crate::helpers::{
    ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, USER_PASSWORD, message_at, problems_by_row, spawn_app,
};

const DEPARTEMENT: &str = "22310001700019";
const METROPOLE: &str = "24310001900013";
const MURET: &str = "21310395000019";
/// Bâtiments du Sud: contracts and hours of the Département only.
const DEPARTEMENT_ONLY: &str = "40000000110009";
/// Hours on the Commune de Muret's lots only.
const MURET_ONLY: &str = "P-0038";

const STRUCTURES_HEADER: &str =
    "SIRET;Raison sociale;Type de structure;Code postal;Catégorie entreprise\n";
const PARTICIPANTS_HEADER: &str = "Identifiant participant;Critère d'éligibilité;Date de validation;Prescripteur;Année de naissance;Sexe;Résident QPV\n";
const REFUSED: &str =
    "travaille aussi pour d'autres acheteurs : seul un facilitateur de tous ces acheteurs peut";

/// An application holding the example dataset, loaded through the import path.
async fn app_with_examples() -> TestApp {
    let app = spawn_app().await;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("imports");
    let importer = suivi_clauses::import::Importer::new(
        Profiles::load(Some(&dir)).unwrap(),
        ImportLimits::default(),
    );
    let loaded = app
        .database
        .run(move |conn| -> anyhow::Result<Loaded> {
            Ok(examples::load(conn, &importer, &Dataset::embedded())?)
        })
        .await
        .unwrap();
    assert!(matches!(loaded, Loaded::Loaded { .. }), "{loaded:?}");
    app
}

/// The token of a new account of `role` over `buyers` (all buyers when empty).
async fn token_of(app: &TestApp, role: Role, buyers: &[&str]) -> String {
    let sirets = buyers.iter().map(|s| Siret::parse(s).unwrap()).collect();
    let user = app.create_user(role, sirets).await;
    app.session(&user.email, USER_PASSWORD).await.token
}

async fn admin_token(app: &TestApp) -> String {
    app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await.token
}

async fn company(app: &TestApp, siret: &'static str) -> Company {
    let all = app
        .database
        .run(|conn| companies::list(conn).map_err(StorageError::from))
        .await
        .unwrap();
    all.into_iter()
        .find(|c| c.identifier == siret)
        .expect("a known company")
}

async fn participant(app: &TestApp, pseudonym: &'static str) -> ParticipantView {
    find_participant(app, pseudonym)
        .await
        .expect("a known participant")
}

/// The participant with this identifier, as stored, if there is one.
pub async fn find_participant(app: &TestApp, pseudonym: &'static str) -> Option<ParticipantView> {
    let filter = ParticipantFilter {
        search: Some(pseudonym.to_owned()),
        ..ParticipantFilter::default()
    };
    let (found, _) = app
        .database
        .run(move |conn| {
            participants::page(conn, &filter, PageRequest::new(None, None))
                .map_err(StorageError::from)
        })
        .await
        .unwrap();
    found.into_iter().find(|p| p.pseudonym == pseudonym)
}

/// The Département's charter figures for 2025 (local share, TPE/PME share…), as the API gives
/// them to an administrator.
async fn departement_charter(app: &TestApp, admin: &str) -> Value {
    let path = format!("/api/indicators?year=2025&buyer={DEPARTEMENT}");
    let response = app.get_with(&path, admin).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["charter"].clone()
}

/// Imports `csv` as `kind`; the status and the report's problems as (row, message).
async fn import(app: &TestApp, token: &str, kind: &str, csv: String) -> (u16, Vec<(u64, String)>) {
    let (status, body) = app
        .import(token, kind, &format!("{kind}.csv"), csv.into_bytes(), true)
        .await;
    let problems = match status {
        422 => problems_by_row(&body),
        _ => Vec::new(),
    };
    assert!(matches!(status, 201 | 422), "{status}: {body}");
    (status, problems)
}

#[tokio::test]
async fn an_officer_may_not_change_a_company_of_another_buyer_through_structures() {
    let app = app_with_examples().await;
    let (officer, admin) = (
        token_of(&app, Role::BuyerOfficer, &[MURET]).await,
        admin_token(&app).await,
    );
    let (stored, figures) = (
        company(&app, DEPARTEMENT_ONLY).await,
        departement_charter(&app, &admin).await,
    );

    let (status, problems) = import(
        &app,
        &officer,
        "structures",
        format!("{STRUCTURES_HEADER}{DEPARTEMENT_ONLY};Bâtiments de Paris;ETTI;75008;GE\n"),
    )
    .await;

    assert_eq!(status, 422);
    assert!(message_at(&problems, 2).contains(REFUSED), "{problems:?}");
    assert_eq!(company(&app, DEPARTEMENT_ONLY).await, stored);
    assert_eq!(departement_charter(&app, &admin).await, figures);
}

#[tokio::test]
async fn an_officer_may_not_change_a_company_of_another_buyer_through_a_register() {
    let app = app_with_examples().await;
    let (officer, admin) = (
        token_of(&app, Role::BuyerOfficer, &[MURET]).await,
        admin_token(&app).await,
    );
    let (stored, figures) = (
        company(&app, DEPARTEMENT_ONLY).await,
        departement_charter(&app, &admin).await,
    );
    let register = |postal_code: &str, size: &str| {
        format!(
            "Référence marché;Objet;SIRET acheteur;Date de notification;Montant HT;SIRET titulaire;Raison sociale titulaire;Code postal titulaire;Catégorie entreprise\n\
             2025-MU-900;Voirie communale;{MURET};02/06/2025;50000;{DEPARTEMENT_ONLY};Bâtiments du Sud;{postal_code};{size}\n"
        )
    };

    let (changed, problems) = import(&app, &officer, "contracts", register("75008", "GE")).await;
    let after_refusal = company(&app, DEPARTEMENT_ONLY).await;
    let charter_after_refusal = departement_charter(&app, &admin).await;
    // The same company as stored: a new contract of Muret, nothing shared changed.
    let (unchanged, _) = import(&app, &officer, "contracts", register("31100", "PME")).await;

    assert_eq!(changed, 422);
    assert!(message_at(&problems, 2).contains(REFUSED), "{problems:?}");
    assert_eq!(after_refusal, stored);
    assert_eq!(charter_after_refusal, figures);
    assert_eq!(unchanged, 201);
    assert_eq!(company(&app, DEPARTEMENT_ONLY).await, stored);
}

#[tokio::test]
async fn a_facilitateur_of_one_buyer_may_not_change_a_participant_of_another() {
    let app = app_with_examples().await;
    let facilitator = token_of(&app, Role::Facilitator, &[METROPOLE]).await;
    let stored = participant(&app, MURET_ONLY).await;

    let (status, problems) = import(
        &app,
        &facilitator,
        "participants",
        format!("{PARTICIPANTS_HEADER}{MURET_ONLY};AAH;;;1990;F;\n"),
    )
    .await;

    assert_eq!(status, 422);
    assert!(message_at(&problems, 2).contains(REFUSED), "{problems:?}");
    assert!(message_at(&problems, 2).starts_with("Ce participant"));
    assert_eq!(participant(&app, MURET_ONLY).await, stored);
    assert!(
        stored.validated_on.is_some()
            && stored.prescriber.is_some()
            && stored.qpv_resident.is_some()
    );
}

#[tokio::test]
async fn new_records_and_rows_repeating_what_is_stored_are_imported_by_anyone() {
    let app = app_with_examples().await;
    let officer = token_of(&app, Role::BuyerOfficer, &[MURET]).await;
    let facilitator = token_of(&app, Role::Facilitator, &[METROPOLE]).await;
    let stored = company(&app, DEPARTEMENT_ONLY).await;

    let (structures, _) = import(
        &app,
        &officer,
        "structures",
        format!(
            "{STRUCTURES_HEADER}73282932000074;Maçonnerie Muretaine;Entreprise;31600;TPE\n\
             {DEPARTEMENT_ONLY};Bâtiments du Sud;Entreprise;31100;PME\n"
        ),
    )
    .await;
    let (participants, _) = import(
        &app,
        &facilitator,
        "participants",
        format!(
            "{PARTICIPANTS_HEADER}P-9001;RSA;02/03/2025;PLIE du Muretain;1985;F;Oui\n\
             {MURET_ONLY};RSA;06/12/2024;Conseil départemental (RSA);1967;H;Oui\n"
        ),
    )
    .await;

    assert_eq!((structures, participants), (201, 201));
    let created = company(&app, "73282932000074").await;
    assert_eq!(created.name, "Maçonnerie Muretaine");
    assert_eq!(company(&app, DEPARTEMENT_ONLY).await, stored);
    let new = participant(&app, "P-9001").await;
    assert_eq!((new.birth_year, new.qpv_resident), (Some(1985), Some(true)));
}

#[tokio::test]
async fn an_administrator_and_a_facilitateur_of_every_buyer_may_change_them() {
    let app = app_with_examples().await;
    let admin = admin_token(&app).await;
    let facilitator = token_of(&app, Role::Facilitator, &[DEPARTEMENT, METROPOLE, MURET]).await;
    let figures = departement_charter(&app, &admin).await;

    let (by_facilitator, _) = import(
        &app,
        &facilitator,
        "structures",
        format!("{STRUCTURES_HEADER}{DEPARTEMENT_ONLY};Bâtiments de Paris;Entreprise;75008;GE\n"),
    )
    .await;
    let (by_admin, _) = import(
        &app,
        &admin,
        "participants",
        format!("{PARTICIPANTS_HEADER}{MURET_ONLY};AAH;;;1990;F;\n"),
    )
    .await;

    assert_eq!((by_facilitator, by_admin), (201, 201));
    let moved = company(&app, DEPARTEMENT_ONLY).await;
    assert_eq!(moved.postal_code.as_deref(), Some("75008"));
    assert_ne!(departement_charter(&app, &admin).await, figures);
    let changed = participant(&app, MURET_ONLY).await;
    assert_eq!(
        (changed.birth_year, changed.criterion.as_str()),
        (Some(1990), "AAH")
    );
}

#[tokio::test]
async fn empty_cells_keep_what_is_stored_and_effacer_clears_it() {
    let app = app_with_examples().await;
    let admin = admin_token(&app).await;
    let stored = participant(&app, MURET_ONLY).await;
    let insertion_employer = company(&app, "50000000210004").await;

    let (blank, _) = import(
        &app,
        &admin,
        "participants",
        format!("{PARTICIPANTS_HEADER}{MURET_ONLY};RSA;;;;;\n"),
    )
    .await;
    let after_blank = participant(&app, MURET_ONLY).await;
    let (cleared, _) = import(
        &app,
        &admin,
        "participants",
        format!("{PARTICIPANTS_HEADER}{MURET_ONLY};RSA;;Effacer;;;effacer\n"),
    )
    .await;
    let (structure, _) = import(
        &app,
        &admin,
        "structures",
        format!("{STRUCTURES_HEADER}50000000210004;Intérim Insertion Garonne;;effacer;\n"),
    )
    .await;
    let (misplaced, problems) = import(
        &app,
        &admin,
        "participants",
        format!("{PARTICIPANTS_HEADER}{MURET_ONLY};effacer;;;;;\n"),
    )
    .await;

    assert_eq!((blank, cleared, structure, misplaced), (201, 201, 201, 422));
    assert_eq!(after_blank, stored);
    let after_clear = participant(&app, MURET_ONLY).await;
    assert_eq!(
        (after_clear.prescriber, after_clear.qpv_resident),
        (None, None),
        "« effacer » clears"
    );
    assert_eq!(
        (
            after_clear.validated_on,
            after_clear.birth_year,
            after_clear.sex
        ),
        (stored.validated_on, stored.birth_year, stored.sex),
        "the rest is kept"
    );
    let employer = company(&app, "50000000210004").await;
    assert_eq!(
        employer.structure_kind, insertion_employer.structure_kind,
        "an empty kind keeps it"
    );
    assert_eq!(employer.postal_code, None);
    assert!(
        message_at(&problems, 2).contains("« effacer » ne s'applique pas"),
        "{problems:?}"
    );
}
