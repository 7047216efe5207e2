//! `serve --example-data` with nothing but the binary: the example dataset is built in.

use std::process::Command as StdCommand;

use serde_json::Value;
use suivi_clauses::import::examples::{self, Dataset, Loaded};

use crate::cli::Served;
use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, spawn_app};

/// Every year the API can give at once (at most 50): the example's years are among them.
const SERIES: &str = "/api/indicators/series?from_year=2000&to_year=2049";

async fn series_of(base_url: &str, email: &str) -> Value {
    let client = reqwest::Client::new();
    let login: Value = client
        .post(format!("{base_url}/api/login"))
        .json(&serde_json::json!({ "email": email, "password": ADMIN_PASSWORD }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["token"].as_str().expect("signed in");
    let response = client
        .get(format!("{base_url}{SERIES}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// The same dataset loaded in-process through the library, on an application of the tests.
async fn series_loaded_in_process() -> Value {
    let app = spawn_app().await;
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
    series_of(&app.address, ADMIN_EMAIL).await
}

#[tokio::test]
async fn serve_with_example_data_works_from_an_empty_folder() {
    let empty = tempfile::tempdir().unwrap();
    let logs = tempfile::tempdir().unwrap();
    let mut command = StdCommand::new(env!("CARGO_BIN_EXE_suivi-clauses"));
    command
        .args(["serve", "--example-data"])
        .current_dir(empty.path())
        .env_clear()
        .env("SUIVI_SERVER__PORT", "0")
        .env("SUIVI_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("SUIVI_LOG__FILTER", "warn");
    let served = Served::spawn(command, logs.path().join("stderr.log"));

    let health = reqwest::get(format!("{}/api/health", served.url)).await;
    let from_binary = series_of(&served.url, "admin@suivi-clauses.local").await;
    let (status, stderr) = served.stop();
    let in_process = series_loaded_in_process().await;

    assert_eq!(health.unwrap().status(), 200);
    assert!(status.expect("stopped on SIGTERM").success(), "{stderr}");
    assert!(
        empty.path().join("data/suivi-clauses.db").exists(),
        "the database is made in ./data"
    );
    let some_figure = |year: &Value| {
        let mut figures = year.as_object().unwrap().iter();
        figures.any(|(key, value)| key != "year" && value.as_i64().is_some_and(|n| n > 0))
    };
    assert!(
        from_binary.as_array().unwrap().iter().any(some_figure),
        "no example figure: {from_binary}"
    );
    assert_eq!(from_binary, in_process);
}
