//! The issuer's key store on disk: root, one CA per issuer, seal keys with their use windows.
//!
//! ```text
//! <pki>/root/key.pem  root/cert.pem
//! <pki>/issuers/<id>/ca-key.pem  ca-cert.pem
//! <pki>/issuers/<id>/seals/<seal>/key.pem  cert.pem  window.json
//! ```
//! Private keys are written 0600 and never printed.

use std::collections::HashMap;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{Context as _, Result, bail};
use ecert_format::Registry;
use ecert_pki::{
    CertIssuer, CertSpec, NameSpec, Profile, SigningKeyPair, build_certificate, certificate_from_pem,
    certificate_to_pem,
};
use serde::{Deserialize, Serialize};

/// A seal's use window (Unix seconds), stored beside its key.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub struct SealWindow {
    pub use_from: i64,
    pub use_until: i64,
}

/// A loaded key and certificate.
pub struct KeyAndCert {
    pub key: SigningKeyPair,
    pub cert_der: Vec<u8>,
}

/// A seal on disk.
#[derive(Clone)]
pub struct StoredSeal {
    pub id: String,
    pub window: SealWindow,
    pub dir: PathBuf,
}

/// Fresh entropy from the OS.
pub fn entropy32() -> Result<[u8; 32]> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).map_err(|e| anyhow::anyhow!("无法获取随机数 / no OS entropy: {e}"))?;
    Ok(b)
}

/// A new key pair from OS entropy.
pub fn new_key() -> Result<SigningKeyPair> {
    for _ in 0..8 {
        if let Ok(k) = SigningKeyPair::from_entropy(&entropy32()?) {
            return Ok(k);
        }
    }
    bail!("无法生成密钥 / could not generate a key")
}

/// A random positive serial.
pub fn new_serial() -> Result<[u8; 16]> {
    let e = entropy32()?;
    let mut s = [0u8; 16];
    s.copy_from_slice(&e[..16]);
    s[0] &= 0x7f;
    s[0] |= 0x01;
    Ok(s)
}

/// Write a private key with 0600 permissions; refuses to overwrite.
pub fn write_private_key(path: &Path, key: &SigningKeyPair) -> Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    let pem = key.to_pkcs8_pem()?;
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(path)
        .with_context(|| format!("无法写入密钥（文件已存在？） / cannot create key file {}", path.display()))?;
    f.write_all(pem.as_bytes())?;
    Ok(())
}

fn read_key(path: &Path) -> Result<SigningKeyPair> {
    let pem =
        fs::read_to_string(path).with_context(|| format!("缺少密钥文件 / missing key file {}", path.display()))?;
    SigningKeyPair::from_pkcs8_pem(&pem).with_context(|| format!("密钥文件无效 / invalid key file {}", path.display()))
}

fn read_cert(path: &Path) -> Result<Vec<u8>> {
    let pem = fs::read_to_string(path)
        .with_context(|| format!("缺少证书文件 / missing certificate file {}", path.display()))?;
    certificate_from_pem(&pem).with_context(|| format!("证书文件无效 / invalid certificate file {}", path.display()))
}

fn write_new(path: &Path, contents: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    fs::write(path, contents).with_context(|| format!("无法写入 / cannot write {}", path.display()))
}

/// The store rooted at a directory. Seal keys are read once and cached for batch issuance.
pub struct PkiStore {
    pub dir: PathBuf,
    loaded: Mutex<HashMap<PathBuf, Arc<KeyAndCert>>>,
    seal_lists: Mutex<HashMap<String, Vec<StoredSeal>>>,
    ca_certs: Mutex<HashMap<String, Vec<u8>>>,
}

impl PkiStore {
    pub fn new(dir: impl Into<PathBuf>) -> PkiStore {
        PkiStore {
            dir: dir.into(),
            loaded: Mutex::new(HashMap::new()),
            seal_lists: Mutex::new(HashMap::new()),
            ca_certs: Mutex::new(HashMap::new()),
        }
    }
    fn root_dir(&self) -> PathBuf {
        self.dir.join("root")
    }
    fn issuer_dir(&self, id: &str) -> PathBuf {
        self.dir.join("issuers").join(id)
    }
    pub fn root_cert_path(&self) -> PathBuf {
        self.root_dir().join("cert.pem")
    }

    pub fn root(&self) -> Result<KeyAndCert> {
        Ok(KeyAndCert {
            key: read_key(&self.root_dir().join("key.pem"))?,
            cert_der: read_cert(&self.root_cert_path())?,
        })
    }
    pub fn root_cert(&self) -> Result<Vec<u8>> {
        read_cert(&self.root_cert_path())
    }
    pub fn issuer_ca(&self, id: &str) -> Result<KeyAndCert> {
        let d = self.issuer_dir(id);
        Ok(KeyAndCert { key: read_key(&d.join("ca-key.pem"))?, cert_der: read_cert(&d.join("ca-cert.pem"))? })
    }
    /// The issuer CA certificate (read once; a CA certificate is never rewritten).
    pub fn issuer_ca_cert(&self, id: &str) -> Result<Vec<u8>> {
        if let Some(c) = self.ca_certs.lock().ok().and_then(|m| m.get(id).cloned()) {
            return Ok(c);
        }
        let cert = read_cert(&self.issuer_dir(id).join("ca-cert.pem"))?;
        if let Ok(mut m) = self.ca_certs.lock() {
            m.insert(id.to_owned(), cert.clone());
        }
        Ok(cert)
    }

    /// Create the root (self-signed).
    pub fn create_root(&self, name: &str, not_before: i64, not_after: i64) -> Result<()> {
        let key = new_key()?;
        let spec = CertSpec {
            serial: new_serial()?,
            subject: NameSpec::cn(name, format!("{name} 根证书 Root")),
            not_before_unix: not_before,
            not_after_unix: not_after,
            profile: Profile::Root,
        };
        let cert = build_certificate(&spec, key.verifying_key(), CertIssuer::SelfSigned(&key))?;
        write_private_key(&self.root_dir().join("key.pem"), &key)?;
        write_new(&self.root_cert_path(), certificate_to_pem(&cert)?.as_bytes())?;
        write_new(&self.root_dir().join("spki.pem"), key.spki_pem()?.as_bytes())?;
        Ok(())
    }

    /// Create an issuer CA under the root.
    pub fn create_issuer(&self, id: &str, not_before: i64, not_after: i64) -> Result<()> {
        let registry = Registry::builtin();
        let issuer = registry.issuer(id).with_context(|| format!("未知的发证机构 / unknown issuer {id}"))?;
        let root = self.root()?;
        let key = new_key()?;
        let spec = CertSpec {
            serial: new_serial()?,
            subject: NameSpec::cn(issuer.name_zh.clone(), format!("{} 电子印章CA", issuer.name_zh)),
            not_before_unix: not_before,
            not_after_unix: not_after,
            profile: Profile::IssuerCa,
        };
        let cert =
            build_certificate(&spec, key.verifying_key(), CertIssuer::Ca { cert_der: &root.cert_der, key: &root.key })?;
        let d = self.issuer_dir(id);
        write_private_key(&d.join("ca-key.pem"), &key)?;
        write_new(&d.join("ca-cert.pem"), certificate_to_pem(&cert)?.as_bytes())?;
        Ok(())
    }

    /// The issuer's seals, oldest first.
    pub fn seals(&self, id: &str) -> Result<Vec<StoredSeal>> {
        let d = self.issuer_dir(id).join("seals");
        let mut out = Vec::new();
        if let Ok(entries) = fs::read_dir(&d) {
            for e in entries.flatten() {
                let dir = e.path();
                let window: SealWindow = serde_json::from_slice(&fs::read(dir.join("window.json"))?)
                    .with_context(|| format!("印章窗口文件无效 / invalid {}", dir.join("window.json").display()))?;
                out.push(StoredSeal { id: e.file_name().to_string_lossy().into_owned(), window, dir });
            }
        }
        out.sort_by_key(|s| (s.window.use_from, s.id.clone()));
        Ok(out)
    }

    /// Create a seal key and certificate. Rotation: any earlier seal still usable at `use_from` ends there.
    pub fn create_seal(&self, id: &str, use_from: i64, use_until: i64, cert_not_after: i64) -> Result<String> {
        if use_until <= use_from {
            bail!("印章启用时间须早于停用时间 / a seal's use window must end after it starts");
        }
        let registry = Registry::builtin();
        let issuer = registry.issuer(id).with_context(|| format!("未知的发证机构 / unknown issuer {id}"))?;
        let ca = self.issuer_ca(id)?;
        let existing = self.seals(id)?;
        for s in &existing {
            if s.window.use_until > use_from && s.window.use_from < use_from {
                let w = SealWindow { use_from: s.window.use_from, use_until: use_from };
                fs::write(s.dir.join("window.json"), serde_json::to_vec_pretty(&w)?)?;
            }
        }
        if let Ok(mut m) = self.seal_lists.lock() {
            m.remove(id);
        }
        let seal_id = format!("seal-{}", existing.len() + 1);
        let key = new_key()?;
        let spec = CertSpec {
            serial: new_serial()?,
            subject: NameSpec::cn(issuer.name_zh.clone(), issuer.seal_name_zh.clone()),
            not_before_unix: use_from.min(ca_not_before(&ca.cert_der)?),
            not_after_unix: cert_not_after.max(use_until),
            profile: Profile::Seal,
        };
        let cert =
            build_certificate(&spec, key.verifying_key(), CertIssuer::Ca { cert_der: &ca.cert_der, key: &ca.key })?;
        let window = window_within(&cert, use_from, use_until)?;
        let d = self.issuer_dir(id).join("seals").join(&seal_id);
        write_private_key(&d.join("key.pem"), &key)?;
        write_new(&d.join("cert.pem"), certificate_to_pem(&cert)?.as_bytes())?;
        write_new(&d.join("window.json"), &serde_json::to_vec_pretty(&window)?)?;
        Ok(seal_id)
    }

    /// The seal to sign with at an instant: the newest whose window contains it.
    pub fn seal_for(&self, id: &str, at: i64) -> Result<(StoredSeal, Arc<KeyAndCert>)> {
        let cached = self.seal_lists.lock().ok().and_then(|m| m.get(id).cloned());
        let list = match cached {
            Some(l) => l,
            None => {
                let l = self.seals(id)?;
                if let Ok(mut m) = self.seal_lists.lock() {
                    m.insert(id.to_owned(), l.clone());
                }
                l
            }
        };
        let seal = list
            .into_iter()
            .rfind(|s| s.window.use_from <= at && at < s.window.use_until)
            .with_context(|| format!("{id} 在该时间没有可用印章（先运行 ecert keygen seal） / issuer {id} has no seal usable at that time (run `ecert keygen seal`)"))?;
        if let Some(kc) = self.loaded.lock().ok().and_then(|m| m.get(&seal.dir).cloned()) {
            return Ok((seal, kc));
        }
        let kc = Arc::new(KeyAndCert {
            key: read_key(&seal.dir.join("key.pem"))?,
            cert_der: read_cert(&seal.dir.join("cert.pem"))?,
        });
        if let Ok(mut m) = self.loaded.lock() {
            m.insert(seal.dir.clone(), kc.clone());
        }
        Ok((seal, kc))
    }

    pub fn seal_cert(&self, seal: &StoredSeal) -> Result<Vec<u8>> {
        read_cert(&seal.dir.join("cert.pem"))
    }

    fn tsa_dir(&self) -> PathBuf {
        self.dir.join("tsa")
    }

    /// Create the issuing side's own time-stamping authority under the root: a key and a certificate with the
    /// TSA role (critical EKU id-kp-timeStamping), used from `use_from` until `use_until`. Its key signs RFC 3161
    /// tokens (`pki/tsa/key.pem`, PKCS#8 PEM: an independent TSA such as OpenSSL's `ts` can run with it too).
    pub fn create_tsa(&self, use_from: i64, use_until: i64, cert_not_after: i64) -> Result<()> {
        if use_until <= use_from {
            bail!("时间戳服务启用时间须早于停用时间 / a TSA's use window must end after it starts");
        }
        let d = self.tsa_dir();
        if d.join("cert.pem").exists() {
            bail!("{} 已有时间戳服务密钥 / already holds a TSA key", d.display());
        }
        let root = self.root()?;
        let key = new_key()?;
        let spec = CertSpec {
            serial: new_serial()?,
            subject: NameSpec::cn("ecert 时间戳服务", "ecert 可信时间戳服务 Time-Stamping Authority"),
            not_before_unix: use_from,
            not_after_unix: cert_not_after.max(use_until),
            profile: Profile::TimeStampAuthority,
        };
        let cert =
            build_certificate(&spec, key.verifying_key(), CertIssuer::Ca { cert_der: &root.cert_der, key: &root.key })?;
        let window = window_within(&cert, use_from, use_until)?;
        write_private_key(&d.join("key.pem"), &key)?;
        write_new(&d.join("cert.pem"), certificate_to_pem(&cert)?.as_bytes())?;
        write_new(&d.join("window.json"), &serde_json::to_vec_pretty(&window)?)?;
        Ok(())
    }

    /// The store's TSA certificate and use window, if it has one.
    pub fn tsa_certificate(&self) -> Result<Option<(Vec<u8>, SealWindow)>> {
        let d = self.tsa_dir();
        if !d.join("cert.pem").exists() {
            return Ok(None);
        }
        let window: SealWindow = serde_json::from_slice(&fs::read(d.join("window.json"))?)
            .with_context(|| format!("时间戳服务窗口文件无效 / invalid {}", d.join("window.json").display()))?;
        Ok(Some((read_cert(&d.join("cert.pem"))?, window)))
    }

    /// The store's TSA key and certificate (for time-stamping in process).
    pub fn tsa(&self) -> Result<KeyAndCert> {
        let d = self.tsa_dir();
        if !d.join("cert.pem").exists() {
            bail!(
                "{} 没有时间戳服务密钥（先运行 ecert keygen tsa，或用 --tsa-url 指定时间戳服务） / no TSA key (run `ecert keygen tsa`, or give --tsa-url)",
                self.dir.display()
            );
        }
        Ok(KeyAndCert { key: read_key(&d.join("key.pem"))?, cert_der: read_cert(&d.join("cert.pem"))? })
    }

    fn status_dir(&self) -> PathBuf {
        self.dir.join("status")
    }

    /// Create the registry's status-snapshot signing key (`pki/status/key.pem`), used from `use_from` until
    /// `use_until`. The trust list authorises it by listing its public key; it never seals a certificate.
    pub fn create_status_signer(&self, use_from: i64, use_until: i64) -> Result<()> {
        if use_until <= use_from {
            bail!("状态签名密钥启用时间须早于停用时间 / a status key's use window must end after it starts");
        }
        let d = self.status_dir();
        if d.join("key.pem").exists() {
            bail!("{} 已有状态签名密钥 / already holds a status key", d.display());
        }
        let key = new_key()?;
        write_private_key(&d.join("key.pem"), &key)?;
        write_new(&d.join("window.json"), &serde_json::to_vec_pretty(&SealWindow { use_from, use_until })?)?;
        Ok(())
    }

    /// The store's status-snapshot signing key and its use window, if it has one.
    pub fn status_signer(&self) -> Result<Option<(SigningKeyPair, SealWindow)>> {
        let d = self.status_dir();
        if !d.join("key.pem").exists() {
            return Ok(None);
        }
        let window: SealWindow = serde_json::from_slice(&fs::read(d.join("window.json"))?)
            .with_context(|| format!("状态签名密钥窗口文件无效 / invalid {}", d.join("window.json").display()))?;
        Ok(Some((read_key(&d.join("key.pem"))?, window)))
    }

    /// Issuers with a CA in this store.
    pub fn issuer_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = fs::read_dir(self.dir.join("issuers"))
            .map(|rd| rd.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
            .unwrap_or_default();
        ids.sort();
        ids
    }
}

/// A use window inside the certificate's validity (the builder nests a certificate in its issuer's, which may
/// have shortened it): a key is never in use while its certificate is not valid.
fn window_within(cert_der: &[u8], use_from: i64, use_until: i64) -> Result<SealWindow> {
    let cert = ecert_pki::ParsedCert::from_der(cert_der)?;
    let window = SealWindow { use_from: use_from.max(cert.not_before()), use_until: use_until.min(cert.not_after()) };
    if window.use_until <= window.use_from {
        bail!("使用期不在证书有效期内 / the use window lies outside the certificate's validity");
    }
    Ok(window)
}

fn ca_not_before(cert_der: &[u8]) -> Result<i64> {
    Ok(ecert_pki::ParsedCert::from_der(cert_der)?.not_before())
}
