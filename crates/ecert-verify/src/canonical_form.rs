//! One canonical file: a seal whose signature verifies may still be one of many byte-different copies of the
//! same certificate (a high-S twin of the ECDSA signature, extra unsigned attributes, a CRL set, certificates
//! reordered, dropped or repeated, the /Contents padding re-spelled, bytes after the final `%%EOF`). The
//! verifier accepts exactly the shape the issuer writes, so that one certificate copy is one file and its
//! SHA-256 names it (docs/format.md, "One canonical file").

use ecert_format::sealed_file::contents_as_issued;
use ecert_pki::{SignedCms, ecdsa_verify, oids};

use crate::seal_signature::VerifiedSignature;

/// One way a copy differs from what the issuer wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deviation {
    /// The ECDSA signature is the high-S twin (`n − s`) of the one the issuer wrote.
    HighSSignature,
    /// Unsigned attributes other than the one signature time-stamp token.
    UnsignedAttributes,
    /// A `crls` field in the SignedData.
    CrlsPresent,
    /// The certificates are not exactly the seal's and its issuer CA's, once each, in the issuer's order.
    CertificatesNotAsIssued,
    /// The /Contents string is not the issuer's spelling: uppercase hex of the CMS, `0` padding, the reserved size.
    ContentsNotAsIssued,
    /// Bytes after the signed end of the file (after the final `%%EOF` and its EOL).
    BytesAfterEof,
}

impl Deviation {
    /// Stable code (a `canonical` check's code).
    pub fn code(self) -> &'static str {
        match self {
            Deviation::HighSSignature => "HIGH_S_SIGNATURE",
            Deviation::UnsignedAttributes => "UNSIGNED_ATTRIBUTES",
            Deviation::CrlsPresent => "CRLS_PRESENT",
            Deviation::CertificatesNotAsIssued => "CERTIFICATES_NOT_AS_ISSUED",
            Deviation::ContentsNotAsIssued => "CONTENTS_NOT_AS_ISSUED",
            Deviation::BytesAfterEof => "BYTES_AFTER_EOF",
        }
    }

    /// What differs, in Chinese and English.
    pub fn text(self) -> (&'static str, &'static str) {
        match self {
            Deviation::HighSSignature => (
                "签名值被换成了等价的另一种写法（high-S）。",
                "The signature value was replaced by its equivalent high-S twin.",
            ),
            Deviation::UnsignedAttributes => (
                "签名中附加了时间戳以外的未签名属性。",
                "Unsigned attributes other than the time-stamp were added to the signature.",
            ),
            Deviation::CrlsPresent => {
                ("签名中附加了证书撤销列表。", "A certificate revocation list was added to the signature.")
            }
            Deviation::CertificatesNotAsIssued => (
                "签名携带的证书与签发时不同（被删减、重复或调换顺序）。",
                "The certificates carried in the signature differ from those issued (dropped, repeated or reordered).",
            ),
            Deviation::ContentsNotAsIssued => (
                "签名数据的填充或写法与签发时不同。",
                "The signature's padding or hex spelling differs from the issued file.",
            ),
            Deviation::BytesAfterEof => {
                ("文件末尾（%%EOF 之后）追加了字节。", "Bytes were appended after the end of the file (after %%EOF).")
            }
        }
    }
}

/// Compare a verified seal with what the issuer writes. `issued_certificates` are the seal's and its CA's
/// certificates as the trust list holds them (`None` when the seal is not trusted: then that comparison has no
/// reference and is left to the trust check). Returns every deviation found, in a fixed order.
pub fn deviations(pdf: &[u8], signed: &VerifiedSignature, issued_certificates: Option<[&[u8]; 2]>) -> Vec<Deviation> {
    let cms = &signed.cms;
    let mut found = Vec::new();
    if !ecdsa_verify::is_low_s(cms.signature()) {
        found.push(Deviation::HighSSignature);
    }
    if !unsigned_attributes_as_issued(cms) {
        found.push(Deviation::UnsignedAttributes);
    }
    if cms.has_crls() {
        found.push(Deviation::CrlsPresent);
    }
    if let Some(issued) = issued_certificates
        && !certificates_as_issued(cms, issued)
    {
        found.push(Deviation::CertificatesNotAsIssued);
    }
    let token = pdf.get(signed.ranges.contents.start..signed.ranges.contents.end).unwrap_or_default();
    if !contents_as_issued(token, &signed.cms_der) {
        found.push(Deviation::ContentsNotAsIssued);
    }
    if signed.ranges.second.end != pdf.len() {
        found.push(Deviation::BytesAfterEof);
    }
    found
}

/// The one unsigned attribute the issuer writes is the signature time-stamp token (one value). A seal without
/// any is not a deviation here: it is untrusted (`TIMESTAMP_MISSING`).
fn unsigned_attributes_as_issued(cms: &SignedCms) -> bool {
    match cms.unsigned_attributes() {
        [] => true,
        [one] => one.oid == oids::ATTR_SIGNATURE_TIME_STAMP_TOKEN && one.values.len() == 1,
        _ => false,
    }
}

/// The issuer writes the seal's certificate and its CA's, each once, as a DER SET OF (sorted by encoding).
fn certificates_as_issued(cms: &SignedCms, issued: [&[u8]; 2]) -> bool {
    let mut expected = issued;
    expected.sort_unstable();
    let carried: Vec<&[u8]> = cms.certificates().iter().map(|c| c.der()).collect();
    carried.as_slice() == expected.as_slice()
}
