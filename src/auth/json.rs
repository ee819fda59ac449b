//! Users and sessions in Better-Auth's JSON shapes (camelCase, ISO-8601 times
//! with milliseconds and `Z`), so its client reads our answers.

use serde::Serialize;

use crate::db::models::{Session, User};
use crate::timestamp::Timestamp;

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserView {
    pub id: String,
    pub name: String,
    pub email: String,
    pub email_verified: bool,
    #[schema(required = true)]
    pub image: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionView {
    pub id: String,
    /// The client's own session token (the database keeps only its hash).
    pub token: String,
    pub user_id: String,
    pub expires_at: Timestamp,
    #[schema(required = true)]
    pub ip_address: Option<String>,
    #[schema(required = true)]
    pub user_agent: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// `POST /api/auth/sign-up/email`: the new session's token and its user. An
/// email that is taken gets the same shape with `token: null` and a stand-in
/// user, so the answer does not tell who has an account.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SignedUp {
    #[schema(required = true)]
    pub token: Option<String>,
    pub user: UserView,
}

/// `POST /api/auth/sign-in/email`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SignedInView {
    /// Always `false`: no redirect to follow.
    pub redirect: bool,
    pub token: String,
    pub user: UserView,
}

/// `GET /api/auth/get-session` when signed in (else `null`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SessionAndUser {
    pub session: SessionView,
    pub user: UserView,
}

/// `POST /api/auth/sign-out`: `{"success": true}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Success {
    pub success: bool,
}

/// `GET /api/auth/jwks`: the public keys that verify our JWTs.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct JwkSet {
    /// None with `JWT_ALGORITHM=HS256`.
    pub keys: Vec<Jwk>,
}

/// A public signing key (RFC 8037): `{kty: "OKP", crv: "Ed25519", x, kid, alg: "EdDSA"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Jwk {
    pub kty: String,
    pub crv: String,
    /// The public key, base64url without padding.
    pub x: String,
    pub kid: String,
    pub alg: String,
}

/// `GET /api/auth/token`: a JWT for API clients and `/mcp`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Token {
    pub token: String,
}

impl From<&User> for UserView {
    fn from(user: &User) -> Self {
        UserView {
            id: user.id.clone(),
            name: user.name.clone(),
            email: user.email.clone(),
            email_verified: user.email_verified,
            image: user.image.clone(),
            created_at: user.created_at.into(),
            updated_at: user.updated_at.into(),
        }
    }
}

impl SessionView {
    /// `token` is the client's own token; the row only has its hash.
    pub fn of(session: &Session, token: &str) -> SessionView {
        SessionView {
            id: session.id.clone(),
            token: token.to_owned(),
            user_id: session.user_id.clone(),
            expires_at: session.expires_at.into(),
            ip_address: session.ip_address.clone(),
            user_agent: session.user_agent.clone(),
            created_at: session.created_at.into(),
            updated_at: session.updated_at.into(),
        }
    }
}
