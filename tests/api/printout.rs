//! The dashboard printed for an assembly's file: Chromium prints it to PDF (the WebDriver
//! print command, A4 paper as a person would choose it) and poppler's pdfinfo reads the result.

use std::process::Command;

use fantoccini::wd::{PrintConfiguration, PrintMargins, PrintSize};
use serde_json::json;

use crate::browser::{Driver, chrome_options, open, session};
use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, spawn_app_with};
use crate::phone::{example_data, sign_in};

/// `pdfinfo`'s fields: "Pages", "Page size"…
fn pdf_info(pdf: &std::path::Path) -> Vec<(String, String)> {
    let output = Command::new("pdfinfo")
        .arg(pdf)
        .output()
        .expect("pdfinfo (poppler-utils) installed");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_once(':'))
        .map(|(key, value)| (key.trim().to_owned(), value.trim().to_owned()))
        .collect()
}

#[tokio::test]
#[ignore = "needs Chromium"]
async fn the_printed_dashboard_is_one_a4_page_with_its_organisation_period_filters_and_date() {
    let app = spawn_app_with(|settings| {
        settings.organisation.name = "Conseil départemental de l'Exemple".to_owned();
    })
    .await;
    example_data(&app).await;
    let work = tempfile::tempdir().unwrap();
    let driver = Driver::start();
    let client = session(&driver, chrome_options(work.path(), work.path(), json!({}))).await;
    sign_in(&client, &app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    open(&client, &app, "/tableau-de-bord?year=2025&departement=31").await;

    let a4 = PrintConfiguration::builder()
        .size(PrintSize::A4)
        .margins(PrintMargins {
            top: 1.0,
            bottom: 1.0,
            left: 1.0,
            right: 1.0,
        })
        .shrink_to_fit(false)
        .background(true)
        .build()
        .unwrap();
    let pdf = client.print(a4).await.unwrap();
    let printed = work.path().join("tableau-de-bord.pdf");
    std::fs::write(&printed, &pdf).unwrap();
    client.close().await.unwrap();

    let info = pdf_info(&printed);
    let field = |name: &str| {
        info.iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
            .unwrap_or_default()
    };
    assert_eq!(field("Pages"), "1", "{info:?}");
    // "594.96 x 841.92 pts (A4)": A4 is 595 × 842 points, to the nearest point.
    let size: Vec<i64> = field("Page size")
        .split(|c: char| c == 'x' || c.is_whitespace())
        .filter_map(|n| n.parse::<f64>().ok())
        .map(|n| n.round() as i64)
        .collect();
    assert_eq!(size, vec![595, 842], "{info:?}");
    let text = Command::new("pdftotext")
        .args([printed.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils) installed");
    // Words as read, whatever the lines they were laid out on.
    let text = String::from_utf8_lossy(&text.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let today = suivi_clauses::app::today().format("%d/%m/%Y").to_string();
    for said in [
        "Conseil départemental de l'Exemple",
        "Toulouse Métropole",
        "année 2025 complète",
        "département 31",
        &format!("Imprimé le {today}"),
        "Heures d'insertion",
    ] {
        assert!(text.contains(said), "{said} not printed:\n{text}");
    }
    for left_out in ["Se déconnecter", "Comment est-ce calculé", "Afficher"] {
        assert!(!text.contains(left_out), "{left_out} printed:\n{text}");
    }
}
