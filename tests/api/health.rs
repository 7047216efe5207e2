use suivi_clauses::web::api::health::Health;
use suivi_clauses::web::error::ErrorEnvelope;

use crate::helpers::{backend_under_test, spawn_app};

#[tokio::test]
async fn health_answers_ok_with_the_backend_in_use() {
    let app = spawn_app().await;

    let response = app.get("/api/health").await;

    assert_eq!(response.status(), 200);
    let health: Health = response.json().await.unwrap();
    assert_eq!(health.status, "ok");
    assert_eq!(health.database, backend_under_test());
    assert_eq!(health.version, env!("CARGO_PKG_VERSION"));
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let app = spawn_app().await;

    for path in ["/api/health", "/nulle-part"] {
        let response = app.get(path).await;
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
        };
        assert_eq!(
            header("x-content-type-options").as_deref(),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(header("x-frame-options").as_deref(), Some("DENY"), "{path}");
        let csp = header("content-security-policy").unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"),
            "{csp}"
        );
    }
}

#[tokio::test]
async fn unknown_addresses_get_a_french_json_error() {
    let app = spawn_app().await;

    let response = app.get("/api/nulle-part").await;

    assert_eq!(response.status(), 404);
    let body: ErrorEnvelope = response.json().await.unwrap();
    assert_eq!(body.error.code, "not_found");
    assert!(
        body.error.message.contains("Aucune ressource"),
        "{}",
        body.error.message
    );
}
