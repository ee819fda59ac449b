//! Where the task routes are mounted.

pub(crate) mod api;
mod body;
mod page;
mod query;
mod row;
mod view;

use actix_web::web;

/// `{id}` in a task route (a `{user_id}` beside it is checked by `Caller`).
#[derive(serde::Deserialize)]
pub struct TaskPath {
    id: i64,
}

/// `/tasks…`: the page and its fragments.
pub fn pages(cfg: &mut web::ServiceConfig) {
    cfg.service(page::list)
        .service(page::add)
        .service(row::show)
        .service(row::edit)
        .service(row::save)
        .service(row::toggle)
        .service(row::remove);
}

/// `/api/tasks…`, and the same under `/api/{user_id}/tasks…` (the path user
/// must be the caller).
pub fn api(cfg: &mut web::ServiceConfig) {
    for prefix in ["", "/{user_id}"] {
        cfg.service(
            web::resource(format!("{prefix}/tasks"))
                .route(web::get().to(api::list))
                .route(web::post().to(api::create)),
        )
        .service(
            web::resource(format!("{prefix}/tasks/{{id}}"))
                .route(web::get().to(api::show))
                .route(web::put().to(api::replace))
                .route(web::patch().to(api::update))
                .route(web::delete().to(api::delete)),
        )
        .service(
            web::resource(format!("{prefix}/tasks/{{id}}/complete"))
                .route(web::patch().to(api::toggle)),
        );
    }
}
