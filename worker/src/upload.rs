//! An uploaded certificate PDF (a signer's sealed 加注 copy, or an operator's base or earlier annotated copy),
//! verified exactly as `POST /v1/verify` verifies a file — the verification core under the current trust list and
//! status snapshot — with the registry's answer for the certificate the edge already knows (the copy itself may not
//! be registered yet: registering it is what the upload is for). Accepted only when the file is an authentic,
//! canonical, trusted seal over a valid record whose only possible finding is its 加注 window (`VALID`,
//! `ANNOTATION_EXPIRED`, `ANNOTATION_NOT_YET_VALID`); then the sealed record is read from the signed revision and
//! compared with the registered certificate: the same keyed record hash (every registered fact equal).

use ecert_format::{CertificateRecord, Registry, StatusInput, copy_status_id, copy_status_id_hex};
use ecert_verify::{Budget, StatusEvidence, Verdict, VerdictCode, VerifyOptions, verify_with};

use crate::crypto::sha256_hex;
use crate::error::{ApiError, ApiResult};
use crate::routes::Ctx;
use crate::storage::certificates::{CertificateRow, NewCertificate};
use crate::storage::copies::{CopyRow, CopyStatus};

/// A file that passed.
pub struct Accepted {
    pub record: CertificateRecord,
    /// The copy's status id (the digest of the sealed record bytes).
    pub status_id: [u8; 32],
    pub status_id_hex: String,
    /// Lowercase hex SHA-256 of the file.
    pub sha256: String,
    pub verdict: VerdictCode,
}

/// 422 `UPLOAD_REJECTED`: why, and the verdict when there is one.
pub fn rejected(reason: &str, zh: &str, en: &str, verdict: Option<&Verdict>) -> ApiError {
    let mut e = ApiError::new(
        422,
        "UPLOAD_REJECTED",
        format!("文件未被接受：{zh}"),
        format!("the file was not accepted: {en}"),
    )
    .with("reason", reason);
    if let Some(v) = verdict {
        e = e
            .with("verdict_code", v.code.as_str())
            .with("verdict", serde_json::from_str::<serde_json::Value>(&v.to_json()).unwrap_or_default());
    }
    e
}

/// An upload's body must be declared a PDF (or plain bytes): 415 otherwise.
pub fn require_pdf(req: &worker::Request) -> ApiResult<()> {
    match crate::http::content_type(req).as_deref() {
        Some("application/pdf") | Some("application/octet-stream") => Ok(()),
        _ => Err(ApiError::unsupported_media_type("application/pdf")),
    }
}

/// A 加注编号 names one copy: refused (`ANNOTATION_NUMBER_TAKEN`) when `registered` (the certificate's copies) has
/// it with another copy. Otherwise whether the accepted copy is new to the registry.
pub fn check_annotation_number(registered: &[CopyRow], number: &str, accepted: &Accepted) -> ApiResult<bool> {
    if registered
        .iter()
        .any(|c| c.annotation_number.as_deref() == Some(number) && c.status_id != accepted.status_id_hex)
    {
        return Err(rejected(
            "ANNOTATION_NUMBER_TAKEN",
            "该加注编号已登记了其他加注件",
            "the annotation number is registered with another copy",
            None,
        ));
    }
    Ok(!registered.iter().any(|c| c.status_id == accepted.status_id_hex))
}

/// Verify `pdf` as `POST /v1/verify` does, with `registry` as the registry's answer for its copy, and read its
/// record. Refusals are 422 `UPLOAD_REJECTED` (nothing stored).
pub async fn verify(ctx: &Ctx, pdf: &[u8], registry: &StatusInput) -> ApiResult<Accepted> {
    let limit = crate::config::max_verify_bytes(&ctx.env);
    let (trust_etag, trust) = crate::routes::verify::trust_list(ctx).await?;
    let snapshot = crate::routes::verify::snapshot(ctx, &trust_etag, &trust).await;
    let options =
        VerifyOptions { budget: Budget { max_file_size: limit, ..Budget::default() }, ..VerifyOptions::default() };
    let verdict =
        verify_with(pdf, &trust, ctx.now, &StatusEvidence { snapshot: snapshot.as_deref(), registry }, &options);
    if !matches!(verdict.code, VerdictCode::Valid | VerdictCode::AnnotationExpired | VerdictCode::AnnotationNotYetValid)
    {
        return Err(rejected(
            "VERDICT",
            &format!("核验结果为{}", verdict.code),
            &format!("the verdict is {}", verdict.code),
            Some(&verdict),
        ));
    }
    // The record, from the signed revision (the verification just read it from there).
    let doc = ecert_pdf_structure::walk(pdf, &options.budget)
        .map_err(|_| rejected("VERDICT", "文件结构无法读取", "the file's structure cannot be read", Some(&verdict)))?;
    let (record, bytes) = ecert_verify::embedded_record::read(&doc, 0, Registry::builtin())
        .map_err(|_| rejected("VERDICT", "无法读取证书记录", "the record cannot be read", Some(&verdict)))?;
    let status_id_hex = copy_status_id_hex(&bytes);
    if verdict.status_id.as_deref() != Some(status_id_hex.as_str()) {
        return Err(rejected(
            "VERDICT",
            "证书记录与核验结果不符",
            "the record differs from the verified one",
            Some(&verdict),
        ));
    }
    Ok(Accepted {
        record,
        status_id: copy_status_id(&bytes),
        status_id_hex,
        sha256: sha256_hex(pdf),
        verdict: verdict.code,
    })
}

/// The registry's answer for a copy of this registered certificate.
pub fn registry_answer(cert: &CertificateRow, now: i64) -> StatusInput {
    let status = CopyStatus {
        management_number: cert.management_number.clone(),
        revoked_at: cert.revoked_at,
        revocation_reason: cert.revocation_reason.clone(),
    }
    .status();
    StatusInput::Known { status, as_of: now }
}

/// The sealed record must be this registered certificate: same 管理号, 查询编号 and keyed record hash (annotation
/// removed) — every registered fact, holder included, equal.
pub fn check_same_certificate(record: &CertificateRecord, cert: &CertificateRow, lookup_key: &[u8]) -> ApiResult<()> {
    let derived = NewCertificate::from_record(record, lookup_key);
    let same = derived.management_number == cert.management_number
        && derived.query_number == cert.query_number
        && crate::crypto::ct_eq(derived.record_mac.as_bytes(), cert.record_mac.as_bytes());
    if same {
        Ok(())
    } else {
        Err(rejected(
            "RECORD_MISMATCH",
            "文件中的证书记录与登记的证书不一致",
            "the sealed record is not the registered certificate",
            None,
        ))
    }
}
