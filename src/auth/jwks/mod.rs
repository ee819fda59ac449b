//! The EdDSA keys JWTs are signed with, kept in the `jwks` table and cached
//! here: the current key signs, every published key verifies, and
//! `GET /api/auth/jwks` lists the public halves.
//!
//! The first server to need a key makes one; `tasktalk keys rotate` makes a
//! new one current. Servers pick a rotation up within `refresh_every`, so a
//! rotated key stays published for that long past the tokens it signed. A
//! token naming a key the cache does not know reloads it (at most once a
//! second, whatever the tokens claim).

pub mod key;

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use jsonwebtoken::{DecodingKey, EncodingKey};

use self::key::KeyCipher;
use crate::auth::json::Jwk;
use crate::db::models::KeyPair;
use crate::db::{self, DbError, DbPool};

/// How soon an unknown `kid` may reload the keys again.
const UNKNOWN_KID_RELOAD_GAP: Duration = Duration::from_secs(1);

/// Why the keys could not be had.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The key pairs could not be read or stored.
    #[error(transparent)]
    Db(#[from] DbError),
    /// A key could not be made, encrypted, decrypted or used to sign (an
    /// `AUTH_SECRET` that changed, say).
    #[error(transparent)]
    Crypto(#[from] anyhow::Error),
}

/// The keys as last read from the database.
pub struct Loaded {
    pub kid: String,
    pub signing: EncodingKey,
    verifying: HashMap<String, DecodingKey>,
    /// The public JWKs, newest first.
    pub public: Vec<Jwk>,
    at: Instant,
}

impl Loaded {
    pub fn verifying(&self, kid: &str) -> Option<&DecodingKey> {
        self.verifying.get(kid)
    }
}

pub struct KeyStore {
    pool: DbPool,
    cipher: KeyCipher,
    refresh_every: Duration,
    /// How long a rotated key stays published: the longest a token it signed lives.
    published_for: chrono::Duration,
    cache: RwLock<Option<Arc<Loaded>>>,
}

impl KeyStore {
    pub fn new(
        pool: DbPool,
        cipher: KeyCipher,
        token_ttl: Duration,
        refresh_every: Duration,
    ) -> KeyStore {
        KeyStore {
            pool,
            cipher,
            refresh_every,
            published_for: published_for(token_ttl, refresh_every),
            cache: RwLock::new(None),
        }
    }

    /// The keys, reloaded when the cache is older than `refresh_every` or
    /// lacks `kid` (see the module docs).
    pub async fn keys(&self, kid: Option<&str>) -> Result<Arc<Loaded>, KeyError> {
        let cached = self
            .cache
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let Some(cached) = cached {
            let age = cached.at.elapsed();
            let knows_kid = kid.is_none_or(|kid| cached.verifying.contains_key(kid));
            if age < self.refresh_every && (knows_kid || age < UNKNOWN_KID_RELOAD_GAP) {
                return Ok(cached);
            }
        }
        let loaded = Arc::new(self.load().await?);
        *self.cache.write().unwrap_or_else(PoisonError::into_inner) = Some(Arc::clone(&loaded));
        Ok(loaded)
    }

    async fn load(&self) -> Result<Loaded, KeyError> {
        let now = db::now();
        let candidate = key::generate(&self.cipher, now)?;
        let retired_since = now
            .checked_sub_signed(self.published_for)
            .unwrap_or(chrono::NaiveDateTime::MIN);
        let (current, published) = db::call(&self.pool, "load the signing keys", move |conn| {
            let current = KeyPair::find_or_add_current(conn, &candidate)?;
            Ok((current, KeyPair::list_published(conn, retired_since)?))
        })
        .await?;
        let mut verifying = HashMap::new();
        let mut public = Vec::new();
        for pair in published.iter().chain([&current]) {
            if verifying.contains_key(&pair.id) {
                continue;
            }
            let (decoding, jwk) = key::public(pair)?;
            verifying.insert(pair.id.clone(), decoding);
            public.push(jwk);
        }
        Ok(Loaded {
            signing: key::encoding_key(&self.cipher, &current)?,
            kid: current.id,
            verifying,
            public,
            at: Instant::now(),
        })
    }
}

/// How long a key that stopped signing stays published: a token it signed
/// lives `token_ttl`, and a server may sign with it for `refresh_every` after
/// the rotation; a minute more covers clocks and leeway.
pub fn published_for(token_ttl: Duration, refresh_every: Duration) -> chrono::Duration {
    let total = token_ttl + refresh_every + Duration::from_secs(60);
    chrono::Duration::from_std(total).unwrap_or(chrono::Duration::MAX)
}
