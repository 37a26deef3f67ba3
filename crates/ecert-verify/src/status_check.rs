//! The status check: what the signed snapshot and/or the registry say about this exact copy, and the clock
//! check against the snapshot's signed time (docs/verdict.md, "Status" and "Time of check").
//!
//! Precedence, failing closed: the registry's revocation or "never issued" (exact, online) → a stale snapshot
//! (older than the trust list's `max_status_age` at the time of check) is no answer → the snapshot's revoked
//! bit → a copy the snapshot does not cover → not revoked. A registry "valid" answers when the snapshot cannot.

use ecert_format::{CertificateStatus, StatusInput};

use crate::status_evidence::{SnapshotAnswer, VerifiedStatus};
use crate::verdict::{Check, CheckId, Outcome, SnapshotView, StatusView, VerdictCode};
use crate::verifier::{china_date, china_time};

/// Everything the verifier knows about status besides the file.
#[derive(Clone, Copy, Debug)]
pub struct StatusEvidence<'a> {
    /// A signed snapshot (and delta) verified under the trust list: revocation offline, and a time floor.
    pub snapshot: Option<&'a VerifiedStatus>,
    /// The registry's own answer, when the caller asked it online ([`StatusInput::NotChecked`] otherwise).
    pub registry: &'a StatusInput,
}

static NOT_CHECKED: StatusInput = StatusInput::NotChecked;

impl StatusEvidence<'static> {
    /// No snapshot, registry not asked.
    pub fn none() -> StatusEvidence<'static> {
        StatusEvidence { snapshot: None, registry: &NOT_CHECKED }
    }
}

/// The copy being checked.
pub(crate) struct Copy<'a> {
    pub id: &'a [u8; 32],
    /// When it was sealed, by its trusted time-stamp.
    pub sealed_at: i64,
}

fn snapshot_view(s: &VerifiedStatus) -> SnapshotView {
    let h = s.newest();
    SnapshotView { sequence: h.sequence, issued_at: h.issued_at, signer: h.signer.clone(), evidence: s.evidence() }
}

/// The clock check: the time of check is max(clock, floor); a clock behind the floor is reported, not trusted.
pub(crate) fn clock_check(clock: i64, floor: Option<i64>) -> Check {
    let (outcome, code, zh, en) = match floor {
        None => (
            Outcome::Skipped,
            "NO_TIME_FLOOR",
            "没有已签名的时间下限（未加载状态快照），以本机时间为准。".to_owned(),
            "No signed time floor (no status snapshot held): the device clock is used as is.".to_owned(),
        ),
        Some(floor) if clock < floor => (
            Outcome::Warn,
            "CLOCK_BEHIND",
            format!(
                "本机时间（{}）早于状态快照的签名时间（{}），已按后者核验。请校正本机时间。",
                china_time(clock),
                china_time(floor)
            ),
            format!(
                "This device's clock ({}) is earlier than the status snapshot's signed time ({}); the check used the latter. Please correct the clock.",
                china_time(clock),
                china_time(floor)
            ),
        ),
        Some(floor) => (
            Outcome::Pass,
            "OK",
            format!("本机时间不早于状态快照的签名时间（{}）。", china_time(floor)),
            format!("The device clock is not earlier than the status snapshot's signed time ({}).", china_time(floor)),
        ),
    };
    Check { id: CheckId::Clock, outcome, code: code.to_owned(), zh, en, verdict: None }
}

/// The status check of `copy` at the time of check `at`, with the trust list's `max_status_age`.
pub(crate) fn status_check(
    evidence: &StatusEvidence<'_>,
    copy: &Copy<'_>,
    at: i64,
    max_age: i64,
) -> (Check, StatusView) {
    let mut view = StatusView {
        state: String::new(),
        source: "none".into(),
        as_of: None,
        revoked_at: None,
        reason: None,
        snapshot: evidence.snapshot.map(snapshot_view),
    };
    let check = |outcome, code: &str, zh: String, en: String, verdict| Check {
        id: CheckId::Status,
        outcome,
        code: code.to_owned(),
        zh,
        en,
        verdict,
    };
    let registry_valid = match evidence.registry {
        StatusInput::Known { status: CertificateStatus::Valid, as_of } => Some(*as_of),
        _ => None,
    };

    // 1. The registry's exact word against: revoked, or never issued.
    match evidence.registry {
        StatusInput::Known { status: CertificateStatus::Revoked { revoked_at, reason }, as_of } => {
            view.state = "revoked".into();
            view.source = "registry".into();
            view.as_of = Some(*as_of);
            view.revoked_at = Some(*revoked_at);
            view.reason = Some(reason.clone());
            let c = check(
                Outcome::Fail,
                "REVOKED",
                format!("证书已于 {} 撤销，原因：{reason}。", china_date(*revoked_at)),
                format!("The certificate was revoked on {}: {reason}.", china_date(*revoked_at)),
                Some(VerdictCode::Revoked),
            );
            return (c, view);
        }
        StatusInput::NotRegistered { as_of } => {
            view.state = "not_registered".into();
            view.source = "registry".into();
            view.as_of = Some(*as_of);
            let c = check(
                Outcome::Fail,
                "NOT_REGISTERED",
                "登记机构没有签发过这份证书：印章真实，但此记录未经登记，不能视为有效证书。".into(),
                "The registry never issued this copy: the seal is authentic, but the record was not registered, so it is not a valid certificate.".into(),
                Some(VerdictCode::NotRegistered),
            );
            return (c, view);
        }
        _ => {}
    }
    let valid_from_registry = |mut view: StatusView, as_of: i64| {
        view.state = "valid".into();
        view.source = if view.snapshot.is_some() { "snapshot+registry".into() } else { "registry".into() };
        view.as_of = Some(as_of);
        (check(Outcome::Pass, "OK", "登记状态：有效。".into(), "Registry status: valid.".into(), None), view)
    };

    // 2. The signed snapshot.
    if let Some(snapshot) = evidence.snapshot {
        let issued_at = snapshot.issued_at();
        view.as_of = Some(issued_at);
        // The snapshot as every sentence below names it: its number and signed time.
        let (n, t) = (snapshot.sequence(), china_time(issued_at));
        // A snapshot older than the trust list allows answers nothing; nor does one for a copy sealed after it.
        // In both cases the registry's own "valid", when it was asked, stands.
        let stale = at.saturating_sub(issued_at) > max_age;
        let answer = if stale { None } else { Some(snapshot.lookup(copy.id, copy.sealed_at)) };
        if let (None | Some(SnapshotAnswer::NotCovered), Some(as_of)) = (answer, registry_valid) {
            return valid_from_registry(view, as_of);
        }
        view.source = "snapshot".into();
        match answer {
            None => {
                view.state = "stale".into();
                let c = check(
                    Outcome::Warn,
                    "STATUS_STALE",
                    format!(
                        "状态快照（第 {n} 号，{t}）已超过信任列表允许的 {} 小时，状态未知。请联网更新状态后再核验。",
                        max_age / 3600
                    ),
                    format!(
                        "The status snapshot (no. {n}, {t}) is older than the trust list allows ({} h): status unknown. Connect to update the status, then check again.",
                        max_age / 3600
                    ),
                    Some(VerdictCode::StatusUnknown),
                );
                return (c, view);
            }
            Some(SnapshotAnswer::Revoked) => {
                view.state = "revoked".into();
                let c = check(
                    Outcome::Fail,
                    "REVOKED",
                    format!("证书已撤销（状态快照第 {n} 号，{t}）。撤销时间和原因可向登记机构查询。"),
                    format!(
                        "The certificate has been revoked (status snapshot no. {n}, {t}). The registry can tell when and why."
                    ),
                    Some(VerdictCode::Revoked),
                );
                return (c, view);
            }
            Some(SnapshotAnswer::NotCovered) => {
                view.state = "not_covered".into();
                let c = check(
                    Outcome::Warn,
                    "STATUS_NOT_COVERED",
                    format!(
                        "此证书盖章（{}）晚于所持状态快照（第 {n} 号，{t}），快照无法回答其状态。请联网更新状态后再核验。",
                        china_time(copy.sealed_at)
                    ),
                    format!(
                        "This copy was sealed ({}) after the status snapshot held (no. {n}, {t}), which cannot answer for it. Connect to update the status, then check again.",
                        china_time(copy.sealed_at)
                    ),
                    Some(VerdictCode::StatusUnknown),
                );
                return (c, view);
            }
            Some(SnapshotAnswer::NotRevoked) => {
                view.state = "valid".into();
                if registry_valid.is_some() {
                    view.source = "snapshot+registry".into();
                }
                let c = check(
                    Outcome::Pass,
                    "OK",
                    format!("未撤销：已按登记机构签名的状态快照（第 {n} 号，{t}）离线核对。"),
                    format!("Not revoked, per the registry's signed status snapshot (no. {n}, {t}), checked offline."),
                    None,
                );
                return (c, view);
            }
        }
    }

    // 3. The registry alone.
    match evidence.registry {
        StatusInput::Known { as_of, .. } => valid_from_registry(view, *as_of),
        StatusInput::Unavailable { reason } => {
            view.state = "unknown".into();
            let c = check(
                Outcome::Warn,
                "STATUS_UNAVAILABLE",
                "无法获取撤销状态，状态未知。请联网更新状态后再核验。".into(),
                format!(
                    "The revocation status could not be obtained ({reason}); status unknown. Connect to update the status, then check again."
                ),
                Some(VerdictCode::StatusUnknown),
            );
            (c, view)
        }
        _ => {
            view.state = "not_checked".into();
            let c = check(
                Outcome::Skipped,
                "STATUS_NOT_CHECKED",
                "未核验撤销状态（没有状态快照，也未查询登记机构）。".into(),
                "Revocation status was not checked (no status snapshot, registry not asked).".into(),
                None,
            );
            (c, view)
        }
    }
}
