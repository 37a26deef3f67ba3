//! The one-sentence summary of a verdict, Chinese first, with English.

use crate::verdict::{Summary, Verdict, VerdictCode};

fn days_phrase_left(v: &Verdict) -> (String, String) {
    match v.annotation.as_ref() {
        Some(a) if a.state == "valid" => {
            let n = a.days_left.unwrap_or(0);
            (
                format!("加注有效（至 {}，还剩 {n} 天）", a.valid_until.as_deref().unwrap_or("?")),
                format!("the annotation is valid (until {}, {n} day(s) left)", a.valid_until.as_deref().unwrap_or("?")),
            )
        }
        Some(a) if a.state == "not_required" => ("该证书无需加注".into(), "no annotation is required".into()),
        _ => (String::new(), String::new()),
    }
}

fn status_phrase(v: &Verdict) -> (String, String) {
    match v.status.state.as_str() {
        "valid" => ("登记状态：有效".into(), "registry status: valid".into()),
        "not_checked" => ("未查询撤销状态".into(), "revocation status not checked".into()),
        _ => (String::new(), String::new()),
    }
}

/// The summary sentence for `v` (its code and fields already final).
pub fn summary(v: &Verdict) -> Summary {
    let (zh, en) = match v.code {
        VerdictCode::Valid => {
            let (azh, aen) = days_phrase_left(v);
            let (szh, sen) = status_phrase(v);
            (
                format!("证书真实有效：签章可信，内容未被改动；{azh}；{szh}。"),
                format!("Authentic and unaltered, sealed by a trusted seal; {aen}; {sen}."),
            )
        }
        VerdictCode::StatusUnknown => (
            "签名有效，状态未知：无法从登记机构确认该证书是否已撤销。".into(),
            "Signature valid, status unknown: the registry could not confirm whether it is revoked.".into(),
        ),
        VerdictCode::Revoked => {
            let reason = v.status.reason.clone().unwrap_or_default();
            (
                format!("证书已撤销（原因：{reason}），不再有效。"),
                format!("The certificate has been revoked (reason: {reason}); it is no longer valid."),
            )
        }
        VerdictCode::AnnotationExpired => {
            let n = v.annotation.as_ref().and_then(|a| a.days_ago).unwrap_or(0);
            (format!("证书真实，但加注已于 {n} 天前过期，需持证人重新加注。"),
             format!("Authentic, but the annotation expired {n} day(s) ago; the holder must annotate it again."))
        }
        VerdictCode::AnnotationNotYetValid => {
            let n = v.annotation.as_ref().and_then(|a| a.days_until).unwrap_or(0);
            (format!("证书真实，但加注尚未生效（{n} 天后生效）。"),
             format!("Authentic, but the annotation is not valid yet (it starts in {n} day(s))."))
        }
        VerdictCode::AnnotationMissing => (
            "证书真实，但缺少必需的加注：2021年12月17日及以后制发的证书须由持证人加注后使用。".into(),
            "Authentic, but the required annotation is missing: certificates issued from 2021-12-17 must be annotated by the holder.".into(),
        ),
        VerdictCode::SealNotAuthorized => (
            "印章可信，但该印章无权签发此类职业资格证书。".into(),
            "The seal is trusted, but it is not authorized to seal this qualification.".into(),
        ),
        VerdictCode::UntrustedSeal => (
            "印章不可信：签章密钥不在信任列表中，或签章时不在有效期内，无法确认证书来源。".into(),
            "Untrusted seal: the signing key is not in the trust list, or was not valid at signing time.".into(),
        ),
        VerdictCode::Modified => (
            "证书签章后被改动过，不能作为有效证书使用。".into(),
            "The certificate was changed after it was sealed; it cannot be accepted.".into(),
        ),
        VerdictCode::SignatureInvalid => (
            "签章验证失败：文件内容与签章不符，可能已被篡改。".into(),
            "The seal's signature does not verify: the content does not match it and may have been tampered with.".into(),
        ),
        VerdictCode::NotACertificate => (
            "这不是电子证书：文件中没有证书签章或证书数据。".into(),
            "This is not an electronic certificate: it carries no certificate seal or record.".into(),
        ),
        VerdictCode::Malformed => (
            "文件已损坏或格式不符合要求，无法验证。".into(),
            "The file is damaged or not in the required format; it cannot be verified.".into(),
        ),
    };
    Summary {
        zh: zh.replace("；；", "；").replace("；。", "。"), en: en.replace("; ; ", "; ").replace("; .", ".")
    }
}
