//! Users and sessions in Better-Auth's JSON shapes (camelCase, ISO-8601 times
//! with milliseconds and `Z`), so its client reads our answers.

use chrono::NaiveDateTime;
use serde_json::{Value, json};

use crate::db::models::{Session, User};

pub fn iso(time: &NaiveDateTime) -> String {
    time.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

pub fn user(user: &User) -> Value {
    json!({
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "emailVerified": user.email_verified,
        "image": user.image,
        "createdAt": iso(&user.created_at),
        "updatedAt": iso(&user.updated_at),
    })
}

/// `token` is the client's own token; the row only has its hash.
pub fn session(session: &Session, token: &str) -> Value {
    json!({
        "id": session.id,
        "token": token,
        "userId": session.user_id,
        "expiresAt": iso(&session.expires_at),
        "ipAddress": session.ip_address,
        "userAgent": session.user_agent,
        "createdAt": iso(&session.created_at),
        "updatedAt": iso(&session.updated_at),
    })
}
