//! Building and signing the trust list from the key store.

use std::path::Path;

use anyhow::{Context as _, Result};
use ecert_format::trust_list::{TRUST_LIST_SCHEMA, encode_der, key_id_of_spki};
use ecert_format::{
    AnnotationRule, Registry, SignedTrustList, TrustList, TrustedIssuer, TrustedSeal, TrustedStatusSigner,
    TrustedTimeStampAuthority,
};
use ecert_pki::ParsedCert;

use crate::pki_store::PkiStore;

/// How old a status snapshot may be unless the publisher says otherwise: one day, the daily snapshot's period.
pub const DEFAULT_MAX_STATUS_AGE: i64 = 86_400;

/// The id of the store's status signer in the trust list.
pub const STATUS_SIGNER_ID: &str = "ecert-status";

/// Build the trust list payload for every issuer with a CA in the store, the store's TSA and status signer,
/// `rule` and `max_status_age`.
pub fn build(
    store: &PkiStore,
    sequence: u64,
    (issued_at, next_update): (i64, i64),
    rule: AnnotationRule,
    max_status_age: i64,
) -> Result<TrustList> {
    let registry = Registry::builtin();
    let root = store.root_cert()?;
    let root_spki = ParsedCert::from_der(&root)?.spki_der().to_vec();
    let mut issuers = Vec::new();
    for id in store.issuer_ids() {
        let info = registry.issuer(&id).with_context(|| format!("未知的发证机构 / unknown issuer {id}"))?;
        let ca = store.issuer_ca_cert(&id)?;
        let mut seals = Vec::new();
        for s in store.seals(&id)? {
            let cert = store.seal_cert(&s)?;
            let parsed = ParsedCert::from_der(&cert)?;
            seals.push(TrustedSeal {
                key_id: key_id_of_spki(parsed.spki_der()),
                certificate: encode_der(&cert),
                use_from: s.window.use_from,
                use_until: s.window.use_until,
            });
        }
        issuers.push(TrustedIssuer {
            id: id.clone(),
            kind: info.kind,
            name_zh: info.name_zh.clone(),
            name_en: info.name_en.clone(),
            seal_name_zh: info.seal_name_zh.clone(),
            ca_certificate: encode_der(&ca),
            qualifications: registry.qualifications_of(&id).map(|q| q.code.clone()).collect(),
            seals,
        });
    }
    let mut time_stamp_authorities = Vec::new();
    if let Some((cert, window)) = store.tsa_certificate()? {
        let parsed = ParsedCert::from_der(&cert)?;
        time_stamp_authorities.push(TrustedTimeStampAuthority {
            id: "ecert-tsa".into(),
            name_zh: "ecert 可信时间戳服务".into(),
            name_en: "ecert time-stamping authority".into(),
            key_id: key_id_of_spki(parsed.spki_der()),
            certificate: encode_der(&cert),
            use_from: window.use_from,
            use_until: window.use_until,
        });
    }
    let mut status_signers = Vec::new();
    if let Some((key, window)) = store.status_signer()? {
        let spki = key.spki_der()?;
        status_signers.push(TrustedStatusSigner {
            id: STATUS_SIGNER_ID.into(),
            name_zh: "ecert 证书状态快照".into(),
            name_en: "ecert certificate status snapshots".into(),
            key_id: key_id_of_spki(&spki),
            public_key: encode_der(&spki),
            use_from: window.use_from,
            use_until: window.use_until,
        });
    }
    Ok(TrustList {
        schema: TRUST_LIST_SCHEMA.to_owned(),
        sequence,
        issued_at,
        next_update,
        root_key_id: key_id_of_spki(&root_spki),
        annotation_rule: rule,
        issuers,
        time_stamp_authorities,
        status_signers,
        max_status_age,
    })
}

/// Sign a payload with the root key.
pub fn sign(store: &PkiStore, list: &TrustList) -> Result<SignedTrustList> {
    let root = store.root()?;
    let payload = list.to_json();
    let sig = root.key.sign_prehashed_der(&payload)?;
    let spki = root.key.spki_der()?;
    let signed = SignedTrustList::new(&payload, &sig, &spki);
    // Check our own output before publishing it.
    signed.verify(&spki, 0).context("刚签发的信任列表未通过验证 / the freshly signed trust list does not verify")?;
    Ok(signed)
}

/// The existing signed list at `path`, if any (verified under the store's root).
pub fn previous(path: &Path, root_spki: &[u8]) -> Option<TrustList> {
    let bytes = std::fs::read(path).ok()?;
    SignedTrustList::from_json(&bytes).ok()?.verify(root_spki, 0).ok()
}

/// The annotation rule the issuing side applies: the one its published trust list (`<pki>/trust-list.json`)
/// states — the rule verifiers apply — or the official rule before a list exists.
pub fn annotation_rule(store: &PkiStore) -> Result<AnnotationRule> {
    let root_spki = ParsedCert::from_der(&store.root_cert()?)?.spki_der().to_vec();
    Ok(previous(&store.dir.join("trust-list.json"), &root_spki)
        .map_or_else(AnnotationRule::official, |l| l.annotation_rule))
}
