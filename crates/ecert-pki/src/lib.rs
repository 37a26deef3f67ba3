//! ecert's X.509 and CMS building blocks.
//!
//! * [`key`]: P-256 key pairs from caller entropy, PKCS#8 / SPKI, key ids,
//!   ECDSA-SHA256 signing and verification.
//! * [`ecdsa_verify`]: the one ECDSA P-256 verification (pure `p256`, or `ring` with the `ring` feature).
//! * [`name`]: `C=CN, O=…, CN=…` names (UTF8String, Chinese-safe).
//! * [`cert_builder`]: root CA, issuing CA and seal certificates.
//! * [`cert_parsed`] / [`cert_chain`]: certificate parsing and one-link chain checks.
//! * [`cms_sign`] / [`cms_verify`]: PAdES detached CMS SignedData (B-T: with a signature time-stamp).
//! * [`tst_info`] / [`time_stamp_token`] / [`time_stamp_protocol`]: RFC 3161 time-stamp tokens — a local TSA,
//!   strict verification, and the request/response of a TSA over HTTP.
//!
//! The crate is pure: no file I/O, no clock and no RNG. Callers pass entropy
//! and times in. It builds for `wasm32-unknown-unknown`, and nothing in it
//! panics on untrusted input; every failure is a [`PkiError`].

#![forbid(unsafe_code)]

pub mod cert_builder;
pub mod cert_chain;
pub mod cert_parsed;
pub mod cert_pem;
pub mod cms_sign;
pub mod cms_verify;
pub mod ecdsa_verify;
pub mod error;
pub mod ess;
pub mod extensions;
pub mod key;
pub mod name;
pub mod oids;
mod raw_der;
pub mod signed_attrs;
pub mod time;
pub mod time_stamp_protocol;
pub mod time_stamp_token;
pub mod tst_info;

pub use cert_builder::{CertIssuer, CertSpec, Profile, build_certificate};
pub use cert_chain::verify_issued_by;
pub use cert_parsed::{CertificateOutline, ParsedCert};
pub use cert_pem::{certificate_from_pem, certificate_to_pem};
pub use cms_sign::{sign_detached, sign_detached_time_stamped};
pub use cms_verify::{Encapsulated, SignedCms, UnsignedAttribute, parse_signed_data};
pub use error::{PkiError, Result};
pub use extensions::KeyUsageBits;
pub use key::{SigningKeyPair, spki_sha256_hex, verify_p256_sha256, verify_p256_sha256_with_key};
pub use name::NameSpec;
/// Re-exported so callers can name the verifying-key type without depending on `p256`.
pub use p256::ecdsa::VerifyingKey;
pub use time_stamp_token::{LocalTsa, MAX_SIGNING_TIME_DRIFT, TimeStamper, VerifiedTimeStamp};
/// Re-exported: private-key PEM is returned in a zeroize-on-drop wrapper.
pub use zeroize::Zeroizing;
