//! `/api/openapi.json`: an OpenAPI 3 document that lists every `/api/*` route,
//! each of which answers (checked by calling it), so the document cannot
//! name a route the app does not serve; every answer it documents has a schema.

use serde_json::{Value, json};

use crate::helpers::spawn_app;

const EVERY_API_ROUTE: &[(&str, &str)] = &[
    ("post", "/api/auth/sign-up/email"),
    ("post", "/api/auth/sign-in/email"),
    ("post", "/api/auth/sign-out"),
    ("get", "/api/auth/get-session"),
    ("get", "/api/auth/token"),
    ("get", "/api/auth/jwks"),
    ("get", "/api/me"),
    ("post", "/api/chat"),
    ("post", "/api/{user_id}/chat"),
    ("get", "/api/conversations"),
    ("get", "/api/conversations/{id}/messages"),
    ("get", "/api/tasks"),
    ("post", "/api/tasks"),
    ("get", "/api/tasks/{id}"),
    ("put", "/api/tasks/{id}"),
    ("patch", "/api/tasks/{id}"),
    ("delete", "/api/tasks/{id}"),
    ("patch", "/api/tasks/{id}/complete"),
    ("get", "/api/{user_id}/tasks"),
    ("post", "/api/{user_id}/tasks"),
    ("get", "/api/{user_id}/tasks/{id}"),
    ("put", "/api/{user_id}/tasks/{id}"),
    ("patch", "/api/{user_id}/tasks/{id}"),
    ("delete", "/api/{user_id}/tasks/{id}"),
    ("patch", "/api/{user_id}/tasks/{id}/complete"),
    ("get", "/api/openapi.json"),
];

#[tokio::test]
async fn the_openapi_document_lists_every_api_route_and_each_one_answers() {
    let app = spawn_app().await;
    let (browser, me) = app.signed_in_browser("doc@example.com").await;
    let token = app.jwt(&browser).await;
    let doc: Value = app
        .get(&app.api_client(), "/api/openapi.json")
        .await
        .json()
        .await
        .unwrap();

    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let mut documented: Vec<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .filter(|k| ["get", "post", "put", "patch", "delete"].contains(&k.as_str()))
                .map(move |m| (m.clone(), path.clone()))
        })
        .collect();
    documented.sort();
    let mut expected: Vec<(String, String)> = EVERY_API_ROUTE
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    expected.sort();
    assert_eq!(documented, expected);
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            for (status, response) in operation["responses"].as_object().unwrap() {
                let schema = &response["content"]["application/json"]["schema"];
                assert!(
                    status == "204" || schema.is_object(),
                    "{method} {path} {status} has no schema"
                );
            }
        }
    }
    for (name, _) in doc["components"]["schemas"].as_object().unwrap() {
        assert!(
            doc.to_string()
                .contains(&format!("#/components/schemas/{name}")),
            "{name} is used"
        );
    }

    let conversation = app.say(&browser, None, "hello").await["conversation_id"]
        .as_i64()
        .unwrap();
    let api = app.api_client();
    for (method, path) in EVERY_API_ROUTE {
        let task = app.seed_task(&me, "for the route check");
        let url = path.replace("{user_id}", &me).replace(
            "{id}",
            &if path.contains("conversations") {
                conversation
            } else {
                task
            }
            .to_string(),
        );
        let body = json!({"title": "t", "message": "hi", "email": format!("{}-{task}@example.com", method), "password": "long enough password"});
        let res = api
            .request(method.to_uppercase().parse().unwrap(), app.url(&url))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(
            ![404, 405].contains(&res.status().as_u16()),
            "{method} {url}: {}",
            res.status()
        );
    }
}
