//! JWTs for API clients and other services: `sub` is the user id, `sid` the
//! session the token was issued from; `iss` and `aud` are the app's public
//! origin. Signed with EdDSA (keys in the `jwks` table, public halves at
//! `/api/auth/jwks`, as Better-Auth's JWT plugin does) or, with
//! `JWT_ALGORITHM=HS256`, with the shared `AUTH_SECRET`. Every token names its
//! key (`kid`). Verification accepts the configured algorithm only (so
//! `alg: none`, and an HS256 token "signed" with a public key, fail) and
//! requires `exp`, `iss`, `aud`, `sub` and `sid`. The caller then checks that
//! the session still exists, so a token dies with its session.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use jsonwebtoken::{
    Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, decode_header, encode,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::json::Jwk;
use super::jwks::{KeyError, KeyStore};
use crate::config::JwtAlgorithm;
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

/// Signs and checks tokens.
pub struct JwtKeys {
    keys: Keys,
    validation: Validation,
    issuer: String,
    ttl: Duration,
    recent: Recent,
}

/// How long a token just issued for a session is handed out again instead
/// of signing a new one. `get-session` answers with a token every time, and
/// an EdDSA signature each time halved its throughput; a token this much
/// older than a new one is as good as new.
const REUSE_FOR: Duration = Duration::from_secs(30);
/// Sessions remembered at most; beyond this, stale entries are swept.
const RECENT_CAPACITY: usize = 10_000;

/// The token last issued for each session, with what it says.
#[derive(Default)]
struct Recent {
    by_session: Mutex<HashMap<String, Issued>>,
}

struct Issued {
    at: Instant,
    /// The claims that do not change with time, and the key.
    says: String,
    token: String,
}

impl Recent {
    fn get(&self, session_id: &str, says: &str) -> Option<String> {
        let map = self
            .by_session
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        map.get(session_id)
            .filter(|i| i.says == says && i.at.elapsed() < REUSE_FOR)
            .map(|i| i.token.clone())
    }

    fn put(&self, session_id: &str, says: String, token: String) {
        let mut map = self
            .by_session
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if map.len() >= RECENT_CAPACITY {
            map.retain(|_, i| i.at.elapsed() < REUSE_FOR);
            if map.len() >= RECENT_CAPACITY {
                map.clear();
            }
        }
        let at = Instant::now();
        map.insert(session_id.to_owned(), Issued { at, says, token });
    }
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
    Keys(#[from] KeyError),
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
            recent: Recent::default(),
        }
    }

    pub fn algorithm(&self) -> JwtAlgorithm {
        match self.keys {
            Keys::Shared { .. } => JwtAlgorithm::Hs256,
            Keys::Pairs(_) => JwtAlgorithm::EdDSA,
        }
    }

    /// A token for `user`, bound to the session `session_id`: the one issued
    /// for that session in the last [`REUSE_FOR`] if it says the same
    /// (same user, name, email and key), else a new one.
    pub async fn issue(&self, user: &User, session_id: &str) -> Result<String, KeyError> {
        let loaded;
        let (algorithm, kid, key) = match &self.keys {
            Keys::Shared { kid, encoding, .. } => (Algorithm::HS256, kid.as_str(), encoding),
            Keys::Pairs(store) => {
                loaded = store.keys(None).await?;
                (Algorithm::EdDSA, loaded.kid.as_str(), &loaded.signing)
            }
        };
        let says = [user.id.as_str(), &user.email, &user.name, kid].join("\0");
        if let Some(token) = self.recent.get(session_id, &says) {
            return Ok(token);
        }
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
        let mut header = Header::new(algorithm);
        header.kid = Some(kid.to_owned());
        let token = encode(&header, &claims, key).map_err(|e| KeyError::Crypto(e.into()))?;
        self.recent.put(session_id, says, token.clone());
        Ok(token)
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
    pub async fn published(&self) -> Result<Vec<Jwk>, KeyError> {
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

    #[tokio::test]
    async fn a_session_gets_its_recent_token_again_unless_what_it_says_changed() {
        let keys = keys();
        let first = keys.issue(&user(), "s1").await.unwrap();
        assert_eq!(keys.issue(&user(), "s1").await.unwrap(), first);
        assert_ne!(
            keys.issue(&user(), "s2").await.unwrap(),
            first,
            "another session"
        );
        let renamed = User {
            name: "Alicia".into(),
            ..user()
        };
        let token = keys.issue(&renamed, "s1").await.unwrap();
        assert_eq!(keys.verify(&token).await.unwrap().name, "Alicia");
    }

    #[test]
    fn recent_tokens_expire_and_their_memory_is_bounded() {
        let recent = Recent::default();
        recent.put("s", "says".into(), "t".into());
        assert_eq!(recent.get("s", "says").as_deref(), Some("t"));
        assert_eq!(recent.get("s", "other"), None);
        if let Some(issued) = recent.by_session.lock().unwrap().get_mut("s") {
            issued.at = Instant::now().checked_sub(REUSE_FOR).unwrap_or(issued.at);
        }
        assert_eq!(recent.get("s", "says"), None, "too old");
        for n in 0..RECENT_CAPACITY + 5 {
            recent.put(&n.to_string(), "says".into(), "t".into());
        }
        assert!(recent.by_session.lock().unwrap().len() <= RECENT_CAPACITY);
    }
}
