//! Password hashing: PBKDF2-HMAC-SHA256 by the runtime's WebCrypto (workerd: BoringSSL), over the password HMACed
//! first with a server-side pepper (`PASSWORD_PEPPER`, a secret), with a per-account random 16-byte salt:
//!
//! `hash = PBKDF2-HMAC-SHA256(HMAC-SHA256(PASSWORD_PEPPER, "ecert.password/1\0" ‖ password), salt, 100 000) → 32 bytes`
//!
//! - 100 000 iterations: workerd's maximum for PBKDF2 (it refuses more), measured in docs/edge.md.
//! - The pepper lives in the Worker's secrets, not in D1: a D1 dump alone gives salts and hashes that cannot be
//!   tested offline without it; with it, each guess costs 100 000 HMAC-SHA256 iterations.
//! - The scheme name and iteration count are stored per account, so a later scheme can re-hash at login.
//! - Login with an unknown account derives a hash all the same ([`DUMMY_SALT`]), so both failures cost the same.

use hmac::{KeyInit as _, Mac as _};
use sha2::Sha256;

use crate::error::{ApiError, ApiResult};

/// PBKDF2 iterations (workerd caps PBKDF2 at 100 000).
pub const ITERATIONS: u32 = 100_000;
/// The stored scheme name.
pub const SCHEME: &str = "pbkdf2-sha256-pepper/1";
/// Salt bytes per account.
pub const SALT_BYTES: usize = 16;
/// The salt of the derivation made for a login to an account that does not exist (timing only; never stored).
pub const DUMMY_SALT: [u8; SALT_BYTES] = *b"ecert.dummy.salt";
/// Shortest pepper accepted.
pub const MIN_PEPPER_BYTES: usize = 16;

/// HMAC-SHA256(pepper, domain ‖ password): what PBKDF2 stretches.
pub fn peppered(pepper: &[u8], password: &str) -> [u8; 32] {
    let Ok(mut mac) = hmac::Hmac::<Sha256>::new_from_slice(pepper) else {
        return [0; 32];
    };
    mac.update(b"ecert.password/1\0");
    mac.update(password.as_bytes());
    mac.finalize().into_bytes().into()
}

/// Derive the stored hash of `password` with `salt` (WebCrypto; wasm only).
pub async fn derive(pepper: &[u8], password: &str, salt: &[u8], iterations: u32) -> ApiResult<[u8; 32]> {
    if !(1..=ITERATIONS).contains(&iterations) {
        return Err(ApiError::internal("password", format!("unsupported iteration count {iterations}")));
    }
    crate::webcrypto::pbkdf2_sha256(&peppered(pepper, password), salt, iterations).await
}

/// Equal 32-byte digests in time independent of where they differ.
pub fn digest_eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pepper_binds_the_input() {
        assert_ne!(peppered(b"pepper-one-0123456", "pw"), peppered(b"pepper-two-0123456", "pw"));
        assert_ne!(peppered(b"pepper-one-0123456", "pw"), peppered(b"pepper-one-0123456", "pw2"));
        assert!(digest_eq(&[7; 32], &[7; 32]));
        let mut b = [7; 32];
        b[31] = 8;
        assert!(!digest_eq(&[7; 32], &b));
    }
}
