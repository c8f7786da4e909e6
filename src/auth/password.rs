//! Password hashing with argon2id (PHC strings, salted per password).

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{self, Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

/// A valid hash of a random password, verified against when the user does not exist so that
/// the answer takes as long as for a real user.
pub const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$yXn4G0sRa3vKMBfWnQ9yWTD3cFbO1M2XqU4yR2s4mHk";

pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    let argon2 = Argon2::default();
    let hash = (|| -> password_hash::Result<String> {
        let mut salt_buf = [0u8; 64];
        let salt_bytes = salt.as_salt().decode_b64(&mut salt_buf)?;
        let output = Output::init_with(Params::DEFAULT_OUTPUT_LEN, |out| {
            hash_into(&argon2, password, salt_bytes, out)
        })?;
        let phc = PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(argon2.params())?,
            salt: Some(salt.as_salt()),
            hash: Some(output),
        };
        Ok(phc.to_string())
    })();
    hash.map_err(|e| format!("hashing failed: {e}"))
}

/// Checks `password` against a stored PHC string with that string's own algorithm, version and
/// cost. The comparison of the outputs is constant-time (`Output`'s equality).
pub fn verify_password(password: &str, stored: &str) -> bool {
    let verified = (|| -> password_hash::Result<bool> {
        let parsed = PasswordHash::new(stored)?;
        let algorithm = Algorithm::try_from(parsed.algorithm)?;
        let version = match parsed.version {
            Some(v) => Version::try_from(v)?,
            None => Version::default(),
        };
        let params = Params::try_from(&parsed)?;
        let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
            return Ok(false);
        };
        let mut salt_buf = [0u8; 64];
        let salt_bytes = salt.decode_b64(&mut salt_buf)?;
        let argon2 = Argon2::new(algorithm, version, params);
        let computed = Output::init_with(expected.len(), |out| hash_into(&argon2, password, salt_bytes, out))?;
        Ok(computed == expected)
    })();
    verified.unwrap_or(false)
}

/// Runs argon2 with its working memory (m_cost KiB, 19 MiB by default) in a mapping of its own
/// that goes back to the kernel as soon as the hash is done. Through the allocator, freed blocks
/// of that size were kept for reuse: a burst of logins left the process hundreds of MiB larger.
fn hash_into(argon2: &Argon2<'_>, password: &str, salt: &[u8], out: &mut [u8]) -> password_hash::Result<()> {
    let mut memory = WorkMemory::new(argon2.params().block_count()).ok_or(password_hash::Error::Crypto)?;
    argon2.hash_password_into_with_memory(password.as_bytes(), salt, out, memory.blocks())?;
    Ok(())
}

/// Zeroed anonymous memory for `len` argon2 blocks, unmapped on drop.
struct WorkMemory {
    ptr: std::ptr::NonNull<Block>,
    len: usize,
}

impl WorkMemory {
    fn new(len: usize) -> Option<WorkMemory> {
        let bytes = len.checked_mul(std::mem::size_of::<Block>())?;
        // SAFETY: an anonymous private mapping with no address hint; the result is checked.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                bytes,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return None;
        }
        // Page alignment (4 KiB) exceeds Block's 64-byte alignment.
        Some(WorkMemory {
            ptr: std::ptr::NonNull::new(ptr.cast::<Block>())?,
            len,
        })
    }

    fn blocks(&mut self) -> &mut [Block] {
        // SAFETY: the mapping holds `len` blocks, is suitably aligned, zero-filled by the kernel
        // (all-zero is a valid Block: plain integers), and lives as long as `self`.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

impl Drop for WorkMemory {
    fn drop(&mut self) {
        // SAFETY: unmaps exactly the mapping made in `new`, which nothing references any more.
        unsafe {
            libc::munmap(self.ptr.as_ptr().cast(), self.len * std::mem::size_of::<Block>());
        }
    }
}

/// Argon2 uses about 19 MiB per hash, so unbounded parallel hashing (a burst of first logins)
/// would grow the process by 19 MiB per hash in flight. Two at a time matches the cores we plan
/// for and bounds the resident size; other requests are not held up, only other hashes.
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

    #[test]
    fn agrees_with_the_reference_implementation() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        // Ours verifies the crate's own hashes, and the crate verifies ours.
        let salt = SaltString::generate(&mut OsRng);
        let theirs = Argon2::default().hash_password(b"s3cret", &salt).unwrap().to_string();
        assert!(verify_password("s3cret", &theirs));
        assert!(!verify_password("s3cret!", &theirs));
        let ours = hash_password("s3cret").unwrap();
        assert!(ours.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default().verify_password(b"s3cret", &parsed).is_ok());
        assert!(Argon2::default().verify_password(b"other", &parsed).is_err());
        // Other costs stored in the string are honoured.
        let cheap = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(64, 1, 1, None).unwrap(),
        );
        let cheap_hash = cheap.hash_password(b"pw", &salt).unwrap().to_string();
        assert!(verify_password("pw", &cheap_hash));
        assert!(!verify_password("pw", "not a hash"));
    }
}
