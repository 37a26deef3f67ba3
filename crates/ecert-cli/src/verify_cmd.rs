//! `ecert verify FILE...`: a thin binding over `ecert-verify` — reads files, the trust list and the pinned root,
//! takes the clock, prints verdicts (Chinese first, or English; or JSON) and maps them to exit codes.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use ecert_verify::{CheckId, Outcome, StatusEvidence, Verdict, VerdictCode, VerifiedTrustList, VerifyOptions};
use rayon::prelude::*;
use serde::Serialize;

/// Output language of the human summary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    Zh,
    En,
}

/// Exit code for a verdict code; a run exits with the highest over its files.
pub fn exit_code(code: VerdictCode) -> u8 {
    match code {
        VerdictCode::Valid => 0,
        VerdictCode::StatusUnknown | VerdictCode::TrustListExpired => 10,
        VerdictCode::AnnotationNotYetValid
        | VerdictCode::AnnotationExpired
        | VerdictCode::AnnotationMissing
        | VerdictCode::AnnotationInvalid => 11,
        VerdictCode::Revoked => 12,
        VerdictCode::SealNotAuthorized | VerdictCode::UntrustedSeal | VerdictCode::NotRegistered => 13,
        VerdictCode::Modified | VerdictCode::SignatureInvalid | VerdictCode::NonCanonical => 14,
        VerdictCode::NotACertificate => 15,
        VerdictCode::Malformed | VerdictCode::Encrypted => 16,
    }
}

/// Read a pinned root: a PEM `PUBLIC KEY` (SubjectPublicKeyInfo) or `CERTIFICATE` (its key is used), or DER.
pub fn read_root_spki(path: &Path) -> Result<Vec<u8>> {
    let bytes =
        std::fs::read(path).with_context(|| format!("无法读取信任根 / cannot read the root {}", path.display()))?;
    let Ok(text) = std::str::from_utf8(&bytes) else { return Ok(bytes) };
    let pem = text.trim_start();
    if pem.starts_with("-----BEGIN PUBLIC KEY-----") {
        Ok(ecert_pki::key::spki_der_from_pem(pem)?)
    } else if pem.starts_with("-----BEGIN CERTIFICATE-----") {
        let der = ecert_pki::certificate_from_pem(pem)?;
        Ok(ecert_pki::ParsedCert::from_der(&der)?.spki_der().to_vec())
    } else if pem.starts_with("-----BEGIN ") {
        bail!("信任根须为公钥或证书 / the root must be a PUBLIC KEY or CERTIFICATE PEM")
    } else {
        Ok(bytes)
    }
}

/// One file's result.
#[derive(Serialize)]
pub struct FileVerdict {
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
}

/// Verify `files` at `at_unix` under the trust list and root. Files are read with a size cap (one byte over
/// the budget is enough for the core to refuse them).
/// Many files are spread over all cores; a single file is verified on the calling thread (starting a thread
/// pool would cost more than verifying it).
pub fn verify_files(
    files: &[PathBuf],
    trust: &VerifiedTrustList,
    at_unix: i64,
    status: &StatusEvidence<'_>,
    options: &VerifyOptions,
) -> Vec<FileVerdict> {
    let one = |path: &PathBuf| {
        let file = path.display().to_string();
        match read_capped(path, options.budget.max_file_size.saturating_add(1)) {
            Ok(bytes) => FileVerdict {
                file,
                error: None,
                verdict: Some(ecert_verify::verify_with(&bytes, trust, at_unix, status, options)),
            },
            Err(e) => FileVerdict { file, error: Some(format!("{e:#}")), verdict: None },
        }
    };
    if files.len() <= 1 { files.iter().map(one).collect() } else { files.par_iter().map(one).collect() }
}

fn read_capped(path: &Path, cap: usize) -> Result<Vec<u8>> {
    let f = std::fs::File::open(path).with_context(|| format!("无法打开 / cannot open {}", path.display()))?;
    // Size the buffer from the file's length (capped) so it is read in one go, not grown by doubling; the cap
    // still bounds what is read if the file grows or its length is wrong (a pipe, /proc).
    let hint = f.metadata().ok().and_then(|m| usize::try_from(m.len()).ok()).unwrap_or(0).min(cap);
    let mut bytes = Vec::with_capacity(hint.saturating_add(1));
    f.take(cap as u64).read_to_end(&mut bytes).with_context(|| format!("无法读取 / cannot read {}", path.display()))?;
    Ok(bytes)
}

fn state_word(code: VerdictCode, lang: Lang) -> &'static str {
    use VerdictCode::*;
    match (code, lang) {
        (Valid, Lang::Zh) => "有效",
        (Valid, Lang::En) => "valid",
        (StatusUnknown, Lang::Zh) => "签名有效，状态未知",
        (StatusUnknown, Lang::En) => "signature valid, status unknown",
        (TrustListExpired, Lang::Zh) => "信任列表已过期，无法确认",
        (TrustListExpired, Lang::En) => "trust list expired, cannot confirm",
        (AnnotationExpired | AnnotationMissing | AnnotationNotYetValid | AnnotationInvalid, Lang::Zh) => "加注问题",
        (AnnotationExpired | AnnotationMissing | AnnotationNotYetValid | AnnotationInvalid, Lang::En) => {
            "annotation problem"
        }
        (Revoked, Lang::Zh) => "已撤销",
        (Revoked, Lang::En) => "revoked",
        (UntrustedSeal, Lang::Zh) => "印章不可信",
        (UntrustedSeal, Lang::En) => "untrusted seal",
        (SealNotAuthorized, Lang::Zh) => "印章无权为此证书作证",
        (SealNotAuthorized, Lang::En) => "seal not authorized for this certificate",
        (NotRegistered, Lang::Zh) => "未经登记，不能视为有效证书",
        (NotRegistered, Lang::En) => "not registered: not a valid certificate",
        (NonCanonical, Lang::Zh) => "不是签发的原始文件",
        (NonCanonical, Lang::En) => "not the original file issued",
        (Modified | SignatureInvalid, Lang::Zh) => "已被改动或不是原始文件",
        (Modified | SignatureInvalid, Lang::En) => "changed, or not the original file",
        (NotACertificate, Lang::Zh) => "不是电子证书",
        (NotACertificate, Lang::En) => "not a certificate",
        (Encrypted, Lang::Zh) => "文件已加密",
        (Encrypted, Lang::En) => "encrypted",
        (Malformed, Lang::Zh) => "文件损坏",
        (Malformed, Lang::En) => "broken",
    }
}

fn check_name(id: CheckId, lang: Lang) -> &'static str {
    let (zh, en) = match id {
        CheckId::Structure => ("结构", "structure"),
        CheckId::Signature => ("签章", "signature"),
        CheckId::Modification => ("改动", "modification"),
        CheckId::Trust => ("信任", "trust"),
        CheckId::Canonical => ("原件", "canonical"),
        CheckId::Authorization => ("授权", "authorization"),
        CheckId::Record => ("记录", "record"),
        CheckId::Annotation => ("加注", "annotation"),
        CheckId::Status => ("状态", "status"),
        CheckId::Clock => ("时间", "clock"),
    };
    if lang == Lang::Zh { zh } else { en }
}

/// The human summary of one file.
pub fn render(fv: &FileVerdict, lang: Lang) -> String {
    let mut out = String::new();
    let Some(v) = &fv.verdict else {
        let what = if lang == Lang::Zh { "无法读取" } else { "cannot read" };
        out.push_str(&format!("✘ {what}  {}\n  {}\n", fv.file, fv.error.as_deref().unwrap_or_default()));
        return out;
    };
    let mark = if v.code == VerdictCode::Valid {
        "✔"
    } else if v.code == VerdictCode::StatusUnknown {
        "?"
    } else {
        "✘"
    };
    out.push_str(&format!("{mark} {} {}  {}\n", state_word(v.code, lang), v.code, fv.file));
    let sentence = if lang == Lang::Zh { &v.summary.zh } else { &v.summary.en };
    out.push_str(&format!("  {sentence}\n"));
    if let Some(c) = &v.certificate {
        let (name, id, no, q, issuer) = if lang == Lang::Zh {
            ("姓名", "证件号码", "管理号", "资格", "发证")
        } else {
            ("name", "ID number", "management no.", "qualification", "issuer")
        };
        let qname = if lang == Lang::Zh { &c.qualification.name_zh } else { &c.qualification.name_en };
        let iname = if lang == Lang::Zh { &c.issuer.name_zh } else { &c.issuer.name_en };
        out.push_str(&format!("  {name} {}  {id} {}  {no} {}\n", c.holder_name, c.id_number, c.management_number));
        let code = &c.qualification.code;
        let code = if lang == Lang::Zh { format!("（{code}）") } else { format!(" ({code})") };
        out.push_str(&format!("  {q} {qname}{code}  {issuer} {iname}\n"));
    }
    if let Some(a) = &v.annotation
        && let (Some(from), Some(until)) = (&a.valid_from, &a.valid_until)
    {
        let label = if lang == Lang::Zh { "加注" } else { "annotation" };
        out.push_str(&format!("  {label} {} {from} – {until}\n", a.scenario.as_deref().unwrap_or_default()));
    }
    for m in &v.modifications {
        out.push_str(&format!("  ! {}\n", if lang == Lang::Zh { &m.zh } else { &m.en }));
    }
    let checks: Vec<String> = v
        .checks
        .iter()
        .map(|c| {
            let sym = match c.outcome {
                Outcome::Pass => "✔",
                Outcome::Fail => "✘",
                Outcome::Warn => "!",
                Outcome::Skipped => "–",
            };
            let code = if c.outcome == Outcome::Pass { String::new() } else { format!("({})", c.code) };
            format!("{}{sym}{code}", check_name(c.id, lang))
        })
        .collect();
    out.push_str(&format!("  {}\n", checks.join(" ")));
    out
}

/// The trust-list rollback floor: the highest trust-list sequence `ecert verify` has accepted, per pinned root
/// (a sequence only orders the lists of one root), kept in a small state file, one `<root key id> <sequence>`
/// line per root. A list older than its root's floor is refused (rollback); an accepted newer one raises it.
pub mod floor {
    use std::path::{Path, PathBuf};

    use anyhow::{Context as _, Result};

    /// At most this many roots are remembered (the oldest-updated are dropped): every `ecert demo` makes a root.
    const MAX_ROOTS: usize = 256;
    const HEADER: &str = "# ecert verify: the highest trust-list sequence accepted, per pinned root (key id)\n";

    /// The default state file: `$XDG_STATE_HOME/ecert/trust-list-floor`, else
    /// `$HOME/.local/state/ecert/trust-list-floor`; `None` if neither variable gives an absolute directory.
    pub fn default_path() -> Option<PathBuf> {
        let dir = |var: &str| std::env::var_os(var).map(PathBuf::from).filter(|p| p.is_absolute());
        let base = dir("XDG_STATE_HOME").or_else(|| dir("HOME").map(|h| h.join(".local").join("state")))?;
        Some(base.join("ecert").join("trust-list-floor"))
    }

    /// The entries of a state file in order, or `None` if a line is not `<key id> <sequence>`.
    fn parse(text: &str) -> Option<Vec<(String, u64)>> {
        let mut out = Vec::new();
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
            let mut words = line.split_whitespace();
            let (Some(key_id), Some(seq), None) = (words.next(), words.next(), words.next()) else { return None };
            out.push((key_id.to_owned(), seq.parse().ok()?));
        }
        Some(out)
    }

    /// The entries now in the file: `Ok(empty)` if it does not exist.
    fn entries(path: &Path) -> Result<Vec<(String, u64)>> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                parse(&text).with_context(|| format!("状态文件格式无效 / malformed state file {}", path.display()))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(e).with_context(|| format!("无法读取 / cannot read {}", path.display())),
        }
    }

    /// The floor for the root with `root_key_id` (0 if none is recorded). A state file that cannot be read or
    /// parsed gives `Err` (the caller warns and goes on with floor 0; the file is rewritten on the next update).
    pub fn read(path: &Path, root_key_id: &str) -> Result<u64> {
        Ok(entries(path)?.iter().find(|(k, _)| k == root_key_id).map_or(0, |(_, s)| *s))
    }

    /// Raise the root's floor to `sequence` if it is higher than the recorded one (the file is re-read here,
    /// so a concurrent `ecert verify` that raised it further is kept): written to a temporary file and renamed,
    /// the directories created. Returns whether the file changed.
    pub fn raise(path: &Path, root_key_id: &str, sequence: u64) -> Result<bool> {
        // An unreadable or malformed file is replaced rather than left to block every update.
        let mut all = entries(path).unwrap_or_default();
        if all.iter().any(|(k, s)| k == root_key_id && *s >= sequence) {
            return Ok(false);
        }
        all.retain(|(k, _)| k != root_key_id);
        all.push((root_key_id.to_owned(), sequence));
        let skip = all.len().saturating_sub(MAX_ROOTS);
        let mut text = String::from(HEADER);
        for (k, s) in all.iter().skip(skip) {
            text.push_str(&format!("{k} {s}\n"));
        }
        crate::register::write_atomic(path, text.as_bytes())?;
        Ok(true)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn parse_accepts_comments_and_refuses_garbage() {
            assert_eq!(parse("# c\n\nab 5\ncd 7\n"), Some(vec![("ab".into(), 5), ("cd".into(), 7)]));
            assert_eq!(parse(""), Some(vec![]));
            assert_eq!(parse("ab five\n"), None);
            assert_eq!(parse("ab 5 6\n"), None);
            assert_eq!(parse("ab\n"), None);
            assert_eq!(parse("ab -1\n"), None);
        }

        #[test]
        fn raise_keeps_the_highest_and_the_most_recent_roots() {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("a/b/floor");
            assert_eq!(read(&path, "r1").unwrap(), 0);
            assert!(raise(&path, "r1", 5).unwrap());
            assert!(!raise(&path, "r1", 4).unwrap());
            assert!(!raise(&path, "r1", 5).unwrap());
            assert!(raise(&path, "r2", 1).unwrap());
            assert_eq!((read(&path, "r1").unwrap(), read(&path, "r2").unwrap()), (5, 1));
            for i in 0..MAX_ROOTS {
                raise(&path, &format!("x{i}"), 1).unwrap();
            }
            assert_eq!(read(&path, "r1").unwrap(), 0, "the oldest root is dropped");
            assert_eq!(read(&path, &format!("x{}", MAX_ROOTS - 1)).unwrap(), 1);
            std::fs::write(&path, "garbage\n").unwrap();
            assert!(read(&path, "r1").is_err());
            assert!(raise(&path, "r1", 3).unwrap(), "a malformed file is replaced");
            assert_eq!(read(&path, "r1").unwrap(), 3);
        }
    }
}
