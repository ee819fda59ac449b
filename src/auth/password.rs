//! argon2id password hashes (PHC strings). Slow on purpose: run them through
//! [`on_hashing_threads`], about one thread per core, so a burst of sign-ins
//! neither grows threads nor takes the database's.
//!
//! Accounts imported from Better-Auth hold its scrypt hashes until their first
//! sign-in ([`check`] says when to replace one). Every failed check costs one
//! argon2 and one scrypt verify, whatever the account holds or whether it
//! exists, so timing tells nothing about an email.

use std::sync::OnceLock;

use anyhow::Context;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};

use unicode_normalization::UnicodeNormalization;

use super::better_auth_scrypt;
use super::credentials::Password;
use crate::blocking::Threads;

/// How a stored password hash is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashFormat {
    Argon2id,
    /// Better-Auth's `<salt>:<key>` scrypt, replaced at the next sign-in.
    BetterAuthScrypt,
    Unknown,
}

impl HashFormat {
    pub fn of(stored: &str) -> HashFormat {
        if stored.starts_with("$argon2id$") {
            HashFormat::Argon2id
        } else if better_auth_scrypt::is_better_auth_scrypt(stored) {
            HashFormat::BetterAuthScrypt
        } else {
            HashFormat::Unknown
        }
    }
}

/// What [`check`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checked {
    Match,
    /// The password is right and the hash is Better-Auth's: store
    /// [`hash_for_upgrade`] in its place.
    MatchInOldFormat,
    NoMatch,
}

/// Checks `password` against a stored hash of any format we know. A failure
/// also does the other format's work, so it costs the same as an unknown
/// email ([`verify_dummy`]).
pub fn check(password: &Password, stored: &str) -> Checked {
    match HashFormat::of(stored) {
        HashFormat::Argon2id if verify(password, stored) => Checked::Match,
        HashFormat::BetterAuthScrypt if better_auth_scrypt::verify(password, stored) => {
            Checked::MatchInOldFormat
        }
        HashFormat::Argon2id => {
            better_auth_scrypt::verify_dummy(password);
            Checked::NoMatch
        }
        HashFormat::BetterAuthScrypt => {
            verify_argon2_dummy(password);
            Checked::NoMatch
        }
        HashFormat::Unknown => {
            verify_dummy(password);
            Checked::NoMatch
        }
    }
}

/// The argon2id hash that replaces a Better-Auth one: of the password's NFKC
/// form, which Better-Auth compared, so every spelling that signed in there
/// still does (see [`verify`]).
pub fn hash_for_upgrade(password: &Password) -> anyhow::Result<String> {
    hash_text(&password.expose().nfkc().collect::<String>())
}

/// Runs `f` (hashing or verifying) on the hashing threads, started on first
/// use, as many as the machine has cores.
pub async fn on_hashing_threads<T, F>(f: F) -> anyhow::Result<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    static THREADS: OnceLock<std::io::Result<Threads>> = OnceLock::new();
    let threads = THREADS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Threads::start("hash", cores)
    });
    match threads {
        Ok(threads) => {
            let hashing = crate::metrics::record::hashing();
            Ok(threads
                .run(move || {
                    let _hashing = hashing;
                    f()
                })
                .await?)
        }
        Err(e) => Err(anyhow::anyhow!("could not start the hashing threads: {e}")),
    }
}

/// OWASP's argon2id parameters: 19 MiB, two passes, one lane.
fn hasher() -> anyhow::Result<Argon2<'static>> {
    let params = Params::new(19 * 1024, 2, 1, None).context("argon2 parameters")?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes with a fresh random salt.
pub fn hash(password: &Password) -> anyhow::Result<String> {
    hash_text(password.expose())
}

fn hash_text(password: &str) -> anyhow::Result<String> {
    let hash = hasher()?
        .hash_password(password.as_bytes())
        .map_err(|e| anyhow::anyhow!("could not hash a password: {e}"))?;
    Ok(hash.to_string())
}

/// True when `password`, as typed or in its NFKC form, matches the stored PHC
/// string (the NFKC form is what an upgraded Better-Auth hash holds; the
/// second verify runs only for a password that has another NFKC form, whatever
/// the account). A malformed hash is no match.
pub fn verify(password: &Password, phc: &str) -> bool {
    let Ok(argon) = hasher() else {
        return false;
    };
    let matches = |text: &str| argon.verify_password(text.as_bytes(), phc).is_ok();
    let typed = password.expose();
    if matches(typed) {
        return true;
    }
    let normalized: String = typed.nfkc().collect();
    normalized != typed && matches(&normalized)
}

/// Does the work of a failed [`check`] (one argon2 and one scrypt verify)
/// against fixed hashes, so that an unknown email costs as much time as a
/// wrong password.
pub fn verify_dummy(password: &Password) {
    verify_argon2_dummy(password);
    better_auth_scrypt::verify_dummy(password);
}

fn verify_argon2_dummy(password: &Password) {
    static DUMMY: OnceLock<Option<String>> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| {
        Password::parse("a password nobody has".into())
            .ok()
            .and_then(|p| hash(&p).ok())
    });
    if let Some(dummy) = dummy {
        let _ = verify(password, dummy);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let right = Password::parse("correct horse".into()).unwrap();
        let wrong = Password::parse("battery staple".into()).unwrap();
        let phc = hash(&right).unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify(&right, &phc));
        assert!(!verify(&wrong, &phc));
        assert!(!verify(&right, "not a hash"));
    }

    #[test]
    fn an_upgraded_hash_takes_every_spelling_better_auth_took() {
        let ligature = Password::parse("ﬁsh and chips".into()).unwrap();
        let plain = Password::parse("fish and chips".into()).unwrap();
        let phc = hash_for_upgrade(&ligature).unwrap();
        assert_eq!(check(&ligature, &phc), Checked::Match);
        assert_eq!(check(&plain, &phc), Checked::Match);
        assert_eq!(
            check(&Password::parse("fish and chip".into()).unwrap(), &phc),
            Checked::NoMatch
        );
    }

    #[test]
    fn formats_are_told_apart() {
        let p = Password::parse("correct horse".into()).unwrap();
        assert_eq!(HashFormat::of(&hash(&p).unwrap()), HashFormat::Argon2id);
        let scrypt = format!("{}:{}", "ab".repeat(16), "cd".repeat(64));
        assert_eq!(HashFormat::of(&scrypt), HashFormat::BetterAuthScrypt);
        assert_eq!(check(&p, &scrypt), Checked::NoMatch);
        assert_eq!(HashFormat::of("$2b$10$bcrypt"), HashFormat::Unknown);
        assert_eq!(check(&p, "$2b$10$bcrypt"), Checked::NoMatch);
    }

    #[test]
    fn the_same_password_hashes_differently_each_time() {
        let p = Password::parse("correct horse".into()).unwrap();
        assert_ne!(hash(&p).unwrap(), hash(&p).unwrap());
    }
}
