//! The RFC 3161 request and response (§2.4.1, §2.4.2), for asking a time-stamping authority over HTTP
//! (`application/timestamp-query` → `application/timestamp-reply`). The transport is the caller's; this module
//! only encodes the request and checks that a response grants a token for exactly that request.
//!
//! ```text
//! TimeStampReq ::= SEQUENCE { version INTEGER { v1(1) }, messageImprint MessageImprint,
//!     reqPolicy TSAPolicyId OPTIONAL, nonce INTEGER OPTIONAL, certReq BOOLEAN DEFAULT FALSE,
//!     extensions [0] IMPLICIT Extensions OPTIONAL }
//! TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken TimeStampToken OPTIONAL }
//! PKIStatusInfo ::= SEQUENCE { status PKIStatus, statusString PKIFreeText OPTIONAL,
//!     failInfo PKIFailureInfo OPTIONAL }
//! ```

use der::asn1::Int;
use der::{Decode, Encode, Sequence};

use crate::error::{PkiError, Result};
use crate::raw_der;
use crate::time_stamp_token::{VerifiedTimeStamp, verify};
use crate::tst_info::{MessageImprint, positive_int};

/// Largest response accepted, in bytes.
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;

/// `TimeStampReq` as ecert sends it: no policy, a nonce, `certReq` TRUE (the token must carry the TSA's
/// certificate), no extensions.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
struct TimeStampReq {
    version: u8,
    message_imprint: MessageImprint,
    nonce: Int,
    cert_req: bool,
}

/// The DER of a request for a token over `imprint_sha256`, with `nonce` (caller entropy, e.g. 8 random bytes).
pub fn request_der(imprint_sha256: &[u8; 32], nonce: &[u8]) -> Result<Vec<u8>> {
    let req = TimeStampReq {
        version: 1,
        message_imprint: MessageImprint::sha256(imprint_sha256)?,
        nonce: positive_int(nonce)?,
        cert_req: true,
    };
    req.to_der().map_err(|_| PkiError::Encoding("TimeStampReq"))
}

/// The nonce as it appears in the request (and must be echoed in the token): `nonce` made a positive INTEGER.
pub fn request_nonce(nonce: &[u8]) -> Result<Vec<u8>> {
    Ok(positive_int(nonce)?.as_bytes().to_vec())
}

/// PKIStatus values that carry a token (RFC 3161 §2.4.2: granted, grantedWithMods).
const GRANTED: [u8; 2] = [0, 1];

/// Check a `TimeStampResp` for the request made with `imprint_sha256` and `nonce`, and return the token (DER
/// ContentInfo) with what it says. A refusal, a missing token, a token over another imprint or with another
/// nonce, or one that does not verify, is an error.
pub fn token_from_response(
    response_der: &[u8],
    imprint_sha256: &[u8; 32],
    nonce: &[u8],
) -> Result<(Vec<u8>, VerifiedTimeStamp)> {
    if response_der.len() > MAX_RESPONSE_BYTES {
        return Err(PkiError::TooLarge { len: response_der.len(), limit: MAX_RESPONSE_BYTES });
    }
    let resp = raw_der::read_single_tlv(response_der, "TimeStampResp")?;
    if resp.tag_byte != 0x30 {
        return Err(PkiError::Malformed("TimeStampResp"));
    }
    let fields = raw_der::children(&resp, "TimeStampResp")?;
    let (status_info, token) = match fields.as_slice() {
        [status] => (status, None),
        [status, token] => (status, Some(token)),
        _ => return Err(PkiError::Malformed("TimeStampResp")),
    };
    let status_fields = raw_der::children(status_info, "PKIStatusInfo")?;
    let status_tlv = status_fields.first().ok_or(PkiError::Malformed("PKIStatusInfo"))?;
    let status = u8::from_der(status_tlv.whole).map_err(|_| PkiError::Malformed("PKIStatus"))?;
    if !GRANTED.contains(&status) {
        return Err(PkiError::TimeStampFailed(format!("the TSA refused the request (PKIStatus {status})")));
    }
    let token = token.ok_or_else(|| PkiError::TimeStampFailed("granted without a token".into()))?;
    let stamp = verify(token.whole, imprint_sha256)?;
    if stamp.nonce.as_deref() != Some(request_nonce(nonce)?.as_slice()) {
        return Err(PkiError::TimeStampFailed("the token does not echo the request's nonce".into()));
    }
    Ok((token.whole.to_vec(), stamp))
}
