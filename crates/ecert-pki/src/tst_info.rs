//! RFC 3161 §2.4.2 `TSTInfo`: what a time-stamping authority asserts — that a hash existed at `genTime`.
//!
//! ```text
//! TSTInfo ::= SEQUENCE {
//!    version          INTEGER { v1(1) },
//!    policy           TSAPolicyId,
//!    messageImprint   MessageImprint,
//!    serialNumber     INTEGER,
//!    genTime          GeneralizedTime,
//!    accuracy         Accuracy              OPTIONAL,
//!    ordering         BOOLEAN               DEFAULT FALSE,
//!    nonce            INTEGER               OPTIONAL,
//!    tsa          [0] GeneralName           OPTIONAL,
//!    extensions   [1] IMPLICIT Extensions   OPTIONAL }
//! MessageImprint ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier, hashedMessage OCTET STRING }
//! ```
//!
//! The profile accepted here: version 1, SHA-256 imprint, a whole-second `genTime` (DER GeneralizedTime without
//! fractions), no `tsa` name and no extensions (a TSTInfo with either does not decode: the type has no field for
//! them). `accuracy` is read and not used: ecert allows the signer's claimed time minutes of slack anyway.

use der::asn1::{GeneralizedTime, Int, OctetString};
use der::{Any, Decode, Sequence};
use spki::AlgorithmIdentifierOwned;

use crate::error::{PkiError, Result};
use crate::oids;

/// `MessageImprint`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct MessageImprint {
    /// SHA-256 (parameters absent or NULL).
    pub hash_algorithm: AlgorithmIdentifierOwned,
    /// The hash of the time-stamped data.
    pub hashed_message: OctetString,
}

impl MessageImprint {
    /// A SHA-256 imprint (parameters absent, the RFC 5754 preferred form).
    pub fn sha256(digest: &[u8; 32]) -> Result<MessageImprint> {
        Ok(MessageImprint {
            hash_algorithm: AlgorithmIdentifierOwned { oid: oids::SHA256, parameters: None },
            hashed_message: OctetString::new(digest.as_slice()).map_err(|_| PkiError::Encoding("messageImprint"))?,
        })
    }

    /// The SHA-256 digest this imprint carries, if it is a SHA-256 imprint.
    pub fn sha256_digest(&self) -> Option<&[u8]> {
        let params_ok = self.hash_algorithm.parameters.as_ref().is_none_or(|p| p.is_null());
        (self.hash_algorithm.oid == oids::SHA256 && params_ok && self.hashed_message.as_bytes().len() == 32)
            .then(|| self.hashed_message.as_bytes())
    }
}

/// `TSTInfo` (see the module documentation for the accepted profile).
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct TstInfo {
    /// Always 1.
    pub version: u8,
    /// The TSA's policy under which the token was issued.
    pub policy: const_oid::ObjectIdentifier,
    /// What was time-stamped.
    pub message_imprint: MessageImprint,
    /// Unique per token of one TSA.
    pub serial_number: Int,
    /// The time of the time-stamp (UTC, whole seconds).
    pub gen_time: GeneralizedTime,
    /// Accuracy (read, not used).
    #[asn1(optional = "true")]
    pub accuracy: Option<Accuracy>,
    /// Ordering: DEFAULT FALSE, so DER writes FALSE as absent; an explicit FALSE is refused on reading.
    #[asn1(optional = "true")]
    pub ordering: Option<bool>,
    /// The requester's nonce, echoed.
    #[asn1(optional = "true")]
    pub nonce: Option<Int>,
}

/// `Accuracy ::= SEQUENCE { seconds INTEGER OPTIONAL, millis [0] INTEGER OPTIONAL, micros [1] INTEGER OPTIONAL }`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct Accuracy {
    /// Whole seconds.
    #[asn1(optional = "true")]
    pub seconds: Option<u32>,
    /// Milliseconds (1..999).
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    pub millis: Option<u16>,
    /// Microseconds (1..999).
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    pub micros: Option<u16>,
}

impl TstInfo {
    /// Decode a TSTInfo from exactly its DER. `der`'s reader accepts only DER (definite minimal lengths, minimal
    /// integers, canonical booleans and times) and nothing after the value; the one DER rule it leaves to the
    /// type is that a DEFAULT value is never encoded (`ordering` FALSE), checked here. (A re-encoding check would
    /// link the whole encoder into the browser's verifier for this one rule.)
    pub fn from_der_strict(der: &[u8]) -> Result<TstInfo> {
        let info = TstInfo::from_der(der).map_err(|_| PkiError::Malformed("TSTInfo"))?;
        if info.ordering == Some(false) {
            return Err(PkiError::Malformed("TSTInfo encodes its DEFAULT ordering"));
        }
        if info.version != 1 {
            return Err(PkiError::UnsupportedVersion);
        }
        Ok(info)
    }

    /// `genTime` as Unix seconds.
    pub fn gen_time_unix(&self) -> Result<i64> {
        i64::try_from(self.gen_time.to_unix_duration().as_secs()).map_err(|_| PkiError::TimeOutOfRange)
    }

    /// The serial number as lowercase hex (its DER content octets).
    pub fn serial_hex(&self) -> String {
        crate::key::hex_lower(self.serial_number.as_bytes())
    }
}

/// A positive INTEGER from big-endian bytes (the top bit of the first byte cleared, never zero), in its minimal
/// DER form: leading zero bytes dropped, one `00` kept in front of a byte with its top bit set. (A non-minimal
/// INTEGER does not decode, so an unlucky serial or nonce — a first byte of `00` or `80` — would otherwise make
/// a token that its own verifier refuses.)
pub(crate) fn positive_int(bytes: &[u8]) -> Result<Int> {
    let mut b = bytes.to_vec();
    if let Some(first) = b.first_mut() {
        *first &= 0x7f;
    }
    let start = b.iter().position(|&x| x != 0).unwrap_or(b.len());
    let mut minimal = b.split_off(start);
    if minimal.is_empty() {
        minimal.push(1);
    }
    if minimal.first().is_some_and(|&x| x & 0x80 != 0) {
        minimal.insert(0, 0);
    }
    Int::new(&minimal).map_err(|_| PkiError::Encoding("INTEGER"))
}

/// Wrap DER as an `Any` (for SET OF Any attribute values and the like).
pub(crate) fn any_of(der: &[u8], what: &'static str) -> Result<Any> {
    Any::from_der(der).map_err(|_| PkiError::Encoding(what))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use der::Encode as _;

    #[test]
    fn positive_ints_are_minimal_der() {
        for bytes in [&[0x00, 0x01, 0xff][..], &[0x80, 0x80], &[0x00, 0x80], &[0x00, 0x00], &[0x7f, 0x00], &[]] {
            let int = positive_int(bytes).unwrap();
            let der = int.to_der().unwrap();
            assert_eq!(Int::from_der(&der).unwrap(), int, "{bytes:02x?} → {der:02x?}");
            let value = int.as_bytes();
            assert!(value.first().is_some_and(|&b| b != 0 || value.get(1).is_some_and(|&n| n & 0x80 != 0)));
        }
    }
}
