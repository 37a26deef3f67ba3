//! Building and signing status snapshots and deltas on the issuing side (docs/format.md, "Status snapshot").
//!
//! A snapshot is built over every issued copy; the publisher keeps which copies it said were revoked
//! (`<pki>/status/base.json` + `base-revoked.bin`) so that a later delta names only what changed since: copies
//! revoked since, and copies issued since (which the snapshot never saw).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use ecert_format::status_snapshot::{STATUS_SNAPSHOT_SCHEMA, SnapshotFile, SnapshotHeader, SnapshotKind};
use ecert_status_filter::{DELTA_FINGERPRINT_BITS, Key, SNAPSHOT_FINGERPRINT_BITS, StatusFilter};
use serde::{Deserialize, Serialize};

use crate::pki_store::PkiStore;
use crate::register::write_atomic;
use crate::trust_list_builder::STATUS_SIGNER_ID;

/// One issued copy as the registry knows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CopyState {
    pub id: Key,
    pub revoked: bool,
}

/// The last full snapshot this publisher signed: what a delta extends.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PublishedBase {
    pub sequence: u64,
    pub issued_at: i64,
    pub covers_sealed_before: i64,
    /// The newest sequence signed (snapshot or delta).
    pub last_sequence: u64,
}

fn status_dir(store: &PkiStore) -> PathBuf {
    store.dir.join("status")
}

/// The last full snapshot published from this store, with the ids it said were revoked.
pub fn load_base(store: &PkiStore) -> Result<Option<(PublishedBase, HashSet<Key>)>> {
    let dir = status_dir(store);
    let Ok(json) = std::fs::read(dir.join("base.json")) else { return Ok(None) };
    let base: PublishedBase = serde_json::from_slice(&json).context("status/base.json")?;
    let raw = std::fs::read(dir.join("base-revoked.bin")).context("status/base-revoked.bin")?;
    if raw.len() % 32 != 0 {
        bail!("status/base-revoked.bin is not a list of 32-byte ids");
    }
    let revoked = raw.chunks_exact(32).filter_map(|c| <[u8; 32]>::try_from(c).ok()).collect();
    Ok(Some((base, revoked)))
}

/// The sequence the next publication takes: after everything this store signed and everything `seen` (the
/// edge's current sequence).
pub fn next_sequence(store: &PkiStore, seen: u64) -> Result<u64> {
    let last = load_base(store)?.map_or(0, |(b, _)| b.last_sequence);
    Ok(last.max(seen) + 1)
}

/// Build, sign and check a snapshot (`base` = None) or a delta on top of the store's last snapshot. `issued_at`
/// is when the registry was read; every copy in `copies` is covered up to it. Records the publication in the
/// store. Returns the file bytes and its header.
pub fn build(
    store: &PkiStore,
    kind: SnapshotKind,
    copies: &[CopyState],
    sequence: u64,
    issued_at: i64,
) -> Result<(Vec<u8>, SnapshotHeader)> {
    let (key, window) = store.status_signer()?.with_context(|| {
        format!(
            "{} 没有状态签名密钥（先运行 ecert keygen status） / no status key (run `ecert keygen status`)",
            store.dir.display()
        )
    })?;
    if !(window.use_from..window.use_until).contains(&issued_at) {
        bail!("状态签名密钥此时不可用 / the status key is not in use at {issued_at}");
    }
    let base = load_base(store)?;
    let (revoked, not_revoked, bits, base_sequence): (Vec<Key>, Vec<Key>, u8, u64) = match kind {
        SnapshotKind::Snapshot => (
            copies.iter().filter(|c| c.revoked).map(|c| c.id).collect(),
            copies.iter().filter(|c| !c.revoked).map(|c| c.id).collect(),
            SNAPSHOT_FINGERPRINT_BITS,
            sequence,
        ),
        SnapshotKind::Delta => {
            let Some((b, base_revoked)) = &base else {
                bail!("没有可扩展的完整快照 / no snapshot to build a delta on");
            };
            if issued_at < b.issued_at {
                bail!("增量不能早于其快照 / a delta can't be older than its snapshot");
            }
            (
                copies.iter().filter(|c| c.revoked && !base_revoked.contains(&c.id)).map(|c| c.id).collect(),
                copies.iter().filter(|c| !c.revoked).map(|c| c.id).collect(),
                DELTA_FINGERPRINT_BITS,
                b.sequence,
            )
        }
    };
    let filter = StatusFilter::build(&revoked, || not_revoked.iter().copied(), bits)
        .context("状态过滤器无法构建（同一副本既撤销又未撤销？） / the status filter could not be built")?
        .to_bytes();
    let header = SnapshotHeader {
        schema: STATUS_SNAPSHOT_SCHEMA.into(),
        kind,
        signer: STATUS_SIGNER_ID.into(),
        sequence,
        base_sequence,
        issued_at,
        covers_sealed_before: issued_at,
        copies: copies.len() as u64,
        revoked: revoked.len() as u64,
        filter_sha256: SnapshotFile::filter_digest(&filter),
        filter_len: filter.len() as u64,
    };
    let header_bytes = header.to_json();
    let signature = key.sign_prehashed_der(&header_bytes)?;
    let file = SnapshotFile::new(&header, signature, filter);
    // Check our own output before publishing it.
    let bytes = file.to_bytes();
    SnapshotFile::parse(&bytes)?.verify_signature(&key.spki_der()?, window.use_from, window.use_until)?;

    let dir = status_dir(store);
    let record = match (kind, base) {
        (SnapshotKind::Snapshot, _) => {
            let mut ids: Vec<Key> = revoked.clone();
            ids.sort_unstable();
            write_atomic(&dir.join("base-revoked.bin"), &ids.concat())?;
            PublishedBase { sequence, issued_at, covers_sealed_before: issued_at, last_sequence: sequence }
        }
        (SnapshotKind::Delta, Some((b, _))) => PublishedBase { last_sequence: sequence, ..b },
        (SnapshotKind::Delta, None) => bail!("internal: delta without base"),
    };
    write_atomic(&dir.join("base.json"), &serde_json::to_vec_pretty(&record)?)?;
    Ok((bytes, header))
}

/// The local register's copies (`<pki>/copies/`), those of the 管理号s in `<pki>/revoked.json` revoked.
pub fn local_universe(pki: &Path) -> Result<Vec<CopyState>> {
    let revoked = load_local_revocations(pki)?;
    Ok(crate::register::load_copies(pki)?
        .into_iter()
        .map(|(id, mgmt)| CopyState { id, revoked: revoked.contains(&mgmt) })
        .collect())
}

/// The 管理号s revoked in the local register (`<pki>/revoked.json`, a JSON array).
pub fn load_local_revocations(pki: &Path) -> Result<HashSet<String>> {
    match std::fs::read(pki.join("revoked.json")) {
        Ok(b) => Ok(serde_json::from_slice::<Vec<String>>(&b).context("revoked.json")?.into_iter().collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(HashSet::new()),
        Err(e) => Err(e.into()),
    }
}

/// Add 管理号s to the local revocations.
pub fn revoke_locally(pki: &Path, management_numbers: &[String]) -> Result<()> {
    let mut all = load_local_revocations(pki)?;
    all.extend(management_numbers.iter().cloned());
    let mut list: Vec<String> = all.into_iter().collect();
    list.sort();
    write_atomic(&pki.join("revoked.json"), &serde_json::to_vec_pretty(&list)?)
}
