//! Names are found whatever their case and accents, and listed in French order, the same on
//! SQLite and PostgreSQL.

use diesel::RunQueryDsl;
use serde_json::Value;
use suivi_clauses::domain::search::{self, FOLDED_LETTERS};
use suivi_clauses::storage::{self, Backend};

use crate::helpers::{TestDatabase, siret, spawn_app_on};
use crate::indicators::{json_of, send, territory};

fn names<'a>(page: &'a Value, field: &str) -> Vec<&'a str> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item[field].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn searches_ignore_case_and_accents_and_lists_sort_in_french_order() {
    let app = spawn_app_on(TestDatabase::new(), |_| {}).await;
    let admin = territory(&app).await;
    let (s20, s21, s22) = (siret(20), siret(21), siret(22));
    let structures = format!(
        "SIRET;Raison sociale;Type de structure;Code postal;Catégorie entreprise\n\
         {};Électricité du Comminges;Entreprise;31800;PME\n\
         {};atelier 10 de la Save;Entreprise;31530;TPE\n\
         {};Atelier 9 Garonne;Entreprise;31000;TPE\n",
        s20.as_str(),
        s21.as_str(),
        s22.as_str()
    );
    send(&app, &admin, "structures", structures).await;
    let participants = "Identifiant participant;Critère d'éligibilité;Année de naissance;Sexe\n\
                        P10;RSA;1990;H\n";
    send(&app, &admin, "participants", participants.to_owned()).await;

    let found = |path: &'static str| json_of(&app, path, &admin);
    let electricity = found("/api/companies?q=ELECTRICITE").await;
    assert_eq!(names(&electricity, "name"), ["Électricité du Comminges"]);
    let buildings = found("/api/companies?q=batiments").await;
    assert_eq!(names(&buildings, "name"), ["Bâtiments du Sud"]);
    let accented_query = found("/api/companies?q=B%C3%82TIMENTS%20DU").await;
    assert_eq!(names(&accented_query, "name"), ["Bâtiments du Sud"]);
    let college = found("/api/contracts?q=college%20jean%20jaures").await;
    assert_eq!(names(&college, "reference"), ["2025-01"]);
    let school = found("/api/contracts?q=%C3%89COLE").await;
    assert_eq!(names(&school, "reference"), ["2025-B2"]);

    // Accents and case do not move a name; numbers inside a name sort as numbers.
    let companies = found("/api/companies").await;
    assert_eq!(
        names(&companies, "name"),
        [
            "Atelier 9 Garonne",
            "atelier 10 de la Save",
            "Bâtiments du Sud",
            "Chantier du Lauragais",
            "Électricité du Comminges",
            "Grands Travaux de Paris",
            "Intérim Insertion Garonne",
        ]
    );
    let participants = found("/api/participants").await;
    assert_eq!(names(&participants, "pseudonym"), ["P1", "P2", "P3", "P10"]);
    let searched = found("/api/participants?q=p1").await;
    assert_eq!(names(&searched, "pseudonym"), ["P1", "P10"]);
}

/// PostgreSQL's `fold` and `sort_key` (a migration) give the same bytes as the service's own,
/// which SQLite calls: otherwise a search or an order would differ between backends.
#[test]
fn both_backends_fold_and_sort_names_alike() {
    let mut texts: Vec<String> = FOLDED_LETTERS.iter().map(|(c, _)| c.to_string()).collect();
    texts.extend(
        [
            "Électricité Œuvre n°12 — 31 000 €",
            "collège 9, COLLÈGE 10",
            "00012 et 123456789012345678901234567890",
            "",
            "ß ñ Ł 北京",
        ]
        .map(str::to_owned),
    );
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let database = match backend {
            Backend::Sqlite => TestDatabase::for_backend(backend),
            Backend::Postgres => match TestDatabase::postgres_or_skip() {
                Some(database) => database,
                None => return,
            },
        };
        let pool = database.connect();
        let mut conn = pool.connection().unwrap();
        for text in &texts {
            let (folded, key): (String, Vec<u8>) =
                diesel::select((storage::fold(text), storage::sort_key(text)))
                    .get_result(&mut conn)
                    .unwrap();
            assert_eq!(folded, search::fold(text), "fold({text:?}) on {backend:?}");
            assert_eq!(
                key,
                search::sort_key(text),
                "sort_key({text:?}) on {backend:?}"
            );
        }
    }
}
