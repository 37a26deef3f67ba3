//! Where the seal's RFC 3161 time-stamp comes from: the issuing side's own TSA key (`pki/tsa`, in process), or
//! a time-stamping authority over HTTP(S) (`--tsa-url`, `application/timestamp-query`). Either way the token is
//! checked before it is embedded (ecert-pki), and the verifier trusts it only if the trust list names its TSA.

use std::io::Read as _;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, Result};
use ecert_pki::time_stamp_protocol::{MAX_RESPONSE_BYTES, request_der, token_from_response};
use ecert_pki::{LocalTsa, PkiError, TimeStamper};

use crate::pki_store::{KeyAndCert, PkiStore};

/// How long one request to a TSA may take.
const HTTP_TIMEOUT: Duration = Duration::from_secs(20);

/// The time-stamp source for a run of `issue`, `annotate` or `demo`.
#[derive(Clone)]
pub enum Tsa {
    /// The store's own TSA: `genTime` is the signing time given to the issuer.
    Local(Arc<KeyAndCert>),
    /// An RFC 3161 server: `genTime` is its clock, so the signing time must be now.
    Http(String),
}

impl Tsa {
    /// `--tsa-url` if given, else the store's own TSA.
    pub fn choose(store: &PkiStore, url: Option<String>) -> Result<Tsa> {
        match url {
            Some(url) => Ok(Tsa::Http(url)),
            None => Ok(Tsa::Local(Arc::new(store.tsa()?))),
        }
    }

    /// Whether the TSA dates tokens by its own clock (then the seal must be made now).
    pub fn is_remote(&self) -> bool {
        matches!(self, Tsa::Http(_))
    }

    /// A stamper for a seal made at `signing_time`.
    pub fn stamper(&self, signing_time: i64) -> Box<dyn TimeStamper + '_> {
        match self {
            Tsa::Local(k) => {
                Box::new(LocalTsa { key: &k.key, certificate_der: &k.cert_der, gen_time_unix: signing_time })
            }
            Tsa::Http(url) => Box::new(HttpTsa { url }),
        }
    }
}

/// An RFC 3161 time-stamping authority reached over HTTP(S) (RFC 3161 §3.4).
struct HttpTsa<'a> {
    url: &'a str,
}

impl TimeStamper for HttpTsa<'_> {
    fn time_stamp(&self, imprint_sha256: &[u8; 32]) -> ecert_pki::Result<Vec<u8>> {
        let failed = |e: anyhow::Error| PkiError::TimeStampFailed(format!("{}: {e:#}", self.url));
        let nonce: [u8; 8] = rand_nonce().map_err(failed)?;
        let request = request_der(imprint_sha256, &nonce)?;
        let response = post(self.url, &request).map_err(failed)?;
        let (token, _) = token_from_response(&response, imprint_sha256, &nonce)?;
        Ok(token)
    }
}

fn rand_nonce() -> Result<[u8; 8]> {
    let mut nonce = [0u8; 8];
    getrandom::fill(&mut nonce).map_err(|e| anyhow::anyhow!("entropy: {e}"))?;
    Ok(nonce)
}

fn post(url: &str, body: &[u8]) -> Result<Vec<u8>> {
    let agent: ureq::Agent = ureq::Agent::config_builder().timeout_global(Some(HTTP_TIMEOUT)).build().into();
    let response = agent
        .post(url)
        .header("Content-Type", "application/timestamp-query")
        .header("Accept", "application/timestamp-reply")
        .send(body)
        .with_context(|| format!("请求时间戳服务失败 / the time-stamp request to {url} failed"))?;
    let kind = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    if !kind.starts_with("application/timestamp-reply") {
        anyhow::bail!("unexpected content type {kind:?}");
    }
    let mut out = Vec::new();
    response
        .into_body()
        .into_reader()
        .take(MAX_RESPONSE_BYTES as u64 + 1)
        .read_to_end(&mut out)
        .context("reading the time-stamp response")?;
    Ok(out)
}
