//! Better-Auth's password hashes, kept by accounts imported from it until
//! their first sign-in replaces them with argon2id.
//!
//! The format is `<salt>:<key>`, both lowercase hex: the salt is 16 random
//! bytes written as 32 hex characters, and those 32 ASCII characters (not the
//! bytes they spell) are the scrypt salt; the key is scrypt(NFKC(password),
//! salt, N=2^14, r=16, p=1, 64 bytes).

use subtle::ConstantTimeEq;
use unicode_normalization::UnicodeNormalization;

use super::credentials::Password;

const LOG_N: u8 = 14;
const R: u32 = 16;
const P: u32 = 1;
const KEY_BYTES: usize = 64;
const SALT_HEX_CHARS: usize = 32;

/// A hash nobody's password produces: unknown emails pay the same scrypt as
/// an imported account's wrong password.
const DUMMY: &str = "9b1d6f0c2e4a8b7d3c5e1f0a2b4c6d8e:\
    5f0e3c1a9d7b2e4f6a8c0b1d3e5f7a9c2b4d6e8f0a1c3e5b7d9f1a3c5e7b9d0f\
    2a4c6e8b0d1f3a5c7e9b2d4f6a8c0e1b3d5f7a9c1e3b5d7f9a2c4e6b8d0f1a3c";

/// Whether `stored` is written in Better-Auth's scrypt format.
pub fn is_better_auth_scrypt(stored: &str) -> bool {
    parse(stored).is_some()
}

/// True when `password` matches the stored Better-Auth hash. The keys are
/// compared in constant time; a malformed hash is no match (after the same work).
pub fn verify(password: &Password, stored: &str) -> bool {
    match parse(stored) {
        Some((salt, key)) => derive(password, salt)
            .is_some_and(|derived| bool::from(derived.as_slice().ct_eq(key.as_slice()))),
        None => {
            verify_dummy(password);
            false
        }
    }
}

/// Does the work of [`verify`] against a hash no password matches.
pub fn verify_dummy(password: &Password) {
    if let Some((salt, _)) = parse(DUMMY) {
        let _ = derive(password, salt);
    }
}

/// The salt (its hex text) and the key bytes of a well-formed hash.
fn parse(stored: &str) -> Option<(&str, Vec<u8>)> {
    let (salt, key) = stored.split_once(':')?;
    let hex_only = |s: &str| s.bytes().all(|b| b.is_ascii_hexdigit());
    if salt.len() != SALT_HEX_CHARS || !hex_only(salt) || key.len() != KEY_BYTES * 2 {
        return None;
    }
    let key = hex::decode(key).ok()?;
    Some((salt, key))
}

fn derive(password: &Password, salt: &str) -> Option<[u8; KEY_BYTES]> {
    let normalized: String = password.expose().nfkc().collect();
    let params = scrypt::Params::new(LOG_N, R, P, KEY_BYTES).ok()?;
    let mut key = [0u8; KEY_BYTES];
    scrypt::scrypt(normalized.as_bytes(), salt.as_bytes(), &params, &mut key).ok()?;
    Some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn password(text: &str) -> Password {
        Password::parse_attempt(text.into()).unwrap()
    }

    /// Written by Better-Auth 1.7.25's own sign-up (the fixture's Ada and Zoë).
    const ADA: &str = "d01f1e45bddbdf3101877d442fcfe933:9353b87b23abffc3fbd72427a49dc6705c186e2d8093aaffcee133caa185707a7df8d707febf5ee39061b8c0e8eb4e619f00308c4d63c90b4bd7b26c167b4ef9";
    const ZOE: &str = "236f4a7730d7183baff94acd0e7c2524:0dd292830677562d4abd453e1c03c1407bba1b78d04a861ed3587e1f2a4881171ec4021383d0efa4ab2f6799da898ca2c0d37caa303bfb1eaf33aed1a7b6d518";

    #[test]
    fn better_auths_own_hashes_verify_their_passwords_only() {
        assert!(verify(&password("correct horse battery staple"), ADA));
        assert!(!verify(&password("correct horse battery stapler"), ADA));
    }

    #[test]
    fn passwords_are_compared_in_their_nfkc_form() {
        // The ligature "ﬁ" (U+FB01) is "fi" in NFKC: both spellings match.
        assert!(verify(&password("Żółć ﬁsh pässwörd 🐟"), ZOE));
        assert!(verify(&password("Żółć fish pässwörd 🐟"), ZOE));
        assert!(!verify(&password("Zolc fish passwort 🐟"), ZOE));
    }

    #[test]
    fn only_the_exact_format_is_recognised() {
        assert!(is_better_auth_scrypt(ADA));
        assert!(is_better_auth_scrypt(DUMMY));
        assert!(!is_better_auth_scrypt(
            "$argon2id$v=19$m=19456,t=2,p=1$abc$def"
        ));
        assert!(!is_better_auth_scrypt(&ADA[1..]));
        assert!(!is_better_auth_scrypt(&format!("{ADA}00")));
        assert!(!is_better_auth_scrypt(&ADA.replace(':', "$")));
        assert!(!verify(&password("correct horse battery staple"), "x:y"));
    }
}
