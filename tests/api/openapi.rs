//! The OpenAPI document: served, complete, and unchanged unless the change is meant (its
//! snapshot, tests/api/snapshots/, is then reviewed and accepted with `cargo insta review`).

use suivi_clauses::web::routes::ROUTES;

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_api_description_is_served_and_lists_every_route() {
    let app = spawn_app().await;

    let response = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 200);
    let document: serde_json::Value = response.json().await.unwrap();
    assert!(document["openapi"].as_str().unwrap().starts_with("3."));
    for route in ROUTES {
        assert!(
            document["paths"][route.path][route.method].is_object(),
            "{} {} is missing from the OpenAPI document",
            route.method,
            route.path
        );
    }
    let described: usize = document["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|methods| methods.as_object().unwrap().len())
        .sum();
    assert_eq!(
        described,
        ROUTES.len(),
        "a documented operation has no route"
    );
}

#[test]
fn the_api_description_matches_its_snapshot() {
    use utoipa::OpenApi;
    let document = suivi_clauses::web::openapi::ApiDoc::openapi()
        .to_pretty_json()
        .unwrap();
    insta::assert_snapshot!("openapi", document);
}
