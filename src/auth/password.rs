//! Password hashing with argon2id (PHC strings, salted per password).

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

/// A valid hash of a random password, verified against when the user does not exist so that
/// the answer takes as long as for a real user.
pub const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$yXn4G0sRa3vKMBfWnQ9yWTD3cFbO1M2XqU4yR2s4mHk";

pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| format!("hashing failed: {e}"))
}

/// Constant-time comparison happens inside the argon2 verifier.
pub fn verify_password(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// Argon2 uses about 19 MiB per hash. Hashes run on the blocking pool, and the allocator keeps
/// freed memory per thread, so unbounded parallel hashing (a burst of first logins) would grow
/// the process by 19 MiB per thread. Two at a time matches the cores we plan for and keeps the
/// resident size flat; other requests are not held up, only other hashes.
static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// [`hash_password`] off the async runtime, at most two at a time.
pub async fn hash_password_async(password: String) -> Result<String, String> {
    let _permit = HASHING.acquire().await.map_err(|e| e.to_string())?;
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| e.to_string())?
}

/// [`verify_password`] off the async runtime, at most two at a time.
pub async fn verify_password_async(password: String, stored: String) -> bool {
    let Ok(_permit) = HASHING.acquire().await else {
        return false;
    };
    tokio::task::spawn_blocking(move || verify_password(&password, &stored))
        .await
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify() {
        let h = hash_password("123456").unwrap();
        assert!(verify_password("123456", &h));
        assert!(!verify_password("1234567", &h));
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
        assert!(!verify_password("x", DUMMY_HASH));
    }
}
