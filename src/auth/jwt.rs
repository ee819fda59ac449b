//! HS256 JWTs for API clients: `sub` is the user id, `sid` the session the
//! token was issued from; `iss` and `aud` are the app's public origin.
//! Verification pins the algorithm (so `alg: none` and RS/HS confusion fail)
//! and requires `exp`, `iss`, `aud`, `sub` and `sid`. The caller then checks
//! that the session still exists, so a token dies with its session.

use std::time::Duration;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};

use crate::db::models::User;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub sub: String,
    /// The id of the session the token was issued from. Required: a token
    /// without one does not decode.
    pub sid: String,
    pub email: String,
    pub name: String,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
}

/// Signs and checks tokens with the shared `AUTH_SECRET`.
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    ttl: Duration,
}

/// Why a token was refused. Callers answer every case with the same 401.
#[derive(Debug, thiserror::Error)]
#[error("invalid token")]
pub struct InvalidToken;

impl JwtKeys {
    pub fn new(secret: &[u8], issuer: &str, ttl: Duration) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[issuer]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        JwtKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            issuer: issuer.to_owned(),
            ttl,
        }
    }

    /// A token for `user`, bound to the session `session_id`.
    pub fn issue(&self, user: &User, session_id: &str) -> anyhow::Result<String> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: user.id.clone(),
            sid: session_id.to_owned(),
            email: user.email.clone(),
            name: user.name.clone(),
            iat: now,
            exp: now + i64::try_from(self.ttl.as_secs()).unwrap_or(i64::MAX / 2),
            iss: self.issuer.clone(),
            aud: self.issuer.clone(),
        };
        Ok(encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &self.encoding,
        )?)
    }

    pub fn verify(&self, token: &str) -> Result<Claims, InvalidToken> {
        decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|_| InvalidToken)
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use super::*;
    use crate::db::now;

    fn user() -> User {
        User {
            id: "u1".into(),
            name: "Alice".into(),
            email: "alice@example.com".into(),
            email_verified: false,
            image: None,
            created_at: now(),
            updated_at: now(),
        }
    }

    fn keys() -> JwtKeys {
        JwtKeys::new(
            b"a secret of enough length for hs256!",
            "http://app.test",
            Duration::from_secs(900),
        )
    }

    #[test]
    fn an_issued_token_verifies() {
        let claims = keys()
            .verify(&keys().issue(&user(), "s1").unwrap())
            .unwrap();
        assert_eq!(claims.sub, "u1");
        assert_eq!(claims.sid, "s1");
        assert_eq!(claims.exp - claims.iat, 900);
        assert_eq!(claims.aud, "http://app.test");
    }

    #[test]
    fn other_keys_other_issuers_and_unsigned_tokens_fail() {
        let token = keys().issue(&user(), "s1").unwrap();
        let other = JwtKeys::new(
            b"another secret of enough length!!!!",
            "http://app.test",
            Duration::from_secs(900),
        );
        assert!(other.verify(&token).is_err());
        let other_iss = JwtKeys::new(
            b"a secret of enough length for hs256!",
            "http://evil.test",
            Duration::from_secs(900),
        );
        assert!(other_iss.verify(&token).is_err());

        let payload = token.split('.').nth(1).unwrap();
        let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
        assert!(keys().verify(&format!("{none_header}.{payload}.")).is_err());
        assert!(keys().verify("garbage").is_err());
    }

    #[test]
    fn a_token_without_a_session_id_fails() {
        let now = chrono::Utc::now().timestamp();
        let claims = serde_json::json!({
            "sub": "u1", "email": "a@example.com", "name": "A", "iat": now, "exp": now + 600,
            "iss": "http://app.test", "aud": "http://app.test",
        });
        let token = encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(b"a secret of enough length for hs256!"),
        )
        .unwrap();
        assert!(keys().verify(&token).is_err());
    }
}
