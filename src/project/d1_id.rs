//! The file name miniflare gives a local D1 database: a Durable Object id derived from the
//! database's key, the same way workerd derives ids from names (stack-facts §4).

use anyhow::Result;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The Durable Object class miniflare stores D1 databases in; also the folder name on disk.
pub const D1_OBJECT_CLASS: &str = "miniflare-D1DatabaseObject";

/// The 64-hex-digit id of the object named `key` (`preview_database_id ?? database_id ?? binding`).
pub fn d1_object_id(key: &str) -> Result<String> {
    durable_object_id(D1_OBJECT_CLASS, key)
}

/// `a = hmac(sha256(unique_key), name)[..16]`, `b = hmac(sha256(unique_key), a)[..16]`, hex(a || b).
fn durable_object_id(unique_key: &str, name: &str) -> Result<String> {
    let key = Sha256::digest(unique_key.as_bytes());
    let first = hmac_sha256(&key, name.as_bytes())?;
    let second = hmac_sha256(&key, &first[..16])?;
    let mut id = Vec::with_capacity(32);
    id.extend_from_slice(&first[..16]);
    id.extend_from_slice(&second[..16]);
    Ok(hex::encode(id))
}

fn hmac_sha256(key: &[u8], message: &[u8]) -> Result<[u8; 32]> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).map_err(|err| anyhow::anyhow!("HMAC key: {err}"))?;
    mac.update(message);
    Ok(mac.finalize().into_bytes().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_test_vectors() {
        assert_eq!(d1_object_id("DB").unwrap(), "e7352547963de7050bd7d94658afc4fe78b61811b7815da12d90be8e863abf4d");
        assert_eq!(
            d1_object_id("7f3c2a9e-4b1d-4e8a-9c6f-2d5b8e1a0c34").unwrap(),
            "4f308584bbe39a9a6a5708de8ff4fb934ab4694d995ff0d125b1ebc2f2e41f43"
        );
    }
}
