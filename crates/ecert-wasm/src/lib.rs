//! # ecert-wasm
//!
//! The browser's door to [`ecert_verify`]: PDF bytes in, verdict JSON (`docs/verdict.md`) out. Thin on purpose —
//! every decision is the core's. The page and the `<ecert-verify>` widget call it from a Web Worker
//! (`www/widget/src/worker.js`); network (edge trust list, status snapshot) stays in JavaScript, and what it
//! learns comes back in as a signed trust list, a signed status snapshot (and delta) or a registry `StatusInput`.
//!
//! Also exports the benchmark floor (SHA-256 over the bytes, an ECDSA P-256 verify — called twice per round by the
//! benchmark, as format v2 has two signatures to check) built from the same crates
//! the core uses, so `scripts/bench-browser.sh` compares like with like.

#![forbid(unsafe_code)]

use ecert_format::StatusInput;
use ecert_verify::{StatusEvidence, VerifiedStatus, VerifiedTrustList, VerifyOptions};
use sha2::{Digest as _, Sha256};
use wasm_bindgen::prelude::*;

/// Install the panic hook (a panic aborts — `panic = "abort"` — but first logs its message to the console).
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// A JavaScript error whose message starts with a stable code: `"CODE: message"`.
fn coded(code: &str, message: impl core::fmt::Display) -> JsError {
    JsError::new(&format!("{code}: {message}"))
}

/// No status (the common case: no edge configured, or the first pass before the edge answers) is decided here,
/// inline; only a status actually given reaches the JSON parser. A fresh wasm instance compiles each function on
/// its first call, so keeping the parser out of the plain `verify` path spares a cold first verify compiling it.
#[inline(always)]
fn parse_status(status_json: Option<&str>) -> Result<StatusInput, JsError> {
    match status_json {
        None | Some("") => Ok(StatusInput::NotChecked),
        Some(s) => parse_status_json(s),
    }
}

#[inline(never)]
fn parse_status_json(s: &str) -> Result<StatusInput, JsError> {
    serde_json::from_str(s).map_err(|e| coded("STATUS_INPUT_INVALID", e))
}

/// A verifier holding one trust list verified under the pinned root, and the newest status snapshot verified
/// under it.
#[wasm_bindgen]
pub struct Verifier {
    trust: VerifiedTrustList,
    /// The signed trust list as given (a receipt carries it verbatim).
    signed: Vec<u8>,
    status: Option<VerifiedStatus>,
}

#[wasm_bindgen]
impl Verifier {
    /// Verify `signed_trust_list_json` (`ecert.signed-trust-list/1`) under the pinned root key
    /// (`root_spki_der`, SubjectPublicKeyInfo DER). `min_sequence` refuses an older list (rollback). Errors carry
    /// the core's stable `TrustError::code()` first: `"TRUST_LIST_BAD_SIGNATURE: …"`.
    #[wasm_bindgen(constructor)]
    pub fn new(signed_trust_list_json: &[u8], root_spki_der: &[u8], min_sequence: f64) -> Result<Verifier, JsError> {
        let min = if min_sequence.is_finite() && min_sequence > 0.0 { min_sequence as u64 } else { 0 };
        VerifiedTrustList::from_signed_json(signed_trust_list_json, root_spki_der, min)
            .map(|trust| Verifier { trust, signed: signed_trust_list_json.to_vec(), status: None })
            .map_err(|e| coded(e.code(), &e))
    }

    /// How many seals the trust list names (see [`Verifier::prepare_seal`]).
    #[wasm_bindgen(getter, js_name = sealCount)]
    pub fn seal_count(&self) -> u32 {
        u32::try_from(self.trust.seal_count()).unwrap_or(u32::MAX)
    }

    /// Verify the chain of the `index`-th seal now (root → CA → seal), so the first file that seal sealed does not
    /// pay for it; the worker calls this while the page is idle. Changes no verdict. Returns whether it verifies.
    #[wasm_bindgen(js_name = prepareSeal)]
    pub fn prepare_seal(&self, index: u32) -> bool {
        self.trust.prepare_seal_chain(index as usize)
    }

    /// The trust list's sequence number.
    #[wasm_bindgen(getter)]
    pub fn sequence(&self) -> f64 {
        self.trust.sequence() as f64
    }

    /// `{"sequence":…,"issued_at":…,"next_update":…,"issuers":[ids…]}` for display.
    #[wasm_bindgen(js_name = trustInfo)]
    pub fn trust_info(&self) -> String {
        let list = self.trust.list();
        serde_json::json!({
            "sequence": list.sequence,
            "issued_at": list.issued_at,
            "next_update": list.next_update,
            "issuers": list.issuers.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(),
        })
        .to_string()
    }

    /// Hold a signed status snapshot (`ecert.status-snapshot/1` bytes) and optionally the delta on top of it,
    /// verified under this trust list. A snapshot older than the one held is refused (`STATUS_SNAPSHOT_ROLLBACK`);
    /// errors start with the core's `SnapshotError::code()`. Returns `statusInfo()`.
    #[wasm_bindgen(js_name = setStatus)]
    pub fn set_status(&mut self, snapshot: &[u8], delta: Option<Vec<u8>>) -> Result<String, JsError> {
        let held = self.status.as_ref().map_or(0, VerifiedStatus::sequence);
        let status =
            VerifiedStatus::new(&self.trust, snapshot, delta.as_deref(), held).map_err(|e| coded(e.code(), &e))?;
        self.status = Some(status);
        Ok(self.status_info())
    }

    /// `{"sequence":…,"issued_at":…,"copies":…,"revoked":…,"max_age":…}` of the snapshot held, or `null`.
    #[wasm_bindgen(js_name = statusInfo)]
    pub fn status_info(&self) -> String {
        match &self.status {
            None => "null".into(),
            Some(s) => {
                let h = s.newest();
                serde_json::json!({
                    "sequence": h.sequence,
                    "kind": h.kind,
                    "issued_at": h.issued_at,
                    "copies": h.copies,
                    "revoked": h.revoked,
                    "max_age": self.trust.list().max_status_age,
                })
                .to_string()
            }
        }
    }

    /// Verify one PDF with the device clock `now_unix` (seconds; the time of check is never before the held
    /// snapshot's signed time). `status_json`: the registry's `StatusInput` (`{"kind":"known",…}`) when asked
    /// online, or nothing. `reveal_id_number`: show 证件号码 unmasked. Returns the verdict JSON.
    pub fn verify(
        &self,
        pdf: &[u8],
        now_unix: f64,
        status_json: Option<String>,
        reveal_id_number: bool,
    ) -> Result<String, JsError> {
        let registry = parse_status(status_json.as_deref())?;
        let options = VerifyOptions { reveal_id_number, ..VerifyOptions::default() };
        let evidence = StatusEvidence { snapshot: self.status.as_ref(), registry: &registry };
        Ok(ecert_verify::verify_with(pdf, &self.trust, now_unix as i64, &evidence, &options).to_json())
    }

    /// A receipt (`ecert.receipt/1` JSON, docs/verdict.md "Receipts") for `pdf` named `file_name`: the file is
    /// verified again, with the same device clock `now_unix` (the `clock` of the verdict shown) under the trust
    /// list and snapshot held now, and the receipt made from that verdict. The caller compares its `verdict.code`
    /// with the card's (they differ only when a newer snapshot arrived in between). No registry answer: a receipt
    /// records what the signed evidence said.
    pub fn receipt(&self, pdf: &[u8], file_name: &str, now_unix: f64, reveal_id_number: bool) -> String {
        let options = VerifyOptions { reveal_id_number, ..VerifyOptions::default() };
        let registry = StatusInput::NotChecked;
        let evidence = StatusEvidence { snapshot: self.status.as_ref(), registry: &registry };
        let verdict = ecert_verify::verify_with(pdf, &self.trust, now_unix as i64, &evidence, &options);
        ecert_verify::Receipt::new(
            &verdict,
            file_name,
            pdf,
            &self.signed,
            concat!("ecert web ", env!("CARGO_PKG_VERSION")),
        )
        .to_json_pretty()
    }
}

/// The largest PDF the core accepts ([`ecert_verify::MAX_INPUT_BYTES`], 16 MiB). `www/build.mjs` reads it from
/// this build and compiles it into the client, which refuses larger files before reading them.
#[wasm_bindgen(js_name = maxInputBytes)]
pub fn max_input_bytes() -> u32 {
    u32::try_from(ecert_verify::MAX_INPUT_BYTES).unwrap_or(u32::MAX)
}

// ---- benchmark floor: the same sha2 and ecert-pki code the core runs -------------------------------------

/// Floor, part 1: SHA-256 over `bytes` in one call (32 bytes out).
#[wasm_bindgen(js_name = floorSha256)]
pub fn floor_sha256(bytes: &[u8]) -> Vec<u8> {
    Sha256::digest(bytes).to_vec()
}

/// Floor, part 1 in one call but fed to the hasher in `chunk`-byte pieces (so the engine can swap in optimised
/// code for the compression function between its calls, inside one wasm call). Benchmark-only.
#[wasm_bindgen(js_name = floorSha256Chunked)]
pub fn floor_sha256_chunked(bytes: &[u8], chunk: usize) -> Vec<u8> {
    let mut h = Sha256::new();
    for c in bytes.chunks(chunk.max(64)) {
        h.update(c);
    }
    h.finalize().to_vec()
}

/// Floor, part 1 in chunks across calls (lets the engine tier the compression function up between calls).
#[wasm_bindgen]
pub struct Sha256Stream {
    inner: Sha256,
}

#[wasm_bindgen]
impl Sha256Stream {
    #[wasm_bindgen(constructor)]
    pub fn new() -> Sha256Stream {
        Sha256Stream { inner: Sha256::new() }
    }
    pub fn update(&mut self, chunk: &[u8]) {
        self.inner.update(chunk);
    }
    pub fn finish(self) -> Vec<u8> {
        self.inner.finalize().to_vec()
    }
}

impl Default for Sha256Stream {
    fn default() -> Self {
        Self::new()
    }
}

/// A fixed P-256 key, message and DER signature (made once with openssl) for the floor's one verify.
const FLOOR_SPKI_HEX: &str = "3059301306072a8648ce3d020106082a8648ce3d03010703420004bf5213221464cda17516f0acf6c9ee98e01a0025429e165696e0296b33b5c44fa8f40976b84ad975dd1549cba46a2d6da5a08a308f4b2bf4da69380d54b273e1";
const FLOOR_SIG_HEX: &str = "3045022100b0562728da4903202c7f83cc510bb469fcd741afb754acb8bc0f6ce2b824c87b022047848387ee19b3b4467dea4a4ef0ae5dffed4414c6316471f835eb98e46c719e";
const FLOOR_MSG: &[u8] = b"ecert wasm floor: one ECDSA P-256 verify";

fn unhex(s: &str) -> Vec<u8> {
    s.as_bytes()
        .chunks(2)
        .filter_map(|p| core::str::from_utf8(p).ok().and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect()
}

/// Floor, part 2: one ECDSA P-256/SHA-256 verify through `ecert_pki::verify_p256_sha256` (what the core uses for
/// the seal's signature). Returns whether it verified (always true; a false means a broken build).
#[wasm_bindgen(js_name = floorEcdsaVerify)]
pub fn floor_ecdsa_verify() -> bool {
    ecert_pki::verify_p256_sha256(&unhex(FLOOR_SPKI_HEX), FLOOR_MSG, &unhex(FLOOR_SIG_HEX)).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floor_vector_verifies() {
        assert!(floor_ecdsa_verify());
        let mut s = Sha256Stream::new();
        s.update(b"ab");
        s.update(b"c");
        assert_eq!(s.finish(), floor_sha256(b"abc"));
        let long = vec![7u8; 100_000];
        assert_eq!(floor_sha256_chunked(&long, 4096), floor_sha256(&long));
    }
}
