//! 加注 jobs as the holder sees them: the job's state on a China-time day, whether a certificate can be annotated
//! today, and the refusals of an application — the rules are `ecert_format::annotation::check_application` under
//! the signed trust list's `annotation_rule` (the same function the issuing side runs), with the exact messages.

use serde::Serialize;

use ecert_format::annotation::{AnnotationRuleError, check_application};
use ecert_format::{AnnotationRule, Date, LedgerEntry};

use crate::error::ApiError;
use crate::storage::jobs::JobRow;

/// A job not done this long after it was created is overdue (the 24 h promise), seconds.
pub const OVERDUE_AFTER: i64 = 24 * 3600;

/// A job as the holder API shows it (docs/holder.md `JobView`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JobView {
    pub job_id: String,
    pub scenario: String,
    pub applied_on: String,
    pub valid_from: String,
    pub valid_until: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annotation_number: Option<String>,
    /// `generating` | `ready` (inside the window) | `not_yet_valid` | `expired` | `failed`.
    pub state: &'static str,
    pub created_at: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub done_at: Option<i64>,
    /// Generating for more than 24 h.
    pub overdue: bool,
    /// `GET …/annotations/{job_id}/pdf` answers now.
    pub download: bool,
}

/// The state of a job on `today` (China time).
pub fn state_of(job: &JobRow, today: Date) -> &'static str {
    match job.state.as_str() {
        "failed" => "failed",
        "done" => {
            let from = job.valid_from.parse::<Date>().ok();
            let until = job.valid_until.parse::<Date>().ok();
            match (from, until) {
                (Some(f), _) if today < f => "not_yet_valid",
                (_, Some(u)) if today > u => "expired",
                (Some(_), Some(_)) => "ready",
                // Unreadable dates (never written by the edge): not downloadable.
                _ => "expired",
            }
        }
        _ => "generating",
    }
}

pub fn view(job: &JobRow, today: Date, now: i64) -> JobView {
    let state = state_of(job, today);
    JobView {
        job_id: job.job_id.clone(),
        scenario: job.scenario.clone(),
        applied_on: job.applied_on.clone(),
        valid_from: job.valid_from.clone(),
        valid_until: job.valid_until.clone(),
        annotation_number: job.annotation_number.clone(),
        state,
        created_at: job.created_at,
        done_at: job.done_at,
        overdue: job.state == "pending" && now - job.created_at > OVERDUE_AFTER,
        download: state == "ready" && job.pdf_deleted == 0,
    }
}

/// The history the 3-in-90 rule counts: every job of the certificate not failed, by its application day.
pub fn history(jobs: &[JobRow]) -> Vec<LedgerEntry> {
    jobs.iter()
        .filter(|j| j.state != "failed")
        .filter_map(|j| {
            Some(LedgerEntry {
                number: j.job_id.clone(),
                applied_on: j.applied_on.parse().ok()?,
                valid_from: j.valid_from.parse().ok()?,
                valid_until: j.valid_until.parse().ok()?,
            })
        })
        .collect()
}

/// Split one of ecert-format's "中文 / English" texts.
fn split(text: &str) -> (String, String) {
    match text.split_once(" / ") {
        Some((zh, en)) => (zh.trim().to_owned(), en.trim().to_owned()),
        None => (text.to_owned(), text.to_owned()),
    }
}

/// An application's refusal as an API error (stable codes; the messages are the rule error's own).
pub fn rule_error(e: &AnnotationRuleError) -> ApiError {
    let (zh, en) = split(&e.to_string());
    match e {
        AnnotationRuleError::WindowTooLong { .. } => ApiError::new(400, "ANNOTATION_WINDOW_TOO_LONG", zh, en),
        AnnotationRuleError::WindowEmpty => ApiError::new(400, "ANNOTATION_WINDOW_EMPTY", zh, en),
        AnnotationRuleError::StartsInPast => ApiError::new(400, "ANNOTATION_STARTS_IN_PAST", zh, en),
        AnnotationRuleError::StartsTooLate => ApiError::new(400, "ANNOTATION_STARTS_TOO_LATE", zh, en),
        AnnotationRuleError::BeforeIssue => ApiError::new(400, "ANNOTATION_BEFORE_ISSUE", zh, en),
        AnnotationRuleError::TooManyInTrailingWindow { next_allowed, .. } => {
            ApiError::new(409, "ANNOTATION_TOO_MANY", zh, en).with("next_allowed", next_allowed.to_string())
        }
        AnnotationRuleError::DateRange => ApiError::new(400, "INVALID_INPUT", zh, en).with("field", "valid_from"),
    }
}

pub fn revoked_error() -> ApiError {
    ApiError::new(
        409,
        "CERTIFICATE_REVOKED",
        "证书已撤销，不能加注",
        "the certificate has been revoked and cannot be annotated",
    )
}

pub fn not_needed_error() -> ApiError {
    ApiError::new(
        409,
        "ANNOTATION_NOT_NEEDED",
        "2021年12月17日前由行业协会制发的证书无需加注，可直接下载",
        "association certificates issued before 2021-12-17 need no annotation and download directly",
    )
}

/// Whether a certificate can be annotated: revoked, no 加注 needed, or the rule — with the exact refusal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CanApply {
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_zh: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_en: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_allowed: Option<String>,
}

impl CanApply {
    fn from_error(e: &ApiError) -> CanApply {
        CanApply {
            ok: false,
            code: Some(e.code),
            message_zh: Some(e.message.zh.clone()),
            message_en: Some(e.message.en.clone()),
            next_allowed: e.extra.get("next_allowed").and_then(|v| v.as_str()).map(str::to_owned),
        }
    }
}

#[allow(clippy::too_many_arguments)]
/// Check an application (`valid_from`, `days`) made on `today` for a certificate issued on `issue_date`, its state
/// and jobs; `Ok(valid_until)`.
pub fn check(
    rule: &AnnotationRule,
    revoked: bool,
    required: bool,
    issue_date: Date,
    jobs: &[JobRow],
    today: Date,
    valid_from: Date,
    days: i64,
) -> Result<Date, ApiError> {
    if revoked {
        return Err(revoked_error());
    }
    if !required {
        return Err(not_needed_error());
    }
    check_application(rule, &history(jobs), issue_date, today, valid_from, days).map_err(|e| rule_error(&e))
}

/// Whether a one-day 加注 starting today would be accepted (the certificate view's `can_apply`).
pub fn can_apply(
    rule: &AnnotationRule,
    revoked: bool,
    required: bool,
    issue_date: Date,
    jobs: &[JobRow],
    today: Date,
) -> CanApply {
    match check(rule, revoked, required, issue_date, jobs, today, today, 1) {
        Ok(_) => CanApply { ok: true, code: None, message_zh: None, message_en: None, next_allowed: None },
        Err(e) => CanApply::from_error(&e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn job(id: &str, state: &str, applied: &str, from: &str, until: &str) -> JobRow {
        JobRow {
            job_id: id.into(),
            management_number: "M1".into(),
            scenario: "本人调用".into(),
            applied_on: applied.into(),
            valid_from: from.into(),
            valid_until: until.into(),
            state: state.into(),
            origin: "holder".into(),
            created_at: 1000,
            attempts: 0,
            lease_until: None,
            leased_by: None,
            done_at: None,
            annotation_number: None,
            status_id: None,
            pdf_sha256: None,
            pdf_deleted: 0,
            failure_reason: None,
        }
    }

    #[test]
    fn states_and_download() {
        let today = d("2026-12-07");
        let done = job("a", "done", "2026-12-01", "2026-12-01", "2026-12-31");
        assert_eq!(view(&done, today, 2000).state, "ready");
        assert!(view(&done, today, 2000).download);
        assert_eq!(state_of(&job("b", "done", "2026-12-01", "2026-12-08", "2026-12-31"), today), "not_yet_valid");
        assert_eq!(state_of(&job("c", "done", "2026-10-01", "2026-10-01", "2026-12-06"), today), "expired");
        assert_eq!(state_of(&job("d", "failed", "2026-12-01", "2026-12-01", "2026-12-31"), today), "failed");
        let pending = job("e", "pending", "2026-12-07", "2026-12-07", "2026-12-31");
        assert_eq!(view(&pending, today, 1000 + OVERDUE_AFTER).state, "generating");
        assert!(!view(&pending, today, 1000 + OVERDUE_AFTER).overdue);
        assert!(view(&pending, today, 1001 + OVERDUE_AFTER).overdue);
        let mut deleted = done.clone();
        deleted.pdf_deleted = 1;
        assert!(!view(&deleted, today, 2000).download);
    }

    #[test]
    fn the_fourth_in_90_days_is_refused_with_the_next_allowed_day() {
        let rule = AnnotationRule::official();
        let today = d("2026-12-07");
        let issue = d("2023-03-15");
        let mut jobs = vec![
            job("a", "done", "2026-10-01", "2026-10-01", "2026-10-10"),
            job("b", "pending", "2026-11-01", "2026-11-01", "2026-11-10"),
            job("f", "failed", "2026-12-01", "2026-12-01", "2026-12-10"),
        ];
        assert!(can_apply(&rule, false, true, issue, &jobs, today).ok);
        jobs.push(job("c", "done", "2026-12-07", "2026-12-07", "2026-12-20"));
        let c = can_apply(&rule, false, true, issue, &jobs, today);
        assert_eq!((c.ok, c.code, c.next_allowed.as_deref()), (false, Some("ANNOTATION_TOO_MANY"), Some("2026-12-30")));
        assert!(c.message_zh.unwrap().contains("最早可于2026-12-30再次申请"));
        let e = check(&rule, false, true, issue, &jobs, today, today, 10).unwrap_err();
        assert_eq!((e.status, e.code), (409, "ANNOTATION_TOO_MANY"));
        assert_eq!(check(&rule, true, true, issue, &[], today, today, 10).unwrap_err().code, "CERTIFICATE_REVOKED");
        assert_eq!(check(&rule, false, false, issue, &[], today, today, 10).unwrap_err().code, "ANNOTATION_NOT_NEEDED");
        assert_eq!(
            check(&rule, false, true, issue, &[], today, today, 91).unwrap_err().code,
            "ANNOTATION_WINDOW_TOO_LONG"
        );
        assert_eq!(check(&rule, false, true, issue, &[], today, today, 0).unwrap_err().code, "ANNOTATION_WINDOW_EMPTY");
        assert_eq!(
            check(&rule, false, true, issue, &[], today, d("2026-12-06"), 5).unwrap_err().code,
            "ANNOTATION_STARTS_IN_PAST"
        );
        assert_eq!(
            check(&rule, false, true, issue, &[], today, d("2027-06-06"), 5).unwrap_err().code,
            "ANNOTATION_STARTS_TOO_LATE"
        );
        assert_eq!(check(&rule, false, true, issue, &[], today, today, 90), Ok(d("2027-03-06")));
    }
}
