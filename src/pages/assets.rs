//! Static files, compiled into the binary so it runs from anywhere.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};

use crate::error::AppError;

struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static str,
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "htmx.min.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../static/htmx.min.js"),
    },
    Asset {
        name: "sse.min.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../static/sse.min.js"),
    },
    Asset {
        name: "app.css",
        content_type: "text/css; charset=utf-8",
        body: include_str!("../../static/app.css"),
    },
    Asset {
        name: "app.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../static/app.js"),
    },
];

#[get("/static/{name}")]
pub async fn asset(name: web::Path<String>) -> Result<HttpResponse, AppError> {
    let asset = ASSETS
        .iter()
        .find(|a| a.name == name.as_str())
        .ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type(asset.content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(asset.body))
}
