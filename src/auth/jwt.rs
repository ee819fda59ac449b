//! JWTs for API clients and other services: `sub` is the user id, `sid` the
//! session the token was issued from; `iss` and `aud` are the app's public
//! origin. Signed with EdDSA (keys in the `jwks` table, public halves at
//! `/api/auth/jwks`, as Better-Auth's JWT plugin does) or, with
//! `JWT_ALGORITHM=HS256`, with the shared `AUTH_SECRET`. Every token names its
//! key (`kid`). Verification accepts the configured algorithm only (so
//! `alg: none`, and an HS256 token "signed" with a public key, fail) and
//! requires `exp`, `iss`, `aud`, `sub` and `sid`. The caller then checks that
//! the session still exists, so a token dies with its session.

use std::time::Duration;

use jsonwebtoken::{
    Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, decode_header, encode,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::jwks::KeyStore;
use crate::config::JwtAlgorithm;
use crate::db::models::User;
use crate::error::AppError;

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

/// Signs and checks tokens.
pub struct JwtKeys {
    keys: Keys,
    validation: Validation,
    issuer: String,
    ttl: Duration,
}

enum Keys {
    Shared {
        kid: String,
        encoding: EncodingKey,
        decoding: DecodingKey,
    },
    Pairs(KeyStore),
}

/// Why a token was refused.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// Callers answer every such case with the same 401.
    #[error("invalid token")]
    Invalid,
    /// The keys could not be read (the database is away, say).
    #[error(transparent)]
    Keys(#[from] AppError),
}

impl JwtKeys {
    /// HS256 with the shared secret.
    pub fn hs256(secret: &[u8], issuer: &str, ttl: Duration) -> Self {
        let kid = hex::encode(&Sha256::digest([b"tasktalk-hs256-kid:", secret].concat())[..8]);
        let keys = Keys::Shared {
            kid,
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
        };
        JwtKeys::with(keys, Algorithm::HS256, issuer, ttl)
    }

    /// EdDSA with the key pairs in `store`.
    pub fn eddsa(store: KeyStore, issuer: &str, ttl: Duration) -> Self {
        JwtKeys::with(Keys::Pairs(store), Algorithm::EdDSA, issuer, ttl)
    }

    fn with(keys: Keys, algorithm: Algorithm, issuer: &str, ttl: Duration) -> Self {
        let mut validation = Validation::new(algorithm);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[issuer]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        JwtKeys {
            keys,
            validation,
            issuer: issuer.to_owned(),
            ttl,
        }
    }

    pub fn algorithm(&self) -> JwtAlgorithm {
        match self.keys {
            Keys::Shared { .. } => JwtAlgorithm::Hs256,
            Keys::Pairs(_) => JwtAlgorithm::EdDSA,
        }
    }

    /// A token for `user`, bound to the session `session_id`.
    pub async fn issue(&self, user: &User, session_id: &str) -> Result<String, AppError> {
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
        let sign = |algorithm, kid: &str, key| {
            let mut header = Header::new(algorithm);
            header.kid = Some(kid.to_owned());
            encode(&header, &claims, key).map_err(|e| AppError::Internal(e.into()))
        };
        match &self.keys {
            Keys::Shared { kid, encoding, .. } => sign(Algorithm::HS256, kid, encoding),
            Keys::Pairs(store) => {
                let keys = store.keys(None).await?;
                sign(Algorithm::EdDSA, &keys.kid, &keys.signing)
            }
        }
    }

    pub async fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let header = decode_header(token).map_err(|_| TokenError::Invalid)?;
        // Also enforced by `decode`; said here so no key is looked up for another algorithm.
        if !self.validation.algorithms.contains(&header.alg) {
            return Err(TokenError::Invalid);
        }
        let decoded = match &self.keys {
            Keys::Shared { decoding, .. } => decode::<Claims>(token, decoding, &self.validation),
            Keys::Pairs(store) => {
                let kid = header.kid.ok_or(TokenError::Invalid)?;
                let keys = store.keys(Some(&kid)).await?;
                let key = keys.verifying(&kid).ok_or(TokenError::Invalid)?;
                decode::<Claims>(token, key, &self.validation)
            }
        };
        decoded
            .map(|data| data.claims)
            .map_err(|_| TokenError::Invalid)
    }

    /// The public keys that verify our tokens, as `/api/auth/jwks` lists them:
    /// none with a shared secret.
    pub async fn published(&self) -> Result<Vec<serde_json::Value>, AppError> {
        match &self.keys {
            Keys::Shared { .. } => Ok(Vec::new()),
            Keys::Pairs(store) => Ok(store.keys(None).await?.public.clone()),
        }
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
        JwtKeys::hs256(
            b"a secret of enough length for hs256!",
            "http://app.test",
            Duration::from_secs(900),
        )
    }

    #[tokio::test]
    async fn an_issued_token_verifies() {
        let token = keys().issue(&user(), "s1").await.unwrap();
        let claims = keys().verify(&token).await.unwrap();
        assert_eq!(claims.sub, "u1");
        assert_eq!(claims.sid, "s1");
        assert_eq!(claims.exp - claims.iat, 900);
        assert_eq!(claims.aud, "http://app.test");
    }

    #[tokio::test]
    async fn other_keys_other_issuers_and_unsigned_tokens_fail() {
        let token = keys().issue(&user(), "s1").await.unwrap();
        let other = JwtKeys::hs256(
            b"another secret of enough length!!!!",
            "http://app.test",
            Duration::from_secs(900),
        );
        assert!(other.verify(&token).await.is_err());
        let other_iss = JwtKeys::hs256(
            b"a secret of enough length for hs256!",
            "http://evil.test",
            Duration::from_secs(900),
        );
        assert!(other_iss.verify(&token).await.is_err());

        let payload = token.split('.').nth(1).unwrap();
        let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
        assert!(
            keys()
                .verify(&format!("{none_header}.{payload}."))
                .await
                .is_err()
        );
        assert!(keys().verify("garbage").await.is_err());
    }

    #[tokio::test]
    async fn a_token_without_a_session_id_fails() {
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
        assert!(keys().verify(&token).await.is_err());
    }
}
