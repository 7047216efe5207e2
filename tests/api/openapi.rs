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
    let document = suivi_clauses::web::api::openapi::ApiDoc::openapi()
        .to_pretty_json()
        .unwrap();
    insta::assert_snapshot!("openapi", document);
}

/// The served document is a valid OpenAPI 3.1 document (the OpenAPI Initiative's own schema),
/// and every operation has its own operationId: client generators name methods after them.
#[tokio::test]
async fn the_api_description_is_valid_openapi_3_1_with_unique_operation_ids() {
    let app = spawn_app().await;
    let document: serde_json::Value = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../fixtures/openapi/schema-3.1.json")).unwrap();
    let validator = jsonschema::draft202012::new(&schema).expect("the OpenAPI 3.1 schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&document)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "not valid OpenAPI 3.1: {errors:#?}");

    let mut seen = std::collections::BTreeMap::new();
    for (path, methods) in document["paths"].as_object().unwrap() {
        for (method, operation) in methods.as_object().unwrap() {
            let id = operation["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path} has no operationId"));
            if let Some(first) = seen.insert(id.to_owned(), format!("{method} {path}")) {
                panic!("operationId « {id} » is used by {first} and by {method} {path}");
            }
        }
    }
}

#[test]
fn the_validity_check_itself_rejects_a_broken_document() {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../fixtures/openapi/schema-3.1.json")).unwrap();
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    let broken = serde_json::json!({"openapi": "3.1.0", "info": {"title": "x"}, "paths": {"/a": {"get": {"responses": "none"}}}});
    assert!(
        !validator.is_valid(&broken),
        "a document without info.version and with responses as text must be refused"
    );
}
