//! `ecert status snapshot` (from the local register) and `ecert status publish` (from the edge's registry, back
//! to the edge): the issuing side of the signed status snapshot. The status key stays here; the edge only
//! stores and serves what this signs.

use std::io::Read as _;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use ecert_format::status_snapshot::{STATUS_SNAPSHOT_MEDIA_TYPE, SnapshotFile, SnapshotKind};
use sha2::{Digest as _, Sha256};

use crate::StatusCommand;
use crate::clock;
use crate::pki_store::PkiStore;
use crate::register::write_atomic;
use crate::status_snapshot_builder::{self as builder, CopyState};

/// Bytes per copy in a universe page (`GET /v1/admin/status/universe`): id (32) | flags (1) | registered_at (8) |
/// revoked_at (8).
const UNIVERSE_RECORD_LEN: usize = 49;
const MAX_UNIVERSE_PAGE: u64 = 64 * 1024 * 1024;
const HTTP_TIMEOUT: Duration = Duration::from_secs(60);

pub fn run(what: StatusCommand) -> Result<ExitCode> {
    match what {
        StatusCommand::Snapshot { pki, out, revoke, delta, at } => {
            let store = PkiStore::new(&pki);
            if !revoke.is_empty() {
                builder::revoke_locally(&pki, &revoke)?;
            }
            let at = at.as_deref().map(clock::parse_instant).transpose()?.unwrap_or_else(clock::now_unix);
            let copies = builder::local_universe(&pki)?;
            let kind = if delta { SnapshotKind::Delta } else { SnapshotKind::Snapshot };
            let sequence = builder::next_sequence(&store, 0)?;
            let (bytes, h) = builder::build(&store, kind, &copies, sequence, at)?;
            let name = if delta { "delta.bin" } else { "snapshot.bin" };
            let out = out.unwrap_or_else(|| pki.join("status").join(name));
            write_atomic(&out, &bytes)?;
            println!(
                "状态{}已签署 status {} signed: {} (no. {}, {} copies, {} revoked, {} bytes)",
                if delta { "增量" } else { "快照" },
                if delta { "delta" } else { "snapshot" },
                out.display(),
                h.sequence,
                h.copies,
                h.revoked,
                bytes.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        StatusCommand::Publish { pki, edge, token, every, full_every } => {
            let store = PkiStore::new(&pki);
            let edge = edge.trim_end_matches('/').to_owned();
            let mut last_digest: Option<[u8; 32]> = None;
            let mut last_issued = i64::MIN;
            loop {
                match publish_once(&store, &edge, &token, full_every, last_digest, last_issued, every.is_some()) {
                    Ok(Some((digest, issued))) => {
                        last_digest = Some(digest);
                        last_issued = issued;
                    }
                    Ok(None) => {}
                    Err(e) if every.is_some() => eprintln!("状态发布失败 status publish failed: {e:#}"),
                    Err(e) => return Err(e),
                }
                let Some(secs) = every else { return Ok(ExitCode::SUCCESS) };
                std::thread::sleep(Duration::from_secs(secs.max(1)));
            }
        }
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().timeout_global(Some(HTTP_TIMEOUT)).http_status_as_error(false).build().into()
}

/// Every copy the edge has registered, and the edge's time at the first read.
fn fetch_universe(edge: &str, token: &str) -> Result<(Vec<CopyState>, i64, [u8; 32])> {
    let agent = agent();
    let mut copies = Vec::new();
    let mut after: Option<String> = None;
    let mut as_of = None;
    let mut digest = Sha256::new();
    loop {
        let url = match &after {
            None => format!("{edge}/v1/admin/status/universe"),
            Some(a) => format!("{edge}/v1/admin/status/universe?after={a}"),
        };
        let resp = agent
            .get(&url)
            .header("Authorization", &format!("Bearer {token}"))
            .call()
            .with_context(|| format!("无法连接 / cannot reach {url}"))?;
        if resp.status().as_u16() != 200 {
            let code = resp.status().as_u16();
            let mut text = String::new();
            resp.into_body().into_reader().take(4096).read_to_string(&mut text).ok();
            bail!("{url}: HTTP {code} {text}");
        }
        let header = |name: &str| resp.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        if as_of.is_none() {
            as_of = header("x-ecert-as-of").and_then(|s| s.parse::<i64>().ok());
            if let Some(n) = header("x-ecert-certificates-without-copies").filter(|n| n != "0") {
                eprintln!(
                    "警告 warning: {n} 张证书没有登记副本（重新登记后才在快照中） / {n} certificates have no registered copy \
                     (re-register them: docs/edge.md, migrating to record-bound status ids)"
                );
            }
        }
        let next = header("x-ecert-next-after");
        let mut body = Vec::new();
        resp.into_body().into_reader().take(MAX_UNIVERSE_PAGE).read_to_end(&mut body)?;
        if body.len() % UNIVERSE_RECORD_LEN != 0 {
            bail!("{url}: a universe page is not a whole number of {UNIVERSE_RECORD_LEN}-byte records");
        }
        digest.update(&body);
        for rec in body.chunks_exact(UNIVERSE_RECORD_LEN) {
            let (id, rest) = rec.split_at(32);
            let id: [u8; 32] = id.try_into()?;
            copies.push(CopyState { id, revoked: rest.first().is_some_and(|f| f & 1 == 1) });
        }
        match next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    let as_of = as_of.context("the edge did not say when it read the registry (x-ecert-as-of)")?;
    Ok((copies, as_of, digest.finalize().into()))
}

/// A published file's sequence and signed issue time.
type Published = (u64, i64);

/// The edge's current snapshot and delta (sequence and issue time), if any.
fn edge_current(edge: &str) -> Result<(Option<Published>, Option<u64>)> {
    let agent = agent();
    let header_of = |path: &str| -> Result<Option<Published>> {
        let resp = agent.get(&format!("{edge}{path}")).call()?;
        if resp.status().as_u16() != 200 {
            return Ok(None);
        }
        let mut body = Vec::new();
        resp.into_body().into_reader().take(MAX_UNIVERSE_PAGE).read_to_end(&mut body)?;
        let f = SnapshotFile::parse(&body)?;
        Ok(Some((f.header.sequence, f.header.issued_at)))
    };
    Ok((header_of("/v1/status/snapshot")?, header_of("/v1/status/delta")?.map(|(s, _)| s)))
}

/// Publish when the registry changed since the last publication of this process, or when the last one is older
/// than a quarter of a day (so verifiers never hold a snapshot older than `max_status_age` for lack of change).
/// Returns the universe digest and issue time of what was published.
fn publish_once(
    store: &PkiStore,
    edge: &str,
    token: &str,
    full_every: i64,
    last_digest: Option<[u8; 32]>,
    last_issued: i64,
    quiet: bool,
) -> Result<Option<([u8; 32], i64)>> {
    let (copies, as_of, digest) = fetch_universe(edge, token)?;
    if last_digest == Some(digest) && as_of.saturating_sub(last_issued) < 6 * 3600 {
        return Ok(None);
    }
    let (snapshot, delta) = edge_current(edge)?;
    let seen = snapshot.map_or(0, |s| s.0).max(delta.unwrap_or(0));
    let sequence = builder::next_sequence(store, seen)?;
    let base = builder::load_base(store)?.map(|(b, _)| b);
    let delta_ok = matches!((&base, snapshot), (Some(b), Some((edge_seq, _))) if b.sequence == edge_seq
        && as_of.saturating_sub(b.issued_at) < full_every);
    let kind = if delta_ok { SnapshotKind::Delta } else { SnapshotKind::Snapshot };
    let (bytes, h) = builder::build(store, kind, &copies, sequence, as_of)?;
    let resp = agent()
        .put(&format!("{edge}/v1/admin/status/snapshot"))
        .header("Authorization", &format!("Bearer {token}"))
        .header("Content-Type", STATUS_SNAPSHOT_MEDIA_TYPE)
        .send(&bytes[..])?;
    let code = resp.status().as_u16();
    if !(200..300).contains(&code) {
        let mut text = String::new();
        resp.into_body().into_reader().take(4096).read_to_string(&mut text).ok();
        bail!("PUT {edge}/v1/admin/status/snapshot: HTTP {code} {text}");
    }
    if !quiet || last_digest != Some(digest) {
        println!(
            "状态{}已发布 status {} published: no. {} ({} copies, {} revoked, {} bytes) → {edge}",
            if kind == SnapshotKind::Delta { "增量" } else { "快照" },
            if kind == SnapshotKind::Delta { "delta" } else { "snapshot" },
            h.sequence,
            h.copies,
            h.revoked,
            bytes.len()
        );
    }
    Ok(Some((digest, h.issued_at)))
}
