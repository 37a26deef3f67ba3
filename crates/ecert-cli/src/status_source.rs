//! Where `ecert verify --status` gets the signed status snapshot: a file (with an optional delta file), or the
//! edge (`GET /v1/status/snapshot`, then `GET /v1/status/delta`, which may not exist). Either way the bytes are
//! verified under the trust list before use; the edge is never trusted for them.

use std::io::Read as _;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use ecert_format::status_snapshot::MAX_SNAPSHOT_BYTES;
use ecert_verify::{VerifiedStatus, VerifiedTrustList};

const HTTP_TIMEOUT: Duration = Duration::from_secs(20);

/// Load and verify a snapshot (and delta) from `source`: an `http(s)://` edge base URL or a file path.
pub fn load(trust: &VerifiedTrustList, source: &str, delta_file: Option<&Path>) -> Result<VerifiedStatus> {
    let (snapshot, delta) = if source.starts_with("http://") || source.starts_with("https://") {
        if delta_file.is_some() {
            bail!("--status-delta 只能与快照文件同用 / --status-delta goes with a snapshot file, not a URL");
        }
        let base = source.trim_end_matches('/');
        let snapshot = get(&format!("{base}/v1/status/snapshot"))?
            .with_context(|| format!("边缘节点没有状态快照 / the edge has no status snapshot ({base})"))?;
        (snapshot, get(&format!("{base}/v1/status/delta"))?)
    } else {
        let read = |p: &Path| {
            std::fs::read(p)
                .with_context(|| format!("无法读取状态快照 / cannot read the status snapshot {}", p.display()))
        };
        (read(Path::new(source))?, delta_file.map(read).transpose()?)
    };
    VerifiedStatus::new(trust, &snapshot, delta.as_deref(), 0)
        .map_err(|e| anyhow::anyhow!("状态快照无效 / status snapshot refused [{}]: {e}", e.code()))
}

/// GET a snapshot file; `None` on 404.
fn get(url: &str) -> Result<Option<Vec<u8>>> {
    let agent: ureq::Agent =
        ureq::Agent::config_builder().timeout_global(Some(HTTP_TIMEOUT)).http_status_as_error(false).build().into();
    let response = agent.get(url).call().with_context(|| format!("无法连接 / cannot reach {url}"))?;
    match response.status().as_u16() {
        200 => {}
        404 => return Ok(None),
        s => bail!("{url}: HTTP {s}"),
    }
    let mut out = Vec::new();
    response.into_body().into_reader().take(MAX_SNAPSHOT_BYTES as u64 + 1).read_to_end(&mut out)?;
    Ok(Some(out))
}
