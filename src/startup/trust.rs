//! Who this server is and whom it trusts, worked out from the settings: the
//! public URL, the origins that may write with the session cookie, the keys
//! JWTs are signed with, and the session cookie's key.

use actix_web::cookie::Key;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha512};

use crate::auth::jwks::KeyStore;
use crate::auth::jwks::key::KeyCipher;
use crate::auth::jwt::JwtKeys;
use crate::config::{Environment, JwtAlgorithm, Settings};
use crate::db::DbPool;

fn display_host(bind: &str) -> &str {
    match bind {
        "0.0.0.0" | "::" | "[::]" => "localhost",
        other => other,
    }
}

/// The origin people use to reach this server: `PUBLIC_URL`, else this
/// listener's address.
pub(super) fn public_url(settings: &Settings, port: u16) -> String {
    let public_url = match &settings.public_url {
        Some(url) => url.origin().ascii_serialization(),
        None => format!("http://{}:{port}", display_host(&settings.bind)),
    };
    if settings.public_url.is_none() && settings.environment == Environment::Production {
        tracing::warn!(
            "PUBLIC_URL is not set: only {public_url} may write with the session cookie, and cookies are not Secure"
        );
    }
    public_url
}

/// The origins that may write with the session cookie: the public one (and
/// this machine's own names for it when `PUBLIC_URL` is not set), and
/// `TRUSTED_ORIGINS`.
pub(super) fn trusted_origins(settings: &Settings, public_url: &str, port: u16) -> Vec<String> {
    let mut origins = vec![public_url.to_owned()];
    if settings.public_url.is_none() {
        origins.push(format!("http://localhost:{port}"));
        origins.push(format!("http://127.0.0.1:{port}"));
    }
    origins.extend(settings.trusted_origins.iter().cloned());
    origins
}

/// The keys JWTs are signed with: the shared secret (HS256), or Ed25519 key
/// pairs kept in the database, encrypted with it (EdDSA).
pub(super) fn jwt_keys(settings: &Settings, pool: &DbPool, public_url: &str) -> JwtKeys {
    let secret = settings.auth_secret.expose_secret();
    match settings.jwt_algorithm {
        JwtAlgorithm::Hs256 => JwtKeys::hs256(secret.as_bytes(), public_url, settings.jwt_ttl),
        JwtAlgorithm::EdDSA => {
            let cipher = KeyCipher::from_secret(secret);
            let store = KeyStore::new(
                pool.clone(),
                cipher,
                settings.jwt_ttl,
                settings.jwt_key_refresh,
            );
            JwtKeys::eddsa(store, public_url, settings.jwt_ttl)
        }
    }
}

/// The session cookie's key, derived from `AUTH_SECRET`.
pub(super) fn cookie_key(secret: &SecretString) -> Key {
    Key::from(&Sha512::digest(
        [
            b"tasktalk-session-cookie:".as_slice(),
            secret.expose_secret().as_bytes(),
        ]
        .concat(),
    ))
}
