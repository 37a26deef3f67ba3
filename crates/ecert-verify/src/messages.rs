//! The one-sentence summary of a verdict, Chinese first, with English.

use crate::verdict::{CheckId, Summary, Verdict, VerdictCode};

/// The text of the first failing check with `id` (its detail sentence), the English one starting in lower case
/// so that it continues a sentence.
fn check_text(v: &Verdict, id: CheckId) -> (String, String) {
    let Some(c) = v.checks.iter().find(|c| c.id == id && c.verdict.is_some()) else {
        return Default::default();
    };
    // ASCII only: `char::to_lowercase` would link Unicode's case tables into the browser's verifier.
    let mut en = c.en.clone();
    if let Some(first) = en.get_mut(..1) {
        first.make_ascii_lowercase();
    }
    (c.zh.clone(), en)
}

/// Whether the signature failed because its /ByteRange no longer frames the signature in this file: what
/// re-saving by another program (which rewrites every offset) does, rather than an edit of the signed bytes.
fn resaved(v: &Verdict) -> bool {
    v.check(CheckId::Signature)
        .is_some_and(|c| matches!(c.code.as_str(), "BAD_BYTE_RANGE" | "BYTE_RANGE_GAP" | "BYTE_RANGE_END"))
}

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
        "valid" if v.status.source == "snapshot" => {
            let n = v.status.snapshot.as_ref().map_or(0, |s| s.sequence);
            (
                format!("未撤销（登记机构签名的状态快照第 {n} 号）"),
                format!("not revoked (the registry's signed status snapshot no. {n})"),
            )
        }
        "valid" => ("登记状态：有效".into(), "registry status: valid".into()),
        "not_checked" => ("撤销状态未核验".into(), "revocation status not checked".into()),
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
        VerdictCode::StatusUnknown => {
            let (dzh, den) = check_text(v, CheckId::Status);
            (format!("证书真实，但状态未知：{dzh}"), format!("Authentic, but its status is unknown: {den}"))
        }
        VerdictCode::Revoked => match (&v.status.reason, v.status.revoked_at) {
            (Some(reason), Some(at)) => {
                let day = crate::verifier::china_date(at);
                (
                    format!("证书已撤销（{day} 撤销，原因：{reason}），不再有效。"),
                    format!("The certificate was revoked on {day} (reason: {reason}); it is no longer valid."),
                )
            }
            _ => (
                "证书已撤销，不再有效（依据登记机构签名的状态快照；撤销时间和原因可向登记机构查询）。".into(),
                "The certificate has been revoked and is no longer valid (per the registry's signed status snapshot; the registry can tell when and why).".into(),
            ),
        },
        VerdictCode::NotRegistered => (
            "不能作为有效证书使用：印章真实，但登记机构没有签发过这份记录（未登记）。请向登记机构核实。".into(),
            "Not acceptable: the seal is authentic, but the registry never issued this record (not registered). Check with the registry.".into(),
        ),
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
        VerdictCode::AnnotationInvalid => (
            "证书真实，但其加注不符合信任列表规定的加注规则，该加注无效，需持证人重新加注。".into(),
            "Authentic, but its annotation breaks the trust list's annotation rule, so it is not valid; the holder must annotate it again.".into(),
        ),
        VerdictCode::TrustListExpired => (
            "无法确认：本机的信任列表已过期。请联网更新信任列表后再核验。".into(),
            "Cannot confirm: this verifier's trust list has expired. Connect to update the trust list, then check again.".into(),
        ),
        VerdictCode::NonCanonical => (
            "这不是签发的原始文件：签名本身完好，但文件被其他程序改写过。请向持证人索取从官方平台下载的原始 PDF 后再核验。".into(),
            "Not the original file issued: the signature itself is intact, but another program rewrote the file. Ask the holder for the original PDF downloaded from the official platform and check that.".into(),
        ),
        VerdictCode::SealNotAuthorized => {
            let (dzh, den) = check_text(v, CheckId::Authorization);
            (
                format!("不能作为有效证书使用：印章本身可信，但它不能为这份证书作证——{dzh}"),
                format!("Not acceptable: the seal itself is trusted, but it cannot vouch for this certificate — {den}"),
            )
        }
        VerdictCode::UntrustedSeal => {
            let (dzh, den) = check_text(v, CheckId::Trust);
            (
                format!("印章不可信，无法确认证书来源：{dzh}"),
                format!("Untrusted seal; the certificate's origin cannot be confirmed: {den}"),
            )
        }
        VerdictCode::Modified => (
            "这不是签发的原始文件：签章之后文件又被修改或另存过（例如用 PDF 软件添加批注、填写或重新保存）。请向持证人索取从官方平台下载的原始 PDF。".into(),
            "Not the original file issued: it was changed or re-saved after the seal (for example annotated, filled in or saved again in a PDF program). Ask the holder for the original PDF downloaded from the official platform.".into(),
        ),
        VerdictCode::SignatureInvalid if resaved(v) => (
            "这不是签发的原始文件：文件被其他程序重新保存过（例如 PDF 编辑器、打印为 PDF 或 qpdf），签章已不再对应文件内容。请向持证人索取从官方平台下载的原始 PDF。".into(),
            "Not the original file issued: another program re-saved it (a PDF editor, print-to-PDF, qpdf), so the seal no longer matches the file. Ask the holder for the original PDF downloaded from the official platform.".into(),
        ),
        VerdictCode::SignatureInvalid => (
            "签章验证失败：文件内容与签章不符，内容可能已被篡改。请向持证人索取从官方平台下载的原始 PDF。".into(),
            "The seal's signature does not verify: the content does not match it and may have been tampered with. Ask the holder for the original PDF downloaded from the official platform.".into(),
        ),
        VerdictCode::NotACertificate => (
            "这不是电子证书：文件中没有证书签章或证书数据。".into(),
            "This is not an electronic certificate: it carries no certificate seal or record.".into(),
        ),
        VerdictCode::Encrypted => (
            "文件已加密（设置了密码或权限），无法核验；签发的原始证书不加密。请索取未经处理的原始 PDF。".into(),
            "The file is encrypted (a password or permissions were set), so it cannot be checked; issued certificates are never encrypted. Ask for the original, unprocessed PDF.".into(),
        ),
        VerdictCode::Malformed => (
            "文件已损坏或格式不符合要求，无法验证：这不是签发的原始文件，或已被其他程序另存、转换过。请向持证人索取从官方平台下载的原始 PDF。".into(),
            "The file is damaged or not in the required format, so it cannot be verified: Not the original file issued, or re-saved or converted by another program. Ask the holder for the original PDF downloaded from the official platform.".into(),
        ),
    };
    Summary {
        zh: zh.replace("；；", "；").replace("；。", "。"), en: en.replace("; ; ", "; ").replace("; .", ".")
    }
}
