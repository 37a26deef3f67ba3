//! # ecert-verify
//!
//! The one verifier of ecert: the CLI, the browser widget (through `ecert-wasm`) and the edge worker all call
//! [`verify`]. Input: the PDF bytes, a trust list already verified under the pinned root
//! ([`VerifiedTrustList`]), the time of check, and whatever the caller knows about the certificate's status.
//! Output: a [`Verdict`] — an overall [`VerdictCode`] plus each check's own result, the fields of the signed
//! record and the annotation window. See `docs/verdict.md`.
//!
//! Pure: no I/O, no clock, no global mutable state; it compiles for `wasm32-unknown-unknown`. Total: every
//! input, however malformed, gets a verdict; nothing unclear is ever `VALID` (fail closed).
//!
//! Checks, in order (each in its own module):
//! 1. structure — [`ecert_pdf_structure::walk`] (strict, budgeted; no repair);
//! 2. the certification signature in the first revision ([`signature_field`]), its /ByteRange and CMS
//!    ([`seal_signature`]);
//! 3. modifications after the certified revision ([`modification`]);
//! 4. trust of the seal key at the time its trusted RFC 3161 time-stamp proves ([`trust`], [`seal_signature`]),
//!    under a trust list that has not expired;
//! 5. the copy is the one canonical file the issuer writes ([`canonical_form`]);
//! 6. authorization of the seal for this record at that time;
//! 7. the record embedded in the signed revision ([`embedded_record`]) and the trust list's 加注 rule;
//! 8. the status of this exact copy: the signed status snapshot ([`VerifiedStatus`]) and/or the registry's
//!    answer ([`StatusEvidence`]).
//!
//! Before all of them, the device clock is checked against the snapshot's signed time (the time of check is
//! never earlier).
//!
//! `VALID` is built positively: only when every required check ran and passed.

#![forbid(unsafe_code)]

pub mod canonical_form;
pub mod embedded_record;
pub mod messages;
pub mod modification;
pub mod receipt;
pub mod seal_signature;
pub mod signature_field;
pub mod status_check;
pub mod status_evidence;
pub mod trust;
pub mod verdict;
mod verifier;

pub use ecert_format::{CertificateStatus, StatusInput};
pub use ecert_pdf_structure::Budget;
pub use receipt::{Receipt, ReceiptCheck, check_receipt};
pub use status_check::StatusEvidence;
pub use status_evidence::{SnapshotAnswer, SnapshotEvidence, VerifiedStatus};
pub use trust::{TrustError, VerifiedTrustList};
pub use verdict::{
    AnnotationView, CertificateView, Check, CheckId, FileFacts, Modification, Outcome, SealView, SnapshotView,
    StatusView, VERDICT_SCHEMA, Verdict, VerdictCode, VerdictState,
};
pub use verifier::{VerifyOptions, verify, verify_with};

/// The largest PDF the verifier accepts, in bytes (16 MiB): [`Budget::default`]'s `max_file_size`. A larger input
/// gets a `MALFORMED` verdict (`FILE_TOO_LARGE`) without being parsed; bindings use this constant to refuse such
/// files before even reading them (the browser client, `POST /v1/verify`).
pub const MAX_INPUT_BYTES: usize = 16 * 1024 * 1024;

#[cfg(test)]
mod tests {
    #[test]
    fn max_input_bytes_is_the_default_budget() {
        assert_eq!(super::MAX_INPUT_BYTES, super::Budget::default().max_file_size);
    }
}
