//! `GET /api/openapi.json`: the OpenAPI 3 document of every `/api/*` route,
//! generated from the `#[utoipa::path]` annotations on the handlers
//! themselves. The task routes are annotated once, under `/api/tasks…`; their
//! `/api/{user_id}/tasks…` twins are derived here.

use actix_web::{HttpResponse, get};
use utoipa::openapi::path::{Operation, ParameterBuilder, ParameterIn, PathItem};
use utoipa::openapi::{ContentBuilder, ObjectBuilder, Ref, Required, ResponseBuilder, Type};
use utoipa::{OpenApi, ToSchema};

use crate::db::models::{TaskFilter, TaskSort};
use crate::error::{ApiError, AuthApiError};
use crate::{auth, chat, tasks};

#[derive(OpenApi)]
#[openapi(
    info(title = "Tasktalk", description = "Tasks you manage by chatting with an assistant. Authenticate with the session cookie, `Authorization: Bearer <jwt>` (from `/api/auth/token`) or `Authorization: Bearer <session token>`. Errors are `{\"error\": {\"code\", \"message\"}}` (`{\"message\", \"code\"}` under `/api/auth`)."),
    paths(
        auth::routes::api::sign_up,
        auth::routes::api::sign_in,
        auth::routes::api::sign_out,
        auth::routes::tokens::get_session,
        auth::routes::tokens::issue_token,
        auth::routes::tokens::jwks,
        auth::routes::me::me,
        chat::routes::api::chat,
        chat::routes::api::chat_as,
        chat::routes::api::conversations,
        chat::routes::api::messages,
        tasks::routes::api::list,
        tasks::routes::api::create,
        tasks::routes::api::show,
        tasks::routes::api::replace,
        tasks::routes::api::update,
        tasks::routes::api::toggle,
        tasks::routes::api::delete,
        openapi_json,
    ),
    components(schemas(TaskFilter, TaskSort)),
    tags(
        (name = "auth", description = "Accounts and sessions (Better-Auth's paths and shapes)"),
        (name = "chat", description = "Talking to the assistant"),
        (name = "tasks", description = "Tasks without chat"),
    )
)]
struct ApiDoc;

/// The document, with the `/api/{user_id}/tasks…` twins of the task routes.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    let twins: Vec<(String, PathItem)> = doc
        .paths
        .paths
        .iter()
        .filter_map(|(path, item)| {
            let rest = path.strip_prefix("/api/tasks")?;
            let mut item = item.clone();
            for operation in operations(&mut item) {
                with_path_user(operation);
            }
            Some((format!("/api/{{user_id}}/tasks{rest}"), item))
        })
        .collect();
    doc.paths.paths.extend(twins);
    for (path, item) in doc.paths.paths.iter_mut() {
        if path == "/api/openapi.json" {
            continue;
        }
        let error = match path.starts_with("/api/auth/") {
            true => AuthApiError::name(),
            false => ApiError::name(),
        };
        for operation in operations(item) {
            may_find_the_database_away(operation, &error);
        }
    }
    doc
}

/// Every operation that reads or writes the database may answer 503
/// `UNAVAILABLE` while it cannot be reached (nothing is changed then).
fn may_find_the_database_away(operation: &mut Operation, error: &str) {
    let content = ContentBuilder::new()
        .schema(Some(Ref::from_schema_name(error)))
        .build();
    operation
        .responses
        .responses
        .entry("503".to_owned())
        .or_insert_with(|| {
            ResponseBuilder::new()
                .description("`UNAVAILABLE`: the database cannot be reached just now; nothing was changed, try again")
                .content("application/json", content)
                .build()
                .into()
        });
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.post,
        &mut item.put,
        &mut item.patch,
        &mut item.delete,
    ]
    .into_iter()
    .filter_map(Option::as_mut)
}

fn with_path_user(operation: &mut Operation) {
    if let Some(id) = &mut operation.operation_id {
        id.push_str("_as_user");
    }
    let user = ParameterBuilder::new()
        .name("user_id")
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .description(Some("Must be the caller"))
        .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
        .build();
    operation
        .parameters
        .get_or_insert_with(Vec::new)
        .insert(0, user);
    let error = ContentBuilder::new()
        .schema(Some(Ref::from_schema_name(ApiError::name())))
        .build();
    operation.responses.responses.insert(
        "403".to_owned(),
        ResponseBuilder::new()
            .description("The path user is not the caller")
            .content("application/json", error)
            .build()
            .into(),
    );
}

/// This document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "auth",
    responses((status = 200, description = "The OpenAPI 3 document of the JSON API", body = Object)))]
#[get("/openapi.json")]
pub async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().json(document())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_but_this_document_says_it_may_find_the_database_away() {
        for (path, item) in &document().paths.paths {
            let mut item = item.clone();
            for operation in operations(&mut item) {
                let documented = operation.responses.responses.contains_key("503");
                assert_eq!(documented, path != "/api/openapi.json", "{path}");
            }
        }
    }

    /// A handler's doc comment gives the summary up to its first blank line,
    /// so a longer comment must break after its first sentence.
    #[test]
    fn every_operation_is_summed_up_in_one_sentence() {
        for (path, item) in &document().paths.paths {
            let mut item = item.clone();
            for operation in operations(&mut item) {
                let summary = operation.summary.as_deref().unwrap_or_default();
                assert!(!summary.is_empty(), "{path} has no summary");
                assert!(
                    !summary.trim_end_matches('.').contains(". "),
                    "{path}: the summary {summary:?} is more than one sentence"
                );
            }
        }
    }
}
