//! A trust list verified under the pinned root. Up front: the root's signature over the list, the registry
//! references, every issuer CA certificate (parsed in full: a CA, may sign certificates), and every seal
//! entry's consistency (its key id is its certificate's key, its certificate names the issuer's CA as issuer).
//! On first use, or ahead of time with [`VerifiedTrustList::prepare_seal_chain`]: a seal certificate's full
//! strict parse and the signatures of its chain root → CA → seal. A seal whose certificate fails either is
//! not trusted, so the deferral changes when work happens, never a verdict's direction; it keeps a process
//! that verifies one file from parsing and verifying sixteen certificates it will not use.
//!
//! [`VerifiedTrustList`] can only be built by verifying a signed list, so [`crate::verify`] can never be handed
//! an unverified one.

use ecert_format::trust_list::{TrustListError, decode_der, key_id_of_spki};
use ecert_format::{
    Registry, SignedTrustList, TrustList, TrustedIssuer, TrustedSeal, TrustedStatusSigner, TrustedTimeStampAuthority,
};
use std::sync::OnceLock;

use ecert_pki::{CertificateOutline, ParsedCert, verify_issued_by, verify_p256_sha256};

/// Why a trust list was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TrustError {
    /// The envelope or its signature (see [`TrustListError`]).
    #[error("{0}")]
    List(#[from] TrustListError),
    /// Signed by the root but internally inconsistent: a CA certificate that does not parse or is no CA, a seal
    /// certificate whose outline does not parse or names another issuer, a key id that does not match its
    /// certificate, an issuer or qualification the registry does not know.
    #[error("信任列表内容不一致：{0} / the trust list is inconsistent: {0}")]
    Inconsistent(String),
}

impl TrustError {
    /// Stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            TrustError::List(TrustListError::TooLarge) => "TRUST_LIST_TOO_LARGE",
            TrustError::List(TrustListError::Malformed(_)) => "TRUST_LIST_MALFORMED",
            TrustError::List(TrustListError::Schema) => "TRUST_LIST_SCHEMA",
            TrustError::List(TrustListError::Algorithm) => "TRUST_LIST_ALGORITHM",
            TrustError::List(TrustListError::WrongSigner) => "TRUST_LIST_WRONG_SIGNER",
            TrustError::List(TrustListError::BadSignature) => "TRUST_LIST_BAD_SIGNATURE",
            TrustError::List(TrustListError::BadRootKey) => "TRUST_ROOT_INVALID",
            TrustError::List(TrustListError::Rollback { .. }) => "TRUST_LIST_ROLLBACK",
            TrustError::Inconsistent(_) => "TRUST_LIST_INCONSISTENT",
        }
    }
}

/// A seal entry: its certificate's DER, parsed and chain-checked on first use.
#[derive(Debug)]
pub(crate) struct SealEntry {
    pub(crate) issuer: usize,
    pub(crate) seal: usize,
    der: Vec<u8>,
    /// The full strict parse (`None`: the certificate does not parse, so the seal is not trusted).
    cert: OnceLock<Option<ParsedCert>>,
    /// Root → CA → seal signatures, checked on first use (the list itself is root-signed; these are
    /// consistency checks, deferred so a process that verifies one file does not verify every chain).
    chain_ok: OnceLock<bool>,
}

impl SealEntry {
    fn cert(&self) -> Option<&ParsedCert> {
        self.cert.get_or_init(|| ParsedCert::from_der(&self.der).ok()).as_ref()
    }
}

/// A time-stamping authority entry: its certificate's DER, parsed and checked against the root on first use.
#[derive(Debug)]
pub(crate) struct TsaEntry {
    index: usize,
    der: Vec<u8>,
    /// The full strict parse, if it is a TSA certificate (critical EKU id-kp-timeStamping only, not a CA,
    /// digitalSignature) signed by the pinned root; `None`: not trusted.
    checked: OnceLock<Option<ParsedCert>>,
}

/// A trust list whose root signature, registry references, CA certificates and seal entries have been checked
/// (seal certificates' full parse and chain signatures on first use; see the module documentation).
#[derive(Debug)]
pub struct VerifiedTrustList {
    list: TrustList,
    seals: Vec<SealEntry>,
    tsas: Vec<TsaEntry>,
    /// Each status signer's public key (SPKI DER, a valid P-256 key), in `list.status_signers` order.
    status_keys: Vec<Vec<u8>>,
    /// Each issuer's CA certificate, in `list.issuers` order.
    ca_certificates: Vec<ParsedCert>,
    /// Whether each CA certificate is signed by the pinned root (checked on first use, once per issuer).
    ca_root_signed: Vec<OnceLock<bool>>,
    root_spki: Vec<u8>,
}

impl VerifiedTrustList {
    /// Verify a signed trust list (`ecert.signed-trust-list/1` JSON) under the pinned root public key
    /// (SubjectPublicKeyInfo DER). `min_sequence` is the newest sequence the caller already trusts (0 if none):
    /// an older list is refused (rollback).
    pub fn from_signed_json(
        signed_json: &[u8],
        root_spki_der: &[u8],
        min_sequence: u64,
    ) -> Result<VerifiedTrustList, TrustError> {
        let envelope = SignedTrustList::from_json(signed_json)?;
        let list = envelope.verify(root_spki_der, min_sequence)?;
        Self::check_contents(list, root_spki_der)
    }

    fn check_contents(list: TrustList, root_spki_der: &[u8]) -> Result<VerifiedTrustList, TrustError> {
        let registry = Registry::builtin();
        let bad = |what: String| TrustError::Inconsistent(what);
        let mut seals = Vec::new();
        let mut seal_key_ids: Vec<String> = Vec::new();
        let mut ca_certificates = Vec::new();
        if list.next_update <= list.issued_at {
            return Err(bad("next_update is not after issued_at".into()));
        }
        if !list.annotation_rule.is_within_format() {
            return Err(bad("the annotation rule is outside the format's bounds (window 1 to 90 days)".into()));
        }
        if !ecert_format::trust_list::STATUS_AGE_BOUNDS.contains(&list.max_status_age) {
            return Err(bad("max_status_age is outside 60 s to 7 days".into()));
        }
        let mut status_keys = Vec::new();
        for signer in &list.status_signers {
            let spki = decode_der(&signer.public_key)?;
            if ecert_pki::key::p256_verifying_key_from_spki(&spki).is_err() {
                return Err(bad(format!("status signer {:?}: not a P-256 public key", signer.id)));
            }
            if key_id_of_spki(&spki) != signer.key_id {
                return Err(bad(format!("status signer {:?}: key id does not match its key", signer.id)));
            }
            if list.status_signers.iter().filter(|o| o.id == signer.id || o.key_id == signer.key_id).count() != 1 {
                return Err(bad(format!("status signer {:?} listed twice", signer.id)));
            }
            if signer.use_from >= signer.use_until {
                return Err(bad(format!("status signer {:?}: empty use window", signer.id)));
            }
            status_keys.push(spki);
        }
        let mut tsas = Vec::new();
        for (index, tsa) in list.time_stamp_authorities.iter().enumerate() {
            let der = decode_der(&tsa.certificate)?;
            let outline = CertificateOutline::locate(&der).map_err(|e| bad(format!("TSA {:?}: {e}", tsa.id)))?;
            if key_id_of_spki(outline.spki) != tsa.key_id {
                return Err(bad(format!("TSA {:?}: key id does not match its certificate", tsa.id)));
            }
            if list.time_stamp_authorities.iter().filter(|o| o.id == tsa.id || o.key_id == tsa.key_id).count() != 1 {
                return Err(bad(format!("TSA {:?} listed twice", tsa.id)));
            }
            if tsa.use_from >= tsa.use_until {
                return Err(bad(format!("TSA {:?}: empty use window", tsa.id)));
            }
            tsas.push(TsaEntry { index, der, checked: OnceLock::new() });
        }
        for (i, issuer) in list.issuers.iter().enumerate() {
            let Some(known) = registry.issuer(&issuer.id) else {
                return Err(bad(format!("unknown issuer {:?}", issuer.id)));
            };
            if known.kind != issuer.kind {
                return Err(bad(format!("issuer {:?}: kind differs from the registry", issuer.id)));
            }
            if list.issuers.iter().filter(|o| o.id == issuer.id).count() != 1 {
                return Err(bad(format!("issuer {:?} listed twice", issuer.id)));
            }
            // An issuer may list only qualifications the registry gives its seal (the 24 / 7 split).
            for code in &issuer.qualifications {
                if registry.qualification(code).is_none_or(|q| q.issuer != issuer.id) {
                    return Err(bad(format!("issuer {:?} may not seal qualification {code:?}", issuer.id)));
                }
            }
            let ca_der = decode_der(&issuer.ca_certificate)?;
            let ca = ParsedCert::from_der(&ca_der).map_err(|e| bad(format!("issuer {:?} CA: {e}", issuer.id)))?;
            if !ca.is_ecdsa_sha256_signed()
                || !ca.is_ca()
                || !ca.key_usage().is_some_and(|ku| ku.key_cert_sign())
                || ca.has_unknown_critical_extension()
            {
                return Err(bad(format!("issuer {:?} CA is not a CA certificate", issuer.id)));
            }
            for (j, seal) in issuer.seals.iter().enumerate() {
                let der = decode_der(&seal.certificate)?;
                let outline =
                    CertificateOutline::locate(&der).map_err(|e| bad(format!("seal {:?}: {e}", seal.key_id)))?;
                let key_id = key_id_of_spki(outline.spki);
                if key_id != seal.key_id {
                    return Err(bad(format!("seal {:?}: key id does not match its certificate", seal.key_id)));
                }
                if seal_key_ids.contains(&key_id) {
                    return Err(bad(format!("seal {:?} listed twice", seal.key_id)));
                }
                seal_key_ids.push(key_id);
                if outline.issuer != ca.subject_der() {
                    return Err(bad(format!("seal {:?} is not issued by issuer {:?}'s CA", seal.key_id, issuer.id)));
                }
                if seal.use_from >= seal.use_until {
                    return Err(bad(format!("seal {:?}: empty use window", seal.key_id)));
                }
                seals.push(SealEntry { issuer: i, seal: j, der, cert: OnceLock::new(), chain_ok: OnceLock::new() });
            }
            ca_certificates.push(ca);
        }
        let ca_root_signed = ca_certificates.iter().map(|_| OnceLock::new()).collect();
        Ok(VerifiedTrustList {
            list,
            seals,
            tsas,
            status_keys,
            ca_certificates,
            ca_root_signed,
            root_spki: root_spki_der.to_vec(),
        })
    }

    /// The verified payload.
    pub fn list(&self) -> &TrustList {
        &self.list
    }

    /// The list's sequence number (for rollback protection by the caller).
    pub fn sequence(&self) -> u64 {
        self.list.sequence
    }

    /// How many seals the list names (over all issuers), for [`Self::prepare_seal_chain`].
    pub fn seal_count(&self) -> usize {
        self.seals.len()
    }

    /// Verify the chain (root → CA → seal signatures) of the `index`-th seal now instead of on the first file it
    /// sealed; the result is kept, exactly as a first use would keep it, so this changes no verdict — only when
    /// the work happens (the browser does it while the page is idle). Returns whether the chain verifies; `false`
    /// for an index out of range.
    pub fn prepare_seal_chain(&self, index: usize) -> bool {
        self.seals.get(index).is_some_and(|entry| self.chain_verified(entry))
    }

    /// Parse every seal certificate and verify every chain now, and refuse the list if any fails: for a
    /// publisher, which must not hand verifiers a list with a seal they would not trust (a verifier only
    /// finds that out when a document with that seal arrives). Costs two ECDSA verifies per seal.
    pub fn check_every_seal(&self) -> Result<(), TrustError> {
        if let Some(entry) = self.tsas.iter().find(|entry| self.tsa_checked(entry).is_none()) {
            let id = self.list.time_stamp_authorities.get(entry.index).map_or("?", |t| t.id.as_str());
            return Err(TrustError::Inconsistent(format!(
                "TSA {id:?}: its certificate does not parse, is not a TSA certificate, or is not signed by the root"
            )));
        }
        match self.seals.iter().find(|entry| !self.chain_verified(entry)) {
            None => Ok(()),
            Some(entry) => {
                let key_id = self.listed(entry).map_or("?", |(_, seal)| seal.key_id.as_str());
                Err(TrustError::Inconsistent(format!(
                    "seal {key_id:?}: its certificate does not parse or does not chain to the root"
                )))
            }
        }
    }

    /// The status signer with `id` and its public key (SPKI DER).
    pub fn status_signer(&self, id: &str) -> Option<(&TrustedStatusSigner, &[u8])> {
        let i = self.list.status_signers.iter().position(|s| s.id == id)?;
        Some((self.list.status_signers.get(i)?, self.status_keys.get(i)?.as_slice()))
    }

    /// The CA certificate of the issuer with `issuer_id`.
    pub(crate) fn ca_certificate_of(&self, issuer_id: &str) -> Option<&ParsedCert> {
        let i = self.list.issuers.iter().position(|x| x.id == issuer_id)?;
        self.ca_certificates.get(i)
    }

    /// The listed time-stamping authority whose certificate is byte-identical to `cert_der`, if that certificate
    /// is a TSA certificate signed by the pinned root.
    pub(crate) fn tsa_for_certificate(&self, cert_der: &[u8]) -> Option<(&TrustedTimeStampAuthority, &ParsedCert)> {
        let entry = self.tsas.iter().find(|t| t.der == cert_der)?;
        let cert = self.tsa_checked(entry)?;
        Some((self.list.time_stamp_authorities.get(entry.index)?, cert))
    }

    /// The TSA entry's certificate, if it parses as a TSA certificate (RFC 3161 §2.3) signed by the root.
    fn tsa_checked<'a>(&self, entry: &'a TsaEntry) -> Option<&'a ParsedCert> {
        entry
            .checked
            .get_or_init(|| {
                let cert = ParsedCert::from_der(&entry.der).ok()?;
                let is_tsa = cert.is_time_stamping_only()
                    && !cert.is_ca()
                    && cert.key_usage().is_some_and(|ku| ku.digital_signature())
                    && !cert.has_unknown_critical_extension()
                    && cert.is_ecdsa_sha256_signed();
                let root_signed = cert
                    .signature_bytes()
                    .is_some_and(|sig| verify_p256_sha256(&self.root_spki, cert.tbs_der(), sig).is_ok());
                (is_tsa && root_signed).then_some(cert)
            })
            .as_ref()
    }

    /// Whether the seal entry's chain verifies: the issuer CA signed by the pinned root, the seal certificate by
    /// the CA (computed once per entry; the CA's root signature once per issuer).
    fn chain_verified(&self, entry: &SealEntry) -> bool {
        *entry.chain_ok.get_or_init(|| {
            let (Some(ca), Some(root_signed)) =
                (self.ca_certificates.get(entry.issuer), self.ca_root_signed.get(entry.issuer))
            else {
                return false;
            };
            let root_signed = *root_signed.get_or_init(|| {
                ca.signature_bytes().is_some_and(|sig| verify_p256_sha256(&self.root_spki, ca.tbs_der(), sig).is_ok())
            });
            root_signed && entry.cert().is_some_and(|cert| verify_issued_by(cert, ca).is_ok())
        })
    }

    /// The trusted seal whose certificate is byte-identical to `cert_der` and whose chain to the root verifies,
    /// with its issuer.
    pub(crate) fn seal_for_certificate(&self, cert_der: &[u8]) -> Option<(&TrustedIssuer, &TrustedSeal, &ParsedCert)> {
        let entry = self.seals.iter().find(|s| s.der == cert_der)?;
        if !self.chain_verified(entry) {
            return None;
        }
        let (issuer, seal) = self.listed(entry)?;
        Some((issuer, seal, entry.cert()?))
    }

    /// The issuer and seal of the list that `entry` stands for.
    fn listed(&self, entry: &SealEntry) -> Option<(&TrustedIssuer, &TrustedSeal)> {
        let issuer = self.list.issuers.get(entry.issuer)?;
        Some((issuer, issuer.seals.get(entry.seal)?))
    }
}
