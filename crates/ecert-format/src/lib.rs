//! # ecert-format
//!
//! The contract every part of ecert shares: the qualification registry of 人社厅发〔2021〕97号, the signed
//! certificate record, the signed trust list, and the 加注 (annotation) rules. Pure: no I/O, no clock.
//! See `docs/format.md` in the repository for the normative description.

#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod annotation;
pub mod date;
#[cfg(feature = "holder-input")]
pub mod holder_input;
pub mod id_number;
pub mod record;
pub mod registry;
pub mod sealed_file;
pub mod status;
pub mod status_snapshot;
pub mod trust_list;

pub use annotation::{Annotation, AnnotationState, LedgerEntry, Scenario};
pub use date::{Date, YearMonth};
pub use id_number::{IdNumber, mask_id_number};
pub use record::{CertificateRecord, Holder, IssuerRef, QualificationRef, RECORD_SCHEMA, SealingDayError, Sex};
pub use registry::{Issuer, IssuerKind, Qualification, Registry, Style};
pub use status::{
    CertificateStatus, StatusBucket, StatusEntry, StatusInput, copy_status_id, copy_status_id_hex, parse_status_id,
    status_prefix,
};
pub use status_snapshot::{SnapshotError, SnapshotFile, SnapshotHeader, SnapshotKind};
pub use trust_list::{
    AnnotationRule, SignedTrustList, TrustList, TrustedIssuer, TrustedSeal, TrustedStatusSigner,
    TrustedTimeStampAuthority,
};
