//! Pages that belong to no one resource: home, health, static assets.

mod assets;
mod health;
mod home;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(home::home)
        .service(health::health)
        .service(assets::asset);
}
