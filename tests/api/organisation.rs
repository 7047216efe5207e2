//! The organisation's own name and logo, configured in the settings: in every page's header and
//! title, the logo served at its fixed address; a wrong logo file stops the start.

use suivi_clauses::configuration::Settings;
use suivi_clauses::startup::Application;

use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, TestDatabase, spawn_app_with, test_settings};
use crate::pages::{browser, page};

const NAME: &str = "Communauté d'agglomération du Val d'Exemple";
/// The smallest PNG: its signature, then what follows does not matter to the check.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";

fn escaped(text: &str) -> String {
    text.replace('\'', "&#39;")
}

#[tokio::test]
async fn the_configured_name_and_logo_are_on_every_page_and_the_logo_is_served() {
    let folder = tempfile::tempdir().unwrap();
    let logo = folder.path().join("logo.png");
    std::fs::write(&logo, PNG).unwrap();
    let app = spawn_app_with(|settings| {
        settings.organisation.name = NAME.to_owned();
        settings.organisation.logo = Some(logo.clone());
    })
    .await;
    let name = escaped(NAME);

    let login = browser().get(app.url("/connexion")).send().await.unwrap();
    let html = login.text().await.unwrap();
    assert!(
        html.contains(&format!("<title>Connexion — {name}</title>")),
        "{html}"
    );
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    for (path, title) in [
        ("/tableau-de-bord", "Tableau de bord"),
        ("/journal", "Journal d&#39;audit"),
        ("/compte", "Mon compte"),
    ] {
        let (status, html) = page(&app, &admin, path).await;
        assert_eq!(status, 200, "{path}");
        assert!(
            html.contains(&format!("<title>{title} — {name}</title>")),
            "{path}: {html}"
        );
        assert!(
            html.contains(&format!(
                "<img class=\"logo\" src=\"/static/logo\" alt=\"{name}\">"
            )),
            "{path}: {html}"
        );
    }

    let served = browser().get(app.url("/static/logo")).send().await.unwrap();
    assert_eq!(served.status().as_u16(), 200);
    assert_eq!(served.headers()["content-type"], "image/png");
    assert_eq!(served.headers()["cache-control"], "public, max-age=3600");
    assert_eq!(
        served.headers()["content-security-policy"],
        "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    );
    assert_eq!(served.bytes().await.unwrap().as_ref(), PNG);
}

#[tokio::test]
async fn without_settings_the_product_name_shows_and_there_is_no_logo() {
    let app = spawn_app_with(|_| {}).await;
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (_, html) = page(&app, &admin, "/journal").await;
    assert!(html.contains("<title>Journal d&#39;audit — suivi-clauses</title>"));
    assert!(!html.contains("<img class=\"logo\""), "{html}");
    let served = browser().get(app.url("/static/logo")).send().await.unwrap();
    assert_eq!(served.status().as_u16(), 404);
}

async fn start_with(configure: impl FnOnce(&mut Settings)) -> String {
    let database = TestDatabase::new();
    let mut settings = test_settings(&database);
    configure(&mut settings);
    match Application::build(settings).await {
        Ok(_) => panic!("the service started"),
        Err(error) => error.to_string(),
    }
}

#[tokio::test]
async fn a_logo_that_is_not_a_small_png_or_svg_stops_the_start_naming_the_setting() {
    let folder = tempfile::tempdir().unwrap();
    let gif = folder.path().join("logo.png");
    std::fs::write(&gif, b"GIF89a\x01\0\x01\0").unwrap();
    let message = start_with(|s| s.organisation.logo = Some(gif.clone())).await;
    assert!(
        message.contains("organisation.logo")
            && message.contains("ni une image PNG ni un dessin SVG"),
        "{message}"
    );

    let large = folder.path().join("large.png");
    let mut bytes = PNG.to_vec();
    bytes.resize(300 * 1024, 0);
    std::fs::write(&large, bytes).unwrap();
    let message = start_with(|s| s.organisation.logo = Some(large.clone())).await;
    assert!(
        message.contains("organisation.logo") && message.contains("300 Ko, 256 Ko au plus"),
        "{message}"
    );

    let missing = folder.path().join("absent.svg");
    let message = start_with(|s| s.organisation.logo = Some(missing.clone())).await;
    assert!(
        message.contains("organisation.logo") && message.contains("illisible"),
        "{message}"
    );
}

#[test]
fn the_environment_sets_the_name_and_logo() {
    let settings = Settings::from_sources(
        None,
        [
            ("SUIVI_ORGANISATION__NAME".to_owned(), NAME.to_owned()),
            ("SUIVI_ORGANISATION__LOGO".to_owned(), "logo.svg".to_owned()),
        ],
    )
    .unwrap();
    assert_eq!(settings.organisation.name, NAME);
    assert_eq!(
        settings.organisation.logo.as_deref(),
        Some(std::path::Path::new("logo.svg"))
    );
}
