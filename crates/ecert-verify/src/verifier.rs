//! Runs the checks in order and assembles the [`Verdict`].

use ecert_format::annotation::{AnnotationState, evaluate};
use ecert_format::{CertificateRecord, Date, Registry, SealingDayError, StatusInput, copy_status_id, mask_id_number};
use ecert_pdf_structure::{Budget, Document, walk};

use crate::canonical_form;
use crate::embedded_record;
use crate::messages;
use crate::modification::{describe_unreadable_tail, describe_updates};
use crate::seal_signature::{TrustFailure, TrustedSigner, VerifiedSignature, evaluate_signer, verify_signature};
use crate::signature_field::{self, FieldError};
use crate::status_check::{self, StatusEvidence};
use crate::trust::VerifiedTrustList;
use crate::verdict::{
    AnnotationView, CertificateView, Check, CheckId, FileFacts, IssuerView, Outcome, QualificationView, SealView,
    StatusView, Summary, VERDICT_SCHEMA, Verdict, VerdictCode,
};

/// Caller choices.
#[derive(Clone, Debug, Default)]
pub struct VerifyOptions {
    /// Show the full 证件号码 instead of the masked form.
    pub reveal_id_number: bool,
    /// Structural limits (file size, revisions, objects, nesting, decompressed bytes).
    pub budget: Budget,
}

/// The certified revision: format v1 certificates are sealed in the file's first revision.
const CERTIFIED: usize = 0;
/// How many `%%EOF` markers are tried when looking for an intact signed revision inside a file that does not
/// walk as a whole.
const MAX_PREFIX_CANDIDATES: usize = 8;

struct Builder {
    checks: Vec<Check>,
    verdict: Verdict,
}

impl Builder {
    fn new(pdf: &[u8], at_unix: i64, clock: i64, time_floor: Option<i64>) -> Builder {
        Builder {
            checks: vec![status_check::clock_check(clock, time_floor)],
            verdict: Verdict {
                schema: VERDICT_SCHEMA.to_owned(),
                code: VerdictCode::Malformed,
                state: VerdictCode::Malformed.state(),
                summary: Summary { zh: String::new(), en: String::new() },
                checked_at: at_unix,
                clock,
                time_floor,
                file: FileFacts { size: pdf.len() as u64, revisions: 0 },
                checks: Vec::new(),
                certificate: None,
                seal: None,
                annotation: None,
                status: StatusView {
                    state: "not_checked".into(),
                    source: "none".into(),
                    as_of: None,
                    revoked_at: None,
                    reason: None,
                    snapshot: None,
                },
                status_id: None,
                modifications: Vec::new(),
            },
        }
    }

    fn add(&mut self, id: CheckId, outcome: Outcome, code: &str, zh: String, en: String, verdict: Option<VerdictCode>) {
        self.checks.push(Check { id, outcome, code: code.to_owned(), zh, en, verdict });
    }

    fn pass(&mut self, id: CheckId, zh: &str, en: &str) {
        self.add(id, Outcome::Pass, "OK", zh.to_owned(), en.to_owned(), None);
    }

    fn fail(&mut self, id: CheckId, code: &str, zh: String, en: String, verdict: VerdictCode) {
        self.add(id, Outcome::Fail, code, zh, en, Some(verdict));
    }

    fn skip_rest(&mut self, after: &[CheckId]) {
        for id in ALL_CHECKS {
            if !after.contains(&id) && !self.checks.iter().any(|c| c.id == id) {
                self.add(
                    id,
                    Outcome::Skipped,
                    "NOT_RUN",
                    "未检查（前序检查未通过）".into(),
                    "not checked (an earlier check failed)".into(),
                    None,
                );
            }
        }
    }

    fn finish(mut self) -> Verdict {
        self.skip_rest(&[]);
        self.verdict.checks = self.checks;
        finalize(&mut self.verdict);
        self.verdict
    }
}

/// Every check, in the order they run.
const ALL_CHECKS: [CheckId; 10] = [
    CheckId::Clock,
    CheckId::Structure,
    CheckId::Signature,
    CheckId::Modification,
    CheckId::Trust,
    CheckId::Canonical,
    CheckId::Authorization,
    CheckId::Record,
    CheckId::Annotation,
    CheckId::Status,
];

/// Whether a check must have passed for a `VALID`: all but the status (a verifier without a status source
/// reports `not_checked`, which the verdict shows) and the clock (a clock behind the signed floor is reported;
/// the floor is used instead).
fn required_for_valid(id: CheckId) -> bool {
    !matches!(id, CheckId::Status | CheckId::Clock)
}

/// The overall code: the most severe failure; or `VALID` only when every required check ran and passed and no
/// check contributed a code. A required check that is missing, skipped or only warned — which no path of
/// [`verify`] produces — is never `VALID`: it ends as `MALFORMED` (fail closed).
fn overall_code(checks: &[Check]) -> VerdictCode {
    if let Some(worst) = checks.iter().filter_map(|c| c.verdict).min() {
        return worst;
    }
    let passed = |id: CheckId| checks.iter().any(|c| c.id == id && c.outcome == Outcome::Pass);
    let each_once = |id: CheckId| checks.iter().filter(|c| c.id == id).count() == 1;
    if ALL_CHECKS.iter().filter(|&&id| required_for_valid(id)).all(|&id| passed(id) && each_once(id)) {
        VerdictCode::Valid
    } else {
        VerdictCode::Malformed
    }
}

/// Recompute code, state and summary from the checks.
fn finalize(v: &mut Verdict) {
    v.code = overall_code(&v.checks);
    v.state = v.code.state();
    v.summary = messages::summary(v);
}

/// Verify one certificate PDF with no status snapshot: [`verify_with`] with `status` as the registry's answer.
pub fn verify(
    pdf: &[u8],
    trust: &VerifiedTrustList,
    at_unix: i64,
    status: &StatusInput,
    options: &VerifyOptions,
) -> Verdict {
    verify_with(pdf, trust, at_unix, &StatusEvidence { snapshot: None, registry: status }, options)
}

/// Verify one certificate PDF. Never panics; every input gets a verdict; nothing unclear is `VALID`.
///
/// `clock` is the device's time (Unix seconds). The time of check is `max(clock, floor)`, where the floor is the
/// signed `issued_at` of the status snapshot held: a clock set back can't make an expired 加注 current (a clock
/// behind the floor is reported in the `clock` check). The 加注 window is judged on the time of check's
/// China-time day. `status` is the snapshot and/or the registry's answer.
pub fn verify_with(
    pdf: &[u8],
    trust: &VerifiedTrustList,
    clock: i64,
    status: &StatusEvidence<'_>,
    options: &VerifyOptions,
) -> Verdict {
    let floor = status.snapshot.map(|s| s.issued_at());
    let at_unix = floor.map_or(clock, |f| clock.max(f));
    let mut b = Builder::new(pdf, at_unix, clock, floor);

    // 1. Structure. A file that does not walk as a whole may still begin with an intact sealed revision
    //    followed by appended bytes (an update without its own xref, trailing data, shadow-attack xrefs):
    //    that is MODIFIED, not merely MALFORMED — but only when the sealed revision verifies on its own.
    let (doc, tail) = match walk(pdf, &options.budget) {
        Ok(doc) => (doc, None),
        Err(error) => match recover_sealed_prefix(pdf, &options.budget) {
            Some((doc, prefix_len)) => (doc, Some((error, pdf.len().saturating_sub(prefix_len)))),
            None if error.code() == "ENCRYPTED" => {
                b.fail(
                    CheckId::Structure,
                    error.code(),
                    "文件已加密（设置了打开或权限密码），无法核验；签发的原始证书文件不加密。".into(),
                    "The PDF is encrypted (an open or permissions password was set), so it cannot be checked; issued certificates are never encrypted.".into(),
                    VerdictCode::Encrypted,
                );
                return b.finish();
            }
            None => {
                b.fail(
                    CheckId::Structure,
                    error.code(),
                    format!("文件结构不合规范（{}）。", error.code()),
                    format!("The PDF structure is not acceptable: {error}."),
                    VerdictCode::Malformed,
                );
                return b.finish();
            }
        },
    };
    b.verdict.file.revisions = u32::try_from(doc.revisions().len()).unwrap_or(u32::MAX);
    match &tail {
        None => b.pass(CheckId::Structure, "文件结构完整、规范。", "The PDF structure is well-formed."),
        Some((error, appended)) => {
            b.verdict.modifications.push(describe_unreadable_tail(error.code(), *appended));
            b.fail(
                CheckId::Structure,
                error.code(),
                format!("签章版本之后有不合规范的追加内容（{}）。", error.code()),
                format!("Bytes after the sealed revision are not a valid update: {error}."),
                VerdictCode::Modified,
            );
        }
    }

    // 2. The certification signature of the first revision.
    let sig = match signature_field::locate(&doc, CERTIFIED) {
        Ok(sig) => sig,
        Err(e) => {
            let verdict = match e {
                FieldError::Structure(_) => VerdictCode::Malformed,
                _ => VerdictCode::NotACertificate,
            };
            b.fail(
                CheckId::Signature,
                e.code(),
                "文件首个版本中没有符合要求的证书签章（认证签名）。".into(),
                format!("No ecert certification signature in the first revision: {}.", e.detail()),
                verdict,
            );
            return b.finish();
        }
    };
    let Ok(revision) = doc.revision(CERTIFIED) else {
        return b.finish();
    };
    let signed: VerifiedSignature = match verify_signature(pdf, sig.dict, revision) {
        Ok(s) => s,
        Err(e) => {
            b.fail(
                CheckId::Signature,
                e.code(),
                "签章验证失败：签名与文件内容不符。".into(),
                format!("The seal's signature is invalid: {}.", e.detail()),
                VerdictCode::SignatureInvalid,
            );
            // Later revisions are still worth describing; but with no seal that verifies, "nothing was changed
            // after the seal" cannot be said: without any, the check is left not run.
            let updates = describe_updates(&doc, CERTIFIED);
            if !updates.is_empty() || !b.verdict.modifications.is_empty() {
                modifications(&mut b, updates);
            }
            return b.finish();
        }
    };
    b.pass(
        CheckId::Signature,
        "签章的密码学验证通过，签名覆盖整个签章版本。",
        "The seal's signature verifies and covers the whole sealed revision.",
    );

    // 3. Modifications after the certified revision.
    modifications(&mut b, describe_updates(&doc, CERTIFIED));

    // 4. Trust: the seal, dated by its trusted time-stamp, under a trust list that is still current.
    let signer = match evaluate_signer(&signed.cms, trust, at_unix) {
        Ok(s) if at_unix >= trust.list().next_update => {
            b.fail(
                CheckId::Trust,
                "TRUST_LIST_EXPIRED",
                format!(
                    "信任列表（第 {} 版）已于 {} 过期，无法确认印章当前是否仍可信；请联网更新信任列表后再核验。",
                    trust.sequence(),
                    china_date(trust.list().next_update)
                ),
                format!(
                    "The trust list (sequence {}) expired on {}, so the seal cannot be confirmed as still trusted; connect to update the trust list, then check again.",
                    trust.sequence(),
                    china_date(trust.list().next_update)
                ),
                VerdictCode::TrustListExpired,
            );
            Some(s)
        }
        Ok(s) => {
            b.add(
                CheckId::Trust,
                Outcome::Pass,
                "OK",
                format!(
                    "印章「{}」在信任列表中；可信时间戳（{}）证明其盖章时间为 {}，当时印章及其证书链均有效。",
                    s.issuer.seal_name_zh,
                    s.tsa.name_zh,
                    china_time(s.sealed_at)
                ),
                format!(
                    "The seal of {} is in the trust list; a trusted time-stamp ({}) proves it sealed at {}, when the seal and its certificate chain were valid.",
                    s.issuer.name_en,
                    s.tsa.name_en,
                    china_time(s.sealed_at)
                ),
                None,
            );
            Some(s)
        }
        Err(e) => {
            let (zh, en) = trust_failure_text(&e);
            b.fail(CheckId::Trust, e.code(), zh, en, VerdictCode::UntrustedSeal);
            None
        }
    };

    // 4b. One canonical file: exactly the bytes the issuer writes.
    let issued = signer.as_ref().map(|s| [s.cert.der(), s.ca.der()]);
    canonical(&mut b, pdf, &signed, issued);

    // 5. The record, from the signed revision only.
    let registry = Registry::builtin();
    let record = match embedded_record::read(&doc, CERTIFIED, registry) {
        Ok((r, bytes)) => {
            b.pass(
                CheckId::Record,
                "已从签章版本中读取证书机读记录。",
                "The certificate record was read from the sealed revision.",
            );
            Some((r, copy_status_id(&bytes)))
        }
        Err(e) => {
            b.fail(
                CheckId::Record,
                e.code(),
                "签章版本中没有有效的证书机读记录。".into(),
                format!("No valid certificate record in the sealed revision: {}.", e.detail()),
                VerdictCode::NotACertificate,
            );
            None
        }
    };

    let (Some(signer), Some((record, copy_id))) = (signer, record) else {
        return b.finish();
    };

    // 6. Authorization: the trusted issuer may seal this qualification, the record names that issuer, and it
    //    sealed the record at a time it could have (not before its issue date; an annotated copy when its 加注
    //    was made).
    authorize(&mut b, &signer, &record, registry);

    // 7. Fields, seal and annotation.
    fill_views(&mut b, &signer, &record, options);
    annotation(&mut b, trust, &signer, &record, at_unix);

    // 8. Status of this exact copy: the signed snapshot and/or the registry.
    b.verdict.status_id = Some(ecert_format::trust_list::hex(&copy_id));
    let copy = status_check::Copy { id: &copy_id, sealed_at: signer.sealed_at };
    let (check, view) = status_check::status_check(status, &copy, at_unix, trust.list().max_status_age);
    b.checks.push(check);
    b.verdict.status = view;
    b.finish()
}

fn modifications(b: &mut Builder, updates: Vec<crate::verdict::Modification>) {
    if updates.is_empty() && b.verdict.modifications.is_empty() {
        b.pass(
            CheckId::Modification,
            "签章后文件未被修改（无追加修订）。",
            "Nothing was changed after the seal (no later revision).",
        );
        return;
    }
    let count = updates.len();
    b.verdict.modifications.extend(updates);
    if count > 0 {
        b.fail(
            CheckId::Modification,
            "REVISIONS_AFTER_SEAL",
            format!("签章后追加了 {count} 个修订；该证书禁止签章后的任何改动。"),
            format!("{count} revision(s) were appended after the seal, which forbids any change."),
            VerdictCode::Modified,
        );
    } else {
        b.fail(
            CheckId::Modification,
            "BYTES_AFTER_SEAL",
            "签章版本之后追加了内容。".into(),
            "Bytes were appended after the sealed revision.".into(),
            VerdictCode::Modified,
        );
    }
}

fn canonical(b: &mut Builder, pdf: &[u8], signed: &VerifiedSignature, issued: Option<[&[u8]; 2]>) {
    let found = canonical_form::deviations(pdf, signed, issued);
    let Some(first) = found.first() else {
        b.pass(
            CheckId::Canonical,
            "文件与签发时的原件逐字节一致（唯一规范形式）。",
            "The file is byte for byte the form the issuer writes (its one canonical form).",
        );
        return;
    };
    let zh: Vec<&str> = found.iter().map(|d| d.text().0).collect();
    let en: Vec<&str> = found.iter().map(|d| d.text().1).collect();
    b.fail(
        CheckId::Canonical,
        first.code(),
        format!("签名本身完好，但这不是签发的原始文件：{}", zh.join("")),
        format!("The signature is intact, but this is not the file as issued: {}", en.join(" ")),
        VerdictCode::NonCanonical,
    );
}

/// The record's own dates against the day its trusted time-stamp proves it was sealed
/// ([`CertificateRecord::check_sealing_day`], the rule the issuer applies too).
fn sealing_time_problem(sealed_at: i64, record: &CertificateRecord) -> Option<(&'static str, String, String)> {
    let Some(sealed_on) = Date::in_china_at(sealed_at) else {
        return Some(("BAD_CHECK_TIME", "盖章时间超出范围。".into(), "The sealing time is out of range.".into()));
    };
    match record.check_sealing_day(sealed_on).err()? {
        SealingDayError::BeforeIssueDate { sealed_on, issue_date } => Some((
            "SEALED_BEFORE_ISSUE_DATE",
            format!("可信时间戳证明该证书于 {sealed_on} 盖章，早于其制发日期 {issue_date}，真实签发不会如此。"),
            format!(
                "The trusted time-stamp shows it was sealed on {sealed_on}, before its issue date {issue_date}: no genuine issuance does that."
            ),
        )),
        SealingDayError::AnnotationNotSealedWhenMade { sealed_on, valid_from } => Some((
            "ANNOTATION_NOT_SEALED_WHEN_MADE",
            format!(
                "加注件应在加注时生成，但可信时间戳证明它于 {sealed_on} 盖章，与自 {valid_from} 起的加注有效期不符。"
            ),
            format!(
                "An annotated copy is sealed when its annotation is made, but the trusted time-stamp shows {sealed_on}, which does not fit a window starting {valid_from}."
            ),
        )),
    }
}

fn authorize(b: &mut Builder, signer: &TrustedSigner<'_>, record: &CertificateRecord, registry: &Registry) {
    let code = &record.qualification.code;
    let registry_issuer = registry.qualification(code).map(|q| q.issuer.as_str());
    if let Some((problem, zh, en)) = sealing_time_problem(signer.sealed_at, record) {
        b.fail(CheckId::Authorization, problem, zh, en, VerdictCode::SealNotAuthorized);
    } else if record.issuer.id != signer.issuer.id {
        b.fail(
            CheckId::Authorization,
            "ISSUER_MISMATCH",
            format!("记录中的发证机构（{}）与签章机构（{}）不一致。", record.issuer.name_zh, signer.issuer.name_zh),
            format!(
                "The record names the issuer {}, but the seal belongs to {}.",
                registry.issuer(&record.issuer.id).map_or(record.issuer.id.as_str(), |i| i.name_en.as_str()),
                signer.issuer.name_en
            ),
            VerdictCode::SealNotAuthorized,
        );
    } else if !signer.issuer.qualifications.iter().any(|q| q == code)
        || registry_issuer != Some(signer.issuer.id.as_str())
    {
        b.fail(
            CheckId::Authorization,
            "QUALIFICATION_NOT_AUTHORIZED",
            format!("「{}」无权签发「{}」。", signer.issuer.seal_name_zh, record.qualification.name_zh),
            format!("{} may not seal {} ({code}).", signer.issuer.name_en, record.qualification.name_en),
            VerdictCode::SealNotAuthorized,
        );
    } else {
        b.pass(
            CheckId::Authorization,
            "该印章有权签发此类资格证书。",
            "The seal is authorized for this qualification.",
        );
    }
}

fn fill_views(b: &mut Builder, signer: &TrustedSigner<'_>, record: &CertificateRecord, options: &VerifyOptions) {
    let registry = Registry::builtin();
    let style = registry.qualification(&record.qualification.code).map(|q| u8::from(q.style)).unwrap_or(0);
    let id_number = if options.reveal_id_number {
        record.holder.id_number.clone()
    } else {
        mask_id_number(&record.holder.id_number)
    };
    b.verdict.certificate = Some(CertificateView {
        management_number: record.management_number.clone(),
        query_number: record.query_number.clone(),
        holder_name: record.holder.name.clone(),
        id_number,
        id_number_masked: !options.reveal_id_number,
        sex: record.holder.sex,
        birth: record.holder.birth.to_string(),
        approval_date: record.approval_date.to_string(),
        issue_date: record.issue_date.to_string(),
        qualification: QualificationView {
            code: record.qualification.code.clone(),
            name_zh: record.qualification.name_zh.clone(),
            name_en: record.qualification.name_en.clone(),
            style,
        },
        issuer: IssuerView {
            id: signer.issuer.id.clone(),
            kind: signer.issuer.kind,
            name_zh: signer.issuer.name_zh.clone(),
            name_en: signer.issuer.name_en.clone(),
        },
    });
    b.verdict.seal = Some(SealView {
        issuer_id: signer.issuer.id.clone(),
        seal_name_zh: signer.issuer.seal_name_zh.clone(),
        key_id: signer.seal.key_id.clone(),
        subject_cn: signer.cert.subject_cn().unwrap_or_default().to_owned(),
        signing_time: signer.signing_time,
        sealed_at: signer.sealed_at,
        tsa_id: signer.tsa.id.clone(),
        tsa_name_zh: signer.tsa.name_zh.clone(),
        certificate_not_before: signer.cert.not_before(),
        certificate_not_after: signer.cert.not_after(),
    });
}

fn annotation(
    b: &mut Builder,
    trust: &VerifiedTrustList,
    signer: &TrustedSigner<'_>,
    record: &CertificateRecord,
    at_unix: i64,
) {
    let Some(today) = Date::in_china_at(at_unix) else {
        b.fail(
            CheckId::Annotation,
            "BAD_CHECK_TIME",
            "核验时间无效。".into(),
            "The time of check is out of range.".into(),
            VerdictCode::Malformed,
        );
        return;
    };
    let required = trust.list().annotation_rule.requires_annotation(record.issue_date, signer.issuer.kind);
    let state = evaluate(record.annotation.as_ref(), required, today);
    let a = record.annotation.as_ref();
    let mut view = AnnotationView {
        state: String::new(),
        scenario: a.map(|a| a.scenario.zh().to_owned()),
        valid_from: a.map(|a| a.valid_from.to_string()),
        valid_until: a.map(|a| a.valid_until.to_string()),
        number: a.map(|a| a.number.clone()),
        days_left: None,
        days_ago: None,
        days_until: None,
    };
    let window = a.map(|a| format!("{} 至 {}", a.valid_from, a.valid_until)).unwrap_or_default();
    let window_en = a.map(|a| format!("{} to {}", a.valid_from, a.valid_until)).unwrap_or_default();
    // The signed trust list's rule is the one source of truth for the window's length.
    let max_days = i64::from(trust.list().annotation_rule.max_window_days);
    if let Some(days) = a.map(|a| a.window_days()).filter(|&days| days > max_days) {
        view.state = "invalid".into();
        b.fail(
            CheckId::Annotation,
            "ANNOTATION_WINDOW_TOO_LONG",
            format!("加注有效期为 {days} 天（{window}），超过信任列表规定的最长 {max_days} 天，该加注无效。"),
            format!(
                "The annotation's window is {days} days ({window_en}), longer than the trust list's maximum of {max_days}; it is not valid."
            ),
            VerdictCode::AnnotationInvalid,
        );
        b.verdict.annotation = Some(view);
        return;
    }
    match state {
        AnnotationState::Valid { days_left } => {
            view.state = "valid".into();
            view.days_left = Some(days_left);
            b.add(
                CheckId::Annotation,
                Outcome::Pass,
                "OK",
                format!("加注有效：{window}，还剩 {days_left} 天。"),
                format!("The annotation is valid: {window_en}, {days_left} day(s) left."),
                None,
            );
        }
        AnnotationState::Expired { days_ago } => {
            view.state = "expired".into();
            view.days_ago = Some(days_ago);
            b.fail(
                CheckId::Annotation,
                "ANNOTATION_EXPIRED",
                format!("加注已过期：{window}，已过期 {days_ago} 天。"),
                format!("The annotation expired: {window_en}, {days_ago} day(s) ago."),
                VerdictCode::AnnotationExpired,
            );
        }
        AnnotationState::NotYetValid { days_until } => {
            view.state = "not_yet_valid".into();
            view.days_until = Some(days_until);
            b.fail(
                CheckId::Annotation,
                "ANNOTATION_NOT_YET_VALID",
                format!("加注尚未生效：{window}，{days_until} 天后生效。"),
                format!("The annotation is not valid yet: {window_en}, starts in {days_until} day(s)."),
                VerdictCode::AnnotationNotYetValid,
            );
        }
        AnnotationState::Missing => {
            view.state = "missing".into();
            b.fail(
                CheckId::Annotation,
                "ANNOTATION_MISSING",
                "该证书须加注后使用，但未加注。".into(),
                "This certificate must carry an annotation, and carries none.".into(),
                VerdictCode::AnnotationMissing,
            );
        }
        AnnotationState::NotRequired => {
            view.state = "not_required".into();
            b.add(
                CheckId::Annotation,
                Outcome::Pass,
                "NOT_REQUIRED",
                "2021年12月17日前由行业协会制发的证书无需加注。".into(),
                "Association certificates issued before 2021-12-17 need no annotation.".into(),
                None,
            );
        }
    }
    b.verdict.annotation = Some(view);
}

fn trust_failure_text(e: &TrustFailure) -> (String, String) {
    match e {
        TrustFailure::SelfSigned { key_id } => (
            "签章使用的是文件自带的自签名密钥，不受信任。".into(),
            format!(
                "The seal key is self-signed and carried in the file (key {}…); such keys are never trusted.",
                short(key_id)
            ),
        ),
        TrustFailure::NotListed { key_id } => (
            "签章密钥不在信任列表中。".into(),
            format!("The signing key (key {}…) is not a seal in the trust list.", short(key_id)),
        ),
        TrustFailure::ForeignCertificate => (
            "签名中夹带了信任列表之外的证书。".into(),
            "The signature carries a certificate that is neither the seal's nor its issuer's from the trust list."
                .into(),
        ),
        TrustFailure::NoSigningTime => ("签名缺少签章时间。".into(), "The signature carries no signing time.".into()),
        TrustFailure::TimeStampMissing => (
            "签章没有可信时间戳，盖章时间只是签章方自己的声明，无法证明印章当时有效。".into(),
            "The seal carries no time-stamp: its time is only the signer's own claim, which proves nothing.".into(),
        ),
        TrustFailure::TimeStampInvalid { detail } => (
            "签章的时间戳无效（无法验证，或不属于这一签名）。".into(),
            format!("The seal's time-stamp is not valid: {detail}."),
        ),
        TrustFailure::TimeStampAuthorityUntrusted => (
            "签章的时间戳不是由信任列表中的时间戳服务机构签发的。".into(),
            "The seal's time-stamp was not issued by a time-stamping authority of the trust list.".into(),
        ),
        TrustFailure::TimeStampAuthorityNotValid { gen_time } => (
            format!("时间戳服务机构在时间戳所示时间（{}）不在其有效期内。", china_time(*gen_time)),
            format!("The time-stamping authority was not valid at the time-stamp's time ({}).", china_time(*gen_time)),
        ),
        TrustFailure::TimeStampInFuture { gen_time } => (
            format!("时间戳时间（{}）晚于核验时间。", china_time(*gen_time)),
            format!("The time-stamp's time ({}) is after the time of check.", china_time(*gen_time)),
        ),
        TrustFailure::SigningTimeMismatch { signing_time, gen_time } => (
            format!(
                "签章方声明的签章时间（{}）与可信时间戳（{}）不符。",
                china_time(*signing_time),
                china_time(*gen_time)
            ),
            format!(
                "The claimed signing time ({}) disagrees with the trusted time-stamp ({}).",
                china_time(*signing_time),
                china_time(*gen_time)
            ),
        ),
        TrustFailure::OutsideUseWindow { sealed_at, use_from, use_until } => (
            format!(
                "可信时间戳证明盖章时间为 {}，不在该印章的使用期（{} 至 {}）内。",
                china_time(*sealed_at),
                china_date(*use_from),
                china_date(*use_until)
            ),
            format!(
                "The trusted time-stamp shows it was sealed at {}, outside the seal's use window ({} to {}).",
                china_time(*sealed_at),
                china_date(*use_from),
                china_date(*use_until)
            ),
        ),
        TrustFailure::CaNotValid { sealed_at } => (
            format!("盖章时（{}）印章所属机构的 CA 证书不在有效期内。", china_time(*sealed_at)),
            format!("The issuer's CA certificate was not valid when the seal was made ({}).", china_time(*sealed_at)),
        ),
    }
}

fn short(key_id: &str) -> &str {
    key_id.get(..16).unwrap_or(key_id)
}

/// `YYYY-MM-DD HH:MM` in China time.
pub(crate) fn china_time(unix: i64) -> String {
    let Some(date) = Date::in_china_at(unix) else {
        return unix.to_string();
    };
    let secs = unix.saturating_add(ecert_format::date::CHINA_UTC_OFFSET_SECONDS).rem_euclid(86_400);
    format!("{date} {:02}:{:02}", secs / 3600, secs / 60 % 60)
}

pub(crate) fn china_date(unix: i64) -> String {
    Date::in_china_at(unix).map(|d| d.to_string()).unwrap_or_else(|| unix.to_string())
}

/// Look for an intact sealed revision at the start of a file that does not walk as a whole: a prefix of `pdf`
/// ending just after one of its first `%%EOF` markers (with or without the marker's EOL) that walks on its own
/// and whose first revision carries a certification signature that verifies. Returns the prefix's document and
/// length. Files over the size budget are not searched.
fn recover_sealed_prefix(pdf: &[u8], budget: &Budget) -> Option<(Document, usize)> {
    if pdf.len() > budget.max_file_size {
        return None;
    }
    let mut tried = 0;
    let mut from = 0;
    while tried < MAX_PREFIX_CANDIDATES {
        let at = find(pdf.get(from..)?, b"%%EOF")?.checked_add(from)?;
        from = at.checked_add(5)?;
        let eol = match pdf.get(from..) {
            Some([b'\r', b'\n', ..]) => 2,
            Some([b'\n' | b'\r', ..]) => 1,
            _ => 0,
        };
        for end in [from.checked_add(eol)?, from] {
            if end >= pdf.len() {
                continue;
            }
            tried += 1;
            let prefix = pdf.get(..end)?;
            let Ok(doc) = walk(prefix, budget) else { continue };
            let intact = signature_field::locate(&doc, CERTIFIED)
                .ok()
                .and_then(|sig| Some((sig, doc.revision(CERTIFIED).ok()?)))
                .is_some_and(|(sig, rev)| verify_signature(prefix, sig.dict, rev).is_ok());
            if intact {
                return Some((doc, end));
            }
            if eol == 0 {
                break;
            }
        }
    }
    None
}

/// First occurrence of `needle` (non-empty) in `haystack`, scanning for its first byte.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let mut i = 0;
    while let Some(p) = haystack.get(i..)?.iter().position(|&b| b == first) {
        let at = i.checked_add(p)?;
        if haystack.get(at.checked_add(1)?..)?.starts_with(rest) {
            return Some(at);
        }
        i = at.checked_add(1)?;
    }
    None
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn check(id: CheckId, outcome: Outcome, verdict: Option<VerdictCode>) -> Check {
        Check { id, outcome, code: "X".into(), zh: String::new(), en: String::new(), verdict }
    }

    fn all_passed() -> Vec<Check> {
        let mut checks: Vec<Check> =
            ALL_CHECKS.iter().filter(|&&id| required_for_valid(id)).map(|&id| check(id, Outcome::Pass, None)).collect();
        checks.push(check(CheckId::Status, Outcome::Skipped, None));
        checks
    }

    #[test]
    fn valid_only_when_every_required_check_passed() {
        assert_eq!(overall_code(&all_passed()), VerdictCode::Valid);
        let required: Vec<CheckId> = ALL_CHECKS.into_iter().filter(|&id| required_for_valid(id)).collect();
        assert_eq!(required.len(), 8);
        for (i, id) in required.iter().enumerate() {
            // Missing.
            let mut missing = all_passed();
            missing.remove(i);
            assert_ne!(overall_code(&missing), VerdictCode::Valid, "{id:?} missing");
            // Skipped, or only warned about, with no code of its own.
            for outcome in [Outcome::Skipped, Outcome::Warn, Outcome::Fail] {
                let mut weak = all_passed();
                weak[i].outcome = outcome;
                assert_ne!(overall_code(&weak), VerdictCode::Valid, "{id:?} {outcome:?}");
            }
            // Reported twice (once passed, once not): never VALID.
            let mut twice = all_passed();
            twice.push(check(*id, Outcome::Skipped, None));
            assert_ne!(overall_code(&twice), VerdictCode::Valid, "{id:?} twice");
        }
        assert_eq!(overall_code(&[]), VerdictCode::Malformed);
    }

    #[test]
    fn the_most_severe_failure_wins() {
        let mut checks = all_passed();
        checks.push(check(CheckId::Annotation, Outcome::Fail, Some(VerdictCode::AnnotationExpired)));
        checks.push(check(CheckId::Trust, Outcome::Fail, Some(VerdictCode::TrustListExpired)));
        assert_eq!(overall_code(&checks), VerdictCode::AnnotationExpired);
        checks.push(check(CheckId::Canonical, Outcome::Fail, Some(VerdictCode::NonCanonical)));
        assert_eq!(overall_code(&checks), VerdictCode::NonCanonical);
    }

    #[test]
    fn codes_are_ordered_and_named_once() {
        let all = VerdictCode::ALL;
        assert!(all.windows(2).all(|w| w[0] < w[1]), "ALL is most severe first");
        let names: std::collections::BTreeSet<&str> = all.iter().map(|c| c.as_str()).collect();
        assert_eq!(names.len(), all.len());
        assert_eq!(all.last(), Some(&VerdictCode::Valid));
    }
}
