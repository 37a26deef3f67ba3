//! From user input to a sealed PDF: building and validating the record, choosing the seal, signing.

use anyhow::{Context as _, Result, anyhow, bail};
use ecert_format::AnnotationRule;
use ecert_format::annotation::{Annotation, Scenario, check_application};
use ecert_format::record::RECORD_SCHEMA;
use ecert_format::{CertificateRecord, Date, Holder, IdNumber, IssuerRef, QualificationRef, Registry, Sex, YearMonth};
use ecert_issue::{FontBook, Seal, issue_pdf};

use crate::pki_store::{KeyAndCert, PkiStore};
use crate::time_stamping::Tsa;

/// The fields of one certificate as given on the command line or in a CSV row.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct IssueInput {
    pub qualification: String,
    pub name: String,
    pub id_number: String,
    pub sex: Option<String>,
    pub birth: Option<String>,
    pub approval_date: String,
    pub issue_date: String,
    pub management_number: String,
    pub query_number: Option<String>,
}

fn date(field: &str, s: &str) -> Result<Date> {
    s.trim().parse::<Date>().map_err(|e| anyhow!("{field}: {e}"))
}

/// Build and validate a record (no annotation). Sex and birth month default to what the ID number encodes,
/// and must agree with it when given.
pub fn build_record(input: &IssueInput) -> Result<CertificateRecord> {
    let registry = Registry::builtin();
    let q = registry.find_qualification(&input.qualification).with_context(|| {
        format!("未知的职业资格“{}”（可用 Q01–Q31 或目录中的中文名称） / unknown qualification {:?}: use Q01–Q31 or the Chinese name", input.qualification, input.qualification)
    })?;
    let issuer = registry.issuer(&q.issuer).context("registry issuer")?;
    let id = IdNumber::parse(&input.id_number).map_err(|e| anyhow!("证件号码 {}: {e}", input.id_number))?;
    let sex = match input.sex.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(s) => Sex::parse(s).with_context(|| format!("性别应为 男/女 / sex must be 男 or 女, got {s:?}"))?,
        None => id.sex(),
    };
    let birth = match input.birth.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(s) => s.trim().parse::<YearMonth>().map_err(|e| anyhow!("出生年月 / birth: {e}"))?,
        None => id.birth_year_month(),
    };
    let approval_date = date("批准日期 / approval date", &input.approval_date)?;
    let issue_date = date("制发日期 / issue date", &input.issue_date)?;
    if approval_date > issue_date {
        bail!("批准日期 {approval_date} 晚于制发日期 {issue_date} / dates out of order: approval after issue");
    }
    let mgmt = input.management_number.trim().to_owned();
    let record = CertificateRecord {
        schema: RECORD_SCHEMA.to_owned(),
        query_number: input
            .query_number
            .clone()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| derive_query_number(&mgmt)),
        management_number: mgmt,
        qualification: QualificationRef {
            code: q.code.clone(),
            name_zh: q.name_zh.clone(),
            name_en: q.name_en.clone(),
        },
        holder: Holder { name: input.name.trim().to_owned(), id_number: id.as_str().to_owned(), sex, birth },
        approval_date,
        issue_date,
        issuer: IssuerRef { id: issuer.id.clone(), name_zh: issuer.name_zh.clone() },
        annotation: None,
    };
    record.validate(registry)?;
    Ok(record)
}

/// A query number derived from the management number when none is given: `C` + 15 digits of its hash.
pub fn derive_query_number(mgmt: &str) -> String {
    use sha2::{Digest as _, Sha256};
    let h = Sha256::digest(mgmt.as_bytes());
    let mut n: u64 = 0;
    for b in &h[..8] {
        n = (n << 8) | u64::from(*b);
    }
    format!("C{:015}", n % 1_000_000_000_000_000)
}

/// Attach a new annotation to a record after checking `rule` (the signed trust list's) against its history.
pub fn annotate_record(
    rule: &AnnotationRule,
    record: &CertificateRecord,
    history: &[ecert_format::LedgerEntry],
    scenario: Scenario,
    applied_on: Date,
    valid_from: Date,
    days: i64,
) -> Result<CertificateRecord> {
    let valid_until = check_application(rule, history, record.issue_date, applied_on, valid_from, days)?;
    let number = format!("{}-A{}", record.management_number, history.len() + 1);
    let mut out = record.clone();
    out.annotation = Some(Annotation { scenario, valid_from, valid_until, number });
    out.validate(Registry::builtin())?;
    Ok(out)
}

/// Seal a record with the issuer's seal usable at `signing_time`, time-stamped by `tsa`, and keep the copy's
/// exact record in the issuer's register of copies (`<pki>/copies/`, what the registry is told was issued).
pub fn seal_record(
    store: &PkiStore,
    fonts: &FontBook,
    record: &CertificateRecord,
    signing_time: i64,
    tsa: &Tsa,
) -> Result<Vec<u8>> {
    let (_, seal) = store.seal_for(&record.issuer.id, signing_time)?;
    let ca = store.issuer_ca_cert(&record.issuer.id)?;
    let pdf = seal_with(fonts, record, &record.issuer.id, &seal, &ca, signing_time, tsa)?;
    crate::register::save_copy(&store.dir, record)?;
    Ok(pdf)
}

/// Seal a record with a given seal key (the demo also uses this for deliberately wrong seals).
pub fn seal_with(
    fonts: &FontBook,
    record: &CertificateRecord,
    seal_issuer_id: &str,
    seal: &KeyAndCert,
    ca_der: &[u8],
    signing_time: i64,
    tsa: &Tsa,
) -> Result<Vec<u8>> {
    let registry = Registry::builtin();
    let issuer = registry.issuer(seal_issuer_id).with_context(|| format!("unknown issuer {seal_issuer_id}"))?;
    let seal = Seal {
        key: &seal.key,
        certificate_der: &seal.cert_der,
        chain_der: vec![ca_der],
        name: &issuer.seal_name_zh,
        ring_text: &issuer.seal_name_zh,
        center_text: &issuer.seal_center_zh,
    };
    Ok(issue_pdf(record, registry, fonts, &seal, signing_time, tsa.stamper(signing_time).as_ref())?)
}
