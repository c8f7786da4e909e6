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
