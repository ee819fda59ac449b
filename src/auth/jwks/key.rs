//! One Ed25519 key pair as the `jwks` table stores it, in Better-Auth's
//! format: the public JWK as JSON, and the private JWK encrypted with
//! XChaCha20-Poly1305 under SHA-256(AUTH_SECRET), written as a JSON string of
//! `hex(nonce || ciphertext)`.

use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use chrono::NaiveDateTime;
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::EncodePrivateKey;
use jsonwebtoken::{DecodingKey, EncodingKey};
use rand::{Rng, RngCore};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::auth::json::Jwk;
use crate::db::models::KeyPair;

pub const ALG: &str = "EdDSA";
pub const CRV: &str = "Ed25519";
const NONCE_BYTES: usize = 24;

/// The key that encrypts private keys at rest, derived from `AUTH_SECRET`. Never printed.
#[derive(Clone)]
pub struct KeyCipher([u8; 32]);

impl KeyCipher {
    pub fn from_secret(secret: &str) -> KeyCipher {
        KeyCipher(Sha256::digest(secret.as_bytes()).into())
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&self.0.into())
    }
}

impl std::fmt::Debug for KeyCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyCipher(***)")
    }
}

/// A JWK of an Ed25519 key: public (`d` absent) or private.
#[derive(Serialize, Deserialize)]
struct OkpJwk {
    crv: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    d: Option<String>,
    x: String,
    kty: String,
}

/// A new key pair, its private half encrypted, ready to insert.
pub fn generate(cipher: &KeyCipher, now: NaiveDateTime) -> anyhow::Result<KeyPair> {
    let mut seed = [0u8; 32];
    rand::rng().fill_bytes(&mut seed);
    let signing = SigningKey::from_bytes(&seed);
    let x = URL_SAFE_NO_PAD.encode(signing.verifying_key().to_bytes());
    let jwk = |d: Option<String>| OkpJwk {
        crv: CRV.into(),
        d,
        x: x.clone(),
        kty: "OKP".into(),
    };
    let private = serde_json::to_vec(&jwk(Some(URL_SAFE_NO_PAD.encode(seed))))?;
    Ok(KeyPair {
        id: kid(),
        public_key: serde_json::to_string(&jwk(None))?,
        private_key: encrypt(cipher, &private)?,
        alg: ALG.into(),
        crv: CRV.into(),
        created_at: now,
        expires_at: None,
    })
}

/// The key that signs with `key`'s private half.
pub fn encoding_key(cipher: &KeyCipher, key: &KeyPair) -> anyhow::Result<EncodingKey> {
    let plain = decrypt(cipher, &key.private_key).with_context(|| {
        format!(
            "the signing key {} cannot be decrypted with AUTH_SECRET (was it changed? `tasktalk keys rotate` makes a new key)",
            key.id
        )
    })?;
    let jwk: OkpJwk = serde_json::from_slice(&plain).context("the private key is not a JWK")?;
    let seed: [u8; 32] = URL_SAFE_NO_PAD
        .decode(jwk.d.unwrap_or_default())
        .ok()
        .and_then(|d| d.try_into().ok())
        .context("the private key is not an Ed25519 key")?;
    let der = SigningKey::from_bytes(&seed)
        .to_pkcs8_der()
        .map_err(|e| anyhow::anyhow!("could not encode the private key: {e}"))?;
    Ok(EncodingKey::from_ed_der(der.as_bytes()))
}

/// The key that checks tokens `key` signed, and its public JWK as `/jwks` lists it.
pub fn public(key: &KeyPair) -> anyhow::Result<(DecodingKey, Jwk)> {
    let jwk: OkpJwk = serde_json::from_str(&key.public_key).context("a public key is not a JWK")?;
    let decoding = DecodingKey::from_ed_components(&jwk.x)?;
    let published = Jwk {
        kty: jwk.kty,
        crv: jwk.crv,
        x: jwk.x,
        kid: key.id.clone(),
        alg: key.alg.clone(),
    };
    Ok((decoding, published))
}

/// 32 characters of `[A-Za-z0-9]`, like Better-Auth's ids.
fn kid() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..32)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

fn encrypt(cipher: &KeyCipher, plain: &[u8]) -> anyhow::Result<String> {
    let mut nonce = [0u8; NONCE_BYTES];
    rand::rng().fill_bytes(&mut nonce);
    let sealed = cipher
        .cipher()
        .encrypt(&XNonce::from(nonce), plain)
        .map_err(|_| anyhow::anyhow!("could not encrypt a private key"))?;
    Ok(serde_json::to_string(&hex::encode(
        [&nonce[..], &sealed].concat(),
    ))?)
}

fn decrypt(cipher: &KeyCipher, stored: &str) -> anyhow::Result<Vec<u8>> {
    // A JSON string, as Better-Auth writes it; bare hex is taken too.
    let text: String = serde_json::from_str(stored).unwrap_or_else(|_| stored.to_owned());
    let bytes = hex::decode(text.trim()).context("the private key is not hex")?;
    if bytes.len() <= NONCE_BYTES {
        anyhow::bail!("the private key is too short");
    }
    let (nonce, sealed) = bytes.split_at(NONCE_BYTES);
    let nonce: [u8; NONCE_BYTES] = nonce.try_into()?;
    cipher
        .cipher()
        .decrypt(&XNonce::from(nonce), sealed)
        .map_err(|_| anyhow::anyhow!("the private key does not decrypt"))
}

#[cfg(test)]
mod tests {
    use jsonwebtoken::{Algorithm, Header, Validation, decode, encode};

    use super::*;
    use crate::db::now;

    #[test]
    fn a_generated_key_signs_what_its_public_half_verifies() {
        let cipher = KeyCipher::from_secret("a secret");
        let key = generate(&cipher, now()).unwrap();
        assert_eq!(key.id.len(), 32);
        assert!(!key.private_key.contains("\"d\""), "stored in clear");

        let signing = encoding_key(&cipher, &key).unwrap();
        let token = encode(
            &Header::new(Algorithm::EdDSA),
            &serde_json::json!({"sub": "u"}),
            &signing,
        )
        .unwrap();
        let (decoding, published) = public(&key).unwrap();
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.required_spec_claims.clear();
        validation.validate_exp = false;
        assert!(decode::<serde_json::Value>(&token, &decoding, &validation).is_ok());
        assert_eq!(published.kid, key.id);
        assert_eq!(published.kty, "OKP");
        let json = serde_json::to_value(&published).unwrap();
        assert!(json.get("d").is_none());
    }

    #[test]
    fn another_secret_cannot_decrypt_the_private_key() {
        let key = generate(&KeyCipher::from_secret("one"), now()).unwrap();
        assert!(encoding_key(&KeyCipher::from_secret("two"), &key).is_err());
    }
}
