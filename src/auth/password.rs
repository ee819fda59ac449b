//! argon2id password hashes (PHC strings). Slow on purpose: run them through
//! [`on_hashing_threads`], about one thread per core, so a burst of sign-ins
//! neither grows threads nor takes the database's.

use std::sync::OnceLock;

use anyhow::Context;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};

use super::credentials::Password;
use crate::blocking::Threads;

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
    let hash = hasher()?
        .hash_password(password.expose().as_bytes())
        .map_err(|e| anyhow::anyhow!("could not hash a password: {e}"))?;
    Ok(hash.to_string())
}

/// True when `password` matches the stored PHC string. A malformed hash is no match.
pub fn verify(password: &Password, phc: &str) -> bool {
    match hasher() {
        Ok(argon) => argon
            .verify_password(password.expose().as_bytes(), phc)
            .is_ok(),
        Err(_) => false,
    }
}

/// Does the same work as [`verify`] against a fixed hash, so that an unknown
/// email costs as much time as a wrong password.
pub fn verify_dummy(password: &Password) {
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
    fn the_same_password_hashes_differently_each_time() {
        let p = Password::parse("correct horse".into()).unwrap();
        assert_ne!(hash(&p).unwrap(), hash(&p).unwrap());
    }
}
