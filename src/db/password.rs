//! better-auth's password hash: `"<salt>:<key>"` in lower-case hex, where
//! `key = scrypt(NFKC(password), salt = the 32-char hex salt string's bytes, N=16384, r=16, p=1, 64 bytes)`.

use anyhow::{Result, anyhow};
use rand::RngCore;
use unicode_normalization::UnicodeNormalization;

/// log2 of scrypt's N (16384), and its r and p, as better-auth sets them.
const LOG_N: u8 = 14;
const BLOCK_SIZE: u32 = 16;
const PARALLELISM: u32 = 1;
const KEY_LEN: usize = 64;

/// Derives the hex key for `password` with `salt_hex` (the salt is used as text, not decoded).
pub fn derive_key(password: &str, salt_hex: &str) -> Result<String> {
    let params =
        scrypt::Params::new(LOG_N, BLOCK_SIZE, PARALLELISM, KEY_LEN).map_err(|e| anyhow!("scrypt parameters: {e}"))?;
    let normalized: String = password.nfkc().collect();
    let mut key = [0u8; KEY_LEN];
    scrypt::scrypt(normalized.as_bytes(), salt_hex.as_bytes(), &params, &mut key)
        .map_err(|e| anyhow!("scrypt: {e}"))?;
    Ok(hex::encode(key))
}

/// A fresh better-auth hash of `password` with a random 16-byte salt.
pub fn hash_password(password: &str) -> Result<String> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt_hex = hex::encode(salt);
    Ok(format!("{salt_hex}:{}", derive_key(password, &salt_hex)?))
}

/// Whether `password` matches a stored better-auth hash.
pub fn verify_password(password: &str, stored: &str) -> Result<bool> {
    let (salt, key) = stored.split_once(':').ok_or_else(|| anyhow!("not a better-auth password hash (no ':')"))?;
    Ok(derive_key(password, salt)? == key.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_better_auth_test_vector() {
        let key = derive_key("password123", "0123456789abcdef0123456789abcdef").unwrap();
        assert_eq!(
            key,
            "e8b256b6f9f4b1641136a66d4a26ba41a47b6c8c9bad6aa4145559ffda45ece1f0f16dec8482a3e5545feada0ba62f2b05eeb943b750c9396874e1762c78d27d"
        );
    }

    #[test]
    fn hashes_round_trip_and_have_the_right_shape() {
        let stored = hash_password("hunter2").unwrap();
        assert_eq!(stored.len(), 161);
        assert!(verify_password("hunter2", &stored).unwrap());
        assert!(!verify_password("hunter3", &stored).unwrap());
    }
}
