//! The audit log's page and API: filtered by account, operation and days, in French, by pages.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use suivi_clauses::storage::schema::audit_log;

use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, spawn_app};
use crate::pages::page;

const ALICE: &str = "alice@exemple.fr";
const BOB: &str = "bob@exemple.fr";

fn at(day: u32, minute: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2025, 3, day)
        .unwrap()
        .and_hms_opt(minute / 60, minute % 60, 0)
        .unwrap()
}

/// 55 failed sign-ins of Alice on 10 March 2025, two of Bob on the 11th, three accounts Alice
/// created on the 12th (the last at 23:59, inside its day).
fn write_lines(app: &TestApp) {
    let mut conn = app.database.connection().unwrap();
    let mut lines: Vec<(NaiveDateTime, &str, &str, Option<String>)> = (0..55)
        .map(|i| (at(10, i), ALICE, "login.failed", None))
        .collect();
    lines.push((at(11, 600), BOB, "login.failed", None));
    lines.push((at(11, 601), BOB, "login.failed", None));
    for (i, minute) in [(1, 0), (2, 60), (3, 1_439)] {
        lines.push((
            at(12, minute),
            ALICE,
            "user.created",
            Some(format!("compte{i}@exemple.fr")),
        ));
    }
    for (occurred_at, actor, action, target) in lines {
        diesel::insert_into(audit_log::table)
            .values((
                audit_log::occurred_at.eq(occurred_at),
                audit_log::actor_label.eq(actor),
                audit_log::action.eq(action),
                audit_log::target.eq(target),
            ))
            .execute(&mut conn)
            .unwrap();
    }
}

/// The table's lines: (date, author, operation, object).
fn rows(html: &str) -> Vec<[String; 4]> {
    let tbody = html.split("<tbody>").nth(1).unwrap();
    let tbody = tbody.split("</tbody>").next().unwrap();
    tbody
        .split("<tr><td>")
        .skip(1)
        .map(|row| {
            let cells: Vec<String> = row
                .split("</td>")
                .take(4)
                .map(|cell| cell.trim_start_matches("<td>").to_owned())
                .collect();
            [
                cells[0].clone(),
                cells[1].clone(),
                cells[2].clone(),
                cells[3].clone(),
            ]
        })
        .collect()
}

#[tokio::test]
async fn the_journal_filters_by_account_operation_and_days_and_pages() {
    let app = spawn_app().await;
    write_lines(&app);
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await;

    let (status, html) = page(
        &app,
        &admin,
        "/journal?actor=alice%40exemple.fr&action=login.failed",
    )
    .await;
    assert_eq!(status, 200);
    assert!(html.contains("55 opération(s)"), "{html}");
    assert!(html.contains("Page 1 sur 2"), "{html}");
    assert!(
        html.contains(
            "href=\"/journal?actor=alice%40exemple.fr&#38;action=login.failed&#38;page=2\""
        ),
        "{html}"
    );
    let first = rows(&html);
    assert_eq!(first.len(), 50);
    assert_eq!(
        first[0],
        [
            "10/03/2025 00:54:00".to_owned(),
            ALICE.to_owned(),
            "Échec de connexion".to_owned(),
            String::new()
        ]
    );
    assert!(html.contains("<option value=\"login.failed\" selected>Échec de connexion</option>"));
    assert!(html.contains(&format!(
        "<option value=\"{ALICE}\" selected>{ALICE}</option>"
    )));

    let (_, html) = page(
        &app,
        &admin,
        "/journal?actor=alice%40exemple.fr&action=login.failed&page=2",
    )
    .await;
    let second = rows(&html);
    assert_eq!(second.len(), 5);
    assert_eq!(second[4][0], "10/03/2025 00:00:00");
    assert!(html.contains("← Page précédente") && !html.contains("Page suivante"));

    // Both days included, the whole of the last one.
    let (_, html) = page(&app, &admin, "/journal?from=2025-03-11&to=2025-03-12").await;
    let found = rows(&html);
    assert!(html.contains("5 opération(s)"), "{html}");
    let summary: Vec<(&str, &str, &str)> = found
        .iter()
        .map(|r| (r[1].as_str(), r[2].as_str(), r[3].as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            (ALICE, "Création d&#39;un compte", "compte3@exemple.fr"),
            (ALICE, "Création d&#39;un compte", "compte2@exemple.fr"),
            (ALICE, "Création d&#39;un compte", "compte1@exemple.fr"),
            (BOB, "Échec de connexion", ""),
            (BOB, "Échec de connexion", ""),
        ]
    );
    let (_, html) = page(
        &app,
        &admin,
        "/journal?actor=bob%40exemple.fr&from=2025-03-12",
    )
    .await;
    assert!(html.contains("0 opération(s)") && html.contains("Aucune opération ne correspond."));
}

#[tokio::test]
async fn a_malformed_filter_answers_the_french_page_and_the_api_json() {
    let app = spawn_app().await;
    write_lines(&app);
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    for (path, said) in [
        (
            "/journal?from=2025-13-01",
            "Le filtre from doit être une date écrite AAAA-MM-JJ",
        ),
        (
            "/journal?to=hier",
            "Le filtre to doit être une date écrite AAAA-MM-JJ",
        ),
        (
            "/journal?action=connexion",
            "n&#39;est pas une opération du journal",
        ),
        (
            "/journal?page=deux",
            "Un filtre de l&#39;adresse n&#39;est pas compris",
        ),
    ] {
        let (status, html) = page(&app, &admin, path).await;
        assert_eq!(status, 400, "{path}");
        assert!(
            html.contains("<html lang=\"fr\">") && html.contains(said),
            "{path}: {html}"
        );
    }
    let (status, html) = page(&app, &admin, "/journal?from=2025-03-12&to=2025-03-11").await;
    assert_eq!(status, 422);
    assert!(
        html.contains("La date de fin précède la date de début"),
        "{html}"
    );

    let api = app
        .get_with("/api/audit?actor=bob%40exemple.fr", &admin.token)
        .await;
    assert_eq!(api.status().as_u16(), 200);
    let entries: serde_json::Value = api.json().await.unwrap();
    let entries = entries.as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert!(
        entries
            .iter()
            .all(|e| e["actor"] == BOB && e["action"] == "login.failed")
    );
    // The first administrator's account, created at start, then Alice's three: the second
    // page of two holds her first two.
    let api = app
        .get_with(
            "/api/audit?action=user.created&limit=2&page=2",
            &admin.token,
        )
        .await;
    let entries: serde_json::Value = api.json().await.unwrap();
    let targets: Vec<&str> = entries
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["target"].as_str().unwrap())
        .collect();
    assert_eq!(targets, ["compte2@exemple.fr", "compte1@exemple.fr"]);
    let bad = app
        .get_with("/api/audit?from=2025-3-1x", &admin.token)
        .await;
    assert_eq!(bad.status().as_u16(), 400);
    assert_eq!(bad.headers()["content-type"], "application/json");
}
