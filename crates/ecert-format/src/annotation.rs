//! 加注 (annotation): the usage scenario and validity window a holder sets before using a certificate,
//! the issuing-side rules (window of at most 90 days; at most 3 annotations in the trailing 90 days),
//! and the verifier-side evaluation at a time of check.

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::trust_list::AnnotationRule;

/// Longest validity window of one annotation, in days (first and last day included).
pub const MAX_WINDOW_DAYS: i64 = 90;
/// The trailing window, in days including the day of application, over which annotations are counted.
pub const TRAILING_WINDOW_DAYS: i64 = 90;
/// How many annotations may be applied for within the trailing window.
pub const MAX_IN_TRAILING_WINDOW: usize = 3;
/// How far ahead of the application day a window may start.
pub const MAX_START_DELAY_DAYS: i64 = 90;

/// The usage scenario (使用场景). Only 本人调用 exists today.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Scenario {
    /// 本人调用: used by the holder themself.
    #[serde(rename = "本人调用")]
    SelfUse,
}

impl Scenario {
    pub fn zh(self) -> &'static str {
        match self {
            Scenario::SelfUse => "本人调用",
        }
    }
    pub fn en(self) -> &'static str {
        match self {
            Scenario::SelfUse => "use by the holder",
        }
    }
    /// Accepts the Chinese label or the English code `self-use`.
    pub fn parse(s: &str) -> Option<Scenario> {
        match s.trim() {
            "本人调用" | "self-use" | "self_use" => Some(Scenario::SelfUse),
            _ => None,
        }
    }
}

/// An annotation as carried in a signed certificate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Annotation {
    pub scenario: Scenario,
    /// First valid day (China time), included.
    pub valid_from: Date,
    /// Last valid day (China time), included.
    pub valid_until: Date,
    /// The annotation number (加注编号), unique per annotation.
    pub number: String,
}

impl Annotation {
    /// Days covered, first and last included.
    pub fn window_days(&self) -> i64 {
        self.valid_from.days_until(self.valid_until) + 1
    }
}

/// Why an annotation cannot be made.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AnnotationRuleError {
    #[error(
        "加注有效期最长为{max}天，所请求为{requested}天 / an annotation window is at most {max} days; {requested} requested"
    )]
    WindowTooLong { requested: i64, max: i64 },
    #[error("加注有效期至少为1天 / an annotation window covers at least one day")]
    WindowEmpty,
    #[error("加注有效期不能早于申请日 / the window cannot start before the day of application")]
    StartsInPast,
    #[error(
        "加注有效期开始日距申请日不能超过{MAX_START_DELAY_DAYS}天 / the window must start within {MAX_START_DELAY_DAYS} days of the application"
    )]
    StartsTooLate,
    #[error("加注有效期不能早于证书制发日期 / the window cannot start before the certificate was issued")]
    BeforeIssue,
    #[error(
        "自申请日向前{days}日内该证书已有{count}次有效加注，最多{max}次；最早可于{next_allowed}再次申请 / {count} annotations were already made in the trailing {days} days (at most {max}); the next is possible on {next_allowed}"
    )]
    TooManyInTrailingWindow { count: usize, max: usize, days: i64, next_allowed: Date },
    #[error("日期超出范围 / date out of range")]
    DateRange,
}

/// One annotation in a certificate's history (the issuer's ledger).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LedgerEntry {
    pub number: String,
    /// The day the holder applied for it (China time).
    pub applied_on: Date,
    pub valid_from: Date,
    pub valid_until: Date,
}

/// Check an application for a new annotation against `rule` (the signed trust list's: one source of truth for
/// issuer and verifier) and the certificate's history.
///
/// `history` holds the certificate's earlier annotations. Those applied for within the trailing
/// `rule.trailing_window_days` days (the day of application included, i.e. on or after
/// `applied_on - (trailing_window_days - 1)`) count; with `rule.max_in_trailing_window` of them a further one is
/// refused, naming the first day another becomes possible.
pub fn check_application(
    rule: &AnnotationRule,
    history: &[LedgerEntry],
    issue_date: Date,
    applied_on: Date,
    valid_from: Date,
    days: i64,
) -> Result<Date, AnnotationRuleError> {
    let max_days = i64::from(rule.max_window_days);
    let trailing = i64::from(rule.trailing_window_days);
    let max_count = usize::from(rule.max_in_trailing_window);
    if days < 1 {
        return Err(AnnotationRuleError::WindowEmpty);
    }
    if days > max_days {
        return Err(AnnotationRuleError::WindowTooLong { requested: days, max: max_days });
    }
    if valid_from < applied_on {
        return Err(AnnotationRuleError::StartsInPast);
    }
    if applied_on.days_until(valid_from) > MAX_START_DELAY_DAYS {
        return Err(AnnotationRuleError::StartsTooLate);
    }
    if valid_from < issue_date {
        return Err(AnnotationRuleError::BeforeIssue);
    }
    let window_start = applied_on.add_days(-(trailing - 1)).ok_or(AnnotationRuleError::DateRange)?;
    let mut in_window: Vec<Date> =
        history.iter().map(|e| e.applied_on).filter(|d| *d >= window_start && *d <= applied_on).collect();
    if in_window.len() >= max_count {
        in_window.sort();
        // The application becomes possible once enough of the counted ones leave the window.
        let leaving =
            in_window.len().checked_sub(max_count).and_then(|i| in_window.get(i)).copied().unwrap_or(applied_on);
        let next_allowed = leaving.add_days(trailing).ok_or(AnnotationRuleError::DateRange)?;
        return Err(AnnotationRuleError::TooManyInTrailingWindow {
            count: in_window.len(),
            max: max_count,
            days: trailing,
            next_allowed,
        });
    }
    valid_from.add_days(days - 1).ok_or(AnnotationRuleError::DateRange)
}

/// An annotation's state at a time of check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum AnnotationState {
    /// Within its window; `days_left` counts the days remaining after today (0 on the last day).
    Valid { days_left: i64 },
    /// The window ended `days_ago` days before today (1 the day after the last day).
    Expired { days_ago: i64 },
    /// The window starts in `days_until` days.
    NotYetValid { days_until: i64 },
    /// Required, but the certificate carries none.
    Missing,
    /// Not required for this certificate and none present.
    NotRequired,
}

/// Evaluate an annotation (or its absence) on the China-time day `today`.
pub fn evaluate(annotation: Option<&Annotation>, required: bool, today: Date) -> AnnotationState {
    match annotation {
        None if required => AnnotationState::Missing,
        None => AnnotationState::NotRequired,
        Some(a) if today < a.valid_from => AnnotationState::NotYetValid { days_until: today.days_until(a.valid_from) },
        Some(a) if today > a.valid_until => AnnotationState::Expired { days_ago: a.valid_until.days_until(today) },
        Some(a) => AnnotationState::Valid { days_left: today.days_until(a.valid_until) },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }
    fn rule() -> AnnotationRule {
        AnnotationRule::official()
    }
    fn entry(applied: &str) -> LedgerEntry {
        LedgerEntry { number: applied.into(), applied_on: d(applied), valid_from: d(applied), valid_until: d(applied) }
    }

    #[test]
    fn window_length_edges() {
        let issue = d("2022-01-01");
        let today = d("2026-11-23");
        assert_eq!(check_application(&rule(), &[], issue, today, today, 90), Ok(d("2027-02-20")));
        assert_eq!(
            check_application(&rule(), &[], issue, today, today, 91),
            Err(AnnotationRuleError::WindowTooLong { requested: 91, max: 90 })
        );
        assert_eq!(check_application(&rule(), &[], issue, today, today, 0), Err(AnnotationRuleError::WindowEmpty));
        assert_eq!(check_application(&rule(), &[], issue, today, today, 1), Ok(today));
        assert_eq!(
            check_application(&rule(), &[], issue, today, d("2026-11-22"), 5),
            Err(AnnotationRuleError::StartsInPast)
        );
        assert!(check_application(&rule(), &[], issue, today, today.add_days(90).unwrap(), 5).is_ok());
        assert_eq!(
            check_application(&rule(), &[], issue, today, today.add_days(91).unwrap(), 5),
            Err(AnnotationRuleError::StartsTooLate)
        );
        assert_eq!(
            check_application(&rule(), &[], d("2026-12-01"), today, today, 5),
            Err(AnnotationRuleError::BeforeIssue)
        );
    }

    #[test]
    fn three_in_trailing_ninety_days_edges() {
        let issue = d("2022-01-01");
        let today = d("2026-11-23");
        let edge = today.add_days(-89).unwrap().to_string(); // still inside the window
        let outside = today.add_days(-90).unwrap().to_string(); // just left it
        let two = [entry(&edge), entry("2026-11-01")];
        assert!(check_application(&rule(), &two, issue, today, today, 30).is_ok());
        let three = [entry(&edge), entry("2026-11-01"), entry("2026-11-23")];
        assert_eq!(
            check_application(&rule(), &three, issue, today, today, 30),
            Err(AnnotationRuleError::TooManyInTrailingWindow {
                count: 3,
                max: 3,
                days: 90,
                next_allowed: d("2026-11-24")
            })
        );
        let three_one_old = [entry(&outside), entry("2026-11-01"), entry("2026-11-23")];
        assert!(check_application(&rule(), &three_one_old, issue, today, today, 30).is_ok());
        // Entries recorded after the application day (clock skew in a ledger) do not count against it.
        let future = [entry("2026-11-24"), entry("2026-11-25"), entry("2026-11-26")];
        assert!(check_application(&rule(), &future, issue, today, today, 30).is_ok());
    }

    #[test]
    fn a_tightened_rule_is_applied() {
        let issue = d("2022-01-01");
        let today = d("2026-11-23");
        let tight =
            AnnotationRule { max_window_days: 30, max_in_trailing_window: 1, trailing_window_days: 60, ..rule() };
        assert_eq!(
            check_application(&tight, &[], issue, today, today, 31),
            Err(AnnotationRuleError::WindowTooLong { requested: 31, max: 30 })
        );
        assert!(check_application(&tight, &[], issue, today, today, 30).is_ok());
        let one = [entry("2026-11-01")];
        assert_eq!(
            check_application(&tight, &one, issue, today, today, 30),
            Err(AnnotationRuleError::TooManyInTrailingWindow {
                count: 1,
                max: 1,
                days: 60,
                next_allowed: d("2026-12-31")
            })
        );
        assert!(check_application(&rule(), &one, issue, today, today, 30).is_ok());
    }

    #[test]
    fn evaluation_edges() {
        let a = Annotation {
            scenario: Scenario::SelfUse,
            valid_from: d("2026-11-01"),
            valid_until: d("2026-11-30"),
            number: "A1".into(),
        };
        assert_eq!(a.window_days(), 30);
        assert_eq!(evaluate(Some(&a), true, d("2026-10-31")), AnnotationState::NotYetValid { days_until: 1 });
        assert_eq!(evaluate(Some(&a), true, d("2026-11-01")), AnnotationState::Valid { days_left: 29 });
        assert_eq!(evaluate(Some(&a), true, d("2026-11-30")), AnnotationState::Valid { days_left: 0 });
        assert_eq!(evaluate(Some(&a), true, d("2026-12-01")), AnnotationState::Expired { days_ago: 1 });
        assert_eq!(evaluate(None, true, d("2026-12-01")), AnnotationState::Missing);
        assert_eq!(evaluate(None, false, d("2026-12-01")), AnnotationState::NotRequired);
    }

    #[test]
    fn scenario_serializes_in_chinese() {
        assert_eq!(serde_json::to_string(&Scenario::SelfUse).unwrap(), "\"本人调用\"");
        assert_eq!(Scenario::parse("self-use"), Some(Scenario::SelfUse));
        assert_eq!(Scenario::parse("他人调用"), None);
    }
}
