//! # ecert-issue
//!
//! Turns a [`CertificateRecord`] into a sealed certificate PDF: the page of 人社厅发〔2021〕97号's style
//! sheets with an embedded CJK font subset, the record embedded in the signed revision, and a PAdES B-T
//! certification signature (DocMDP P=1) by the issuer's seal key, time-stamped (RFC 3161) by the caller's
//! time-stamper. Pure apart from the font bytes and the time-stamper handed in: the signing time is a parameter.

#![forbid(unsafe_code)]

pub mod content;
pub mod document;
pub mod flate;
pub mod font;
pub mod font_cache;
pub mod font_embed;
pub mod page;
pub mod seal;
pub mod signature;

use ecert_format::{CertificateRecord, Date, Registry};
use ecert_pki::SigningKeyPair;
use sha2::{Digest as _, Sha256};

pub use font::{FontBook, FontError, FontFace};

/// Why a certificate could not be issued.
#[derive(Debug, thiserror::Error)]
pub enum IssueError {
    #[error("{0}")]
    Record(#[from] ecert_format::record::RecordError),
    #[error("{0}")]
    Font(#[from] FontError),
    #[error("{0}")]
    Placeholder(#[from] signature::PlaceholderError),
    #[error("签名失败：{0} / signing failed: {0}")]
    Sign(String),
    #[error("PDF 写入失败：{0} / writing the PDF failed: {0}")]
    Write(String),
    #[error("签名时间超出范围 / signing time out of range")]
    Time,
    #[error("{0}")]
    SealingDay(#[from] ecert_format::SealingDayError),
}

/// The seal that signs: its key, its certificate, and the issuer CA certificate to carry along.
pub struct Seal<'a> {
    pub key: &'a SigningKeyPair,
    pub certificate_der: &'a [u8],
    pub chain_der: Vec<&'a [u8]>,
    /// Shown by PDF readers as the signer (the seal's name).
    pub name: &'a str,
    /// Ring text and centre text of the drawn seal.
    pub ring_text: &'a str,
    pub center_text: &'a str,
}

/// `D:YYYYMMDDHHmmSS+08'00'` in China time.
pub fn pdf_date(unix: i64) -> Option<String> {
    let date = Date::in_china_at(unix)?;
    let secs = (unix + ecert_format::date::CHINA_UTC_OFFSET_SECONDS).rem_euclid(86_400);
    Some(format!(
        "D:{:04}{:02}{:02}{:02}{:02}{:02}+08'00'",
        date.year(),
        date.month(),
        date.day(),
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    ))
}

/// Issue one certificate PDF, sealed at `signing_time_unix` and time-stamped by `stamper` (PAdES B-T). The
/// record must be one that can be sealed on that day (not before its issue date; an annotated copy when its 加注
/// is made: [`CertificateRecord::check_sealing_day`]).
pub fn issue_pdf(
    record: &CertificateRecord,
    registry: &Registry,
    fonts: &FontBook,
    seal: &Seal<'_>,
    signing_time_unix: i64,
    stamper: &dyn ecert_pki::TimeStamper,
) -> Result<Vec<u8>, IssueError> {
    record.validate(registry)?;
    record.check_sealing_day(Date::in_china_at(signing_time_unix).ok_or(IssueError::Time)?)?;
    let parsed = fonts.parsed()?;
    let page = page::layout_page(&parsed, record, registry)?;
    let seal_content = seal::draw_seal(&parsed, seal.ring_text, seal.center_text)?;
    let record_json = record.to_json();
    let id_hash = Sha256::digest(&record_json);
    let mut document_id = [0u8; 16];
    document_id.copy_from_slice(&id_hash[..16]);
    let title = format!("{} {} 专业技术人员职业资格电子证书", record.holder.name, record.qualification.name_zh);
    let pdf = document::assemble(
        fonts,
        document::Parts {
            page,
            seal: seal_content,
            seal_center: page::SEAL_CENTER,
            record_json,
            title,
            signer_name: seal.name,
            signing_time_pdf: pdf_date(signing_time_unix).ok_or(IssueError::Time)?,
            document_id,
        },
    )?;
    // The file ends with `%%EOF` and one EOL, and the signature covers all of it: nothing may follow.
    let mut pdf = pdf;
    if !pdf.ends_with(b"\n") {
        pdf.push(b'\n');
    }
    let prepared = signature::Prepared::new(pdf)?;
    let digest = prepared.signed_digest();
    let cms = ecert_pki::sign_detached_time_stamped(
        digest,
        signing_time_unix,
        seal.certificate_der,
        &seal.chain_der,
        seal.key,
        stamper,
    )
    .map_err(|e| IssueError::Sign(e.to_string()))?;
    Ok(prepared.finish(&cms)?)
}
