//! App passwords and other high-entropy tokens: generated from the OS's randomness, stored only
//! as keyed hashes (HMAC-SHA-256). A token has 72 random characters (428 bits), so a fast hash
//! is as safe as a slow one and keeps a check at a few microseconds; the key makes a stolen
//! database useless for checking guesses offline. The key is generated at the first start and
//! kept in the database, so every instance on it computes the same hashes.

use crate::db::{store, Db, DbResult};
use hmac::{Hmac, Mac};
use rand::rngs::OsRng;
use rand::Rng;
use sha2::Sha256;
use std::sync::Arc;

/// Name of the hashing key in `server_secrets`.
const KEY_NAME: &str = "token_hash_key";
/// Length of an app password, as upstream generates them.
pub const APP_PASSWORD_LEN: usize = 72;

/// What a hash is for: the same token hashed for two purposes gives unrelated values.
#[derive(Debug, Clone, Copy)]
pub enum Purpose {
    AppPassword,
    FlowPoll,
    FlowLogin,
    FlowBrowser,
    FlowCsrf,
    FlowSeal,
    InvitationCsrf,
}

impl Purpose {
    fn label(self) -> &'static [u8] {
        match self {
            Purpose::AppPassword => b"app-password",
            Purpose::FlowPoll => b"login-flow-poll",
            Purpose::FlowLogin => b"login-flow-login",
            Purpose::FlowBrowser => b"login-flow-browser",
            Purpose::FlowCsrf => b"login-flow-csrf",
            Purpose::FlowSeal => b"login-flow-seal",
            Purpose::InvitationCsrf => b"invitation-csrf",
        }
    }
}

/// The keyed hash, ready to use (the key schedule is computed once).
#[derive(Clone)]
pub struct TokenHasher {
    mac: Arc<Hmac<Sha256>>,
}

impl TokenHasher {
    pub fn new(key: &[u8]) -> TokenHasher {
        TokenHasher {
            mac: Arc::new(Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length")),
        }
    }

    /// Reads the shared key, creating it if this is the first start on this database.
    pub async fn load(db: &Db) -> DbResult<TokenHasher> {
        let key_hex = db
            .run(|conn| {
                conn.write_tx(|conn| {
                    store::app_passwords::secret_or_insert(conn, KEY_NAME, || {
                        let key: [u8; 32] = OsRng.gen();
                        hex::encode(key)
                    })
                })
            })
            .await?;
        let key = hex::decode(key_hex.trim())
            .map_err(|e| crate::db::DbError::Internal(format!("stored token key is not hex: {e}")))?;
        Ok(TokenHasher::new(&key))
    }

    pub fn hash(&self, purpose: Purpose, parts: &[&[u8]]) -> [u8; 32] {
        let mut mac = (*self.mac).clone();
        mac.update(purpose.label());
        for part in parts {
            mac.update(&[0]);
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }

    pub fn hash_hex(&self, purpose: Purpose, token: &str) -> String {
        hex::encode(self.hash(purpose, &[token.as_bytes()]))
    }

    /// Seals (or unseals: the operation is its own inverse) `data` with a key stream derived
    /// from `secret`, which the database does not hold.
    pub fn seal(&self, secret: &str, data: &[u8]) -> Vec<u8> {
        data.chunks(32)
            .enumerate()
            .flat_map(|(i, chunk)| {
                let block = self.hash(Purpose::FlowSeal, &[secret.as_bytes(), &(i as u64).to_be_bytes()]);
                chunk.iter().zip(block).map(|(d, k)| d ^ k).collect::<Vec<u8>>()
            })
            .collect()
    }
}

const ALPHANUMERIC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// `len` characters drawn uniformly from `[A-Za-z0-9]` (5.95 bits each) from the OS's randomness.
pub fn random_token(len: usize) -> String {
    (0..len)
        .map(|_| ALPHANUMERIC[OsRng.gen_range(0..ALPHANUMERIC.len())] as char)
        .collect()
}

/// A new app password, in upstream's format.
pub fn generate_app_password() -> String {
    random_token(APP_PASSWORD_LEN)
}

/// True if `s` has the shape of an app password (only those are looked up as one).
pub fn looks_like_app_password(s: &str) -> bool {
    s.len() == APP_PASSWORD_LEN && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_have_the_shape_and_differ() {
        let a = generate_app_password();
        let b = generate_app_password();
        assert!(looks_like_app_password(&a));
        assert_ne!(a, b);
        assert!(!looks_like_app_password(&a[1..]));
        assert!(!looks_like_app_password(&format!("{}-", &a[1..])));
    }

    #[test]
    fn hashes_depend_on_key_purpose_and_token() {
        let h = TokenHasher::new(b"key one");
        let other = TokenHasher::new(b"key two");
        let x = h.hash_hex(Purpose::AppPassword, "token");
        assert_eq!(x, h.hash_hex(Purpose::AppPassword, "token"));
        assert_ne!(x, other.hash_hex(Purpose::AppPassword, "token"));
        assert_ne!(x, h.hash_hex(Purpose::FlowPoll, "token"));
        assert_ne!(x, h.hash_hex(Purpose::AppPassword, "token2"));
        assert_eq!(x.len(), 64);
    }

    #[test]
    fn sealing_round_trips_and_needs_the_secret() {
        let h = TokenHasher::new(b"key");
        let password = generate_app_password();
        let sealed = h.seal("poll token", password.as_bytes());
        assert_ne!(sealed, password.as_bytes());
        assert_eq!(h.seal("poll token", &sealed), password.as_bytes());
        assert_ne!(h.seal("other token", &sealed), password.as_bytes());
    }
}
