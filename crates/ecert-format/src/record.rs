//! The machine-readable certificate record embedded in the signed revision of every certificate PDF.

use serde::{Deserialize, Serialize};

use crate::annotation::{Annotation, MAX_WINDOW_DAYS};
use crate::date::{Date, YearMonth};
use crate::id_number::{IdNumber, IdNumberError};
use crate::registry::Registry;

/// The schema tag of this record version.
pub const RECORD_SCHEMA: &str = "ecert.record/1";
/// The name of the embedded file holding the record inside the PDF.
pub const RECORD_FILE_NAME: &str = "ecert-record.json";
/// Largest record accepted, in bytes.
pub const MAX_RECORD_BYTES: usize = 16 * 1024;
/// Longest holder name, in characters.
pub const MAX_NAME_CHARS: usize = 40;

/// 性别.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    pub fn zh(self) -> &'static str {
        match self {
            Sex::Male => "男",
            Sex::Female => "女",
        }
    }
    pub fn en(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }
    /// Accepts 男/女, male/female, M/F.
    pub fn parse(s: &str) -> Option<Sex> {
        match s.trim().to_ascii_lowercase().as_str() {
            "男" | "male" | "m" => Some(Sex::Male),
            "女" | "female" | "f" => Some(Sex::Female),
            _ => None,
        }
    }
}

/// The qualification as printed, copied from the registry at issuance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QualificationRef {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

/// The sealing issuer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssuerRef {
    pub id: String,
    pub name_zh: String,
}

/// The holder (持证人).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Holder {
    /// 姓名, as written (may contain CJK Extension characters).
    pub name: String,
    /// 证件号码 (a GB 11643 resident ID number).
    pub id_number: String,
    /// 性别.
    pub sex: Sex,
    /// 出生年月.
    pub birth: YearMonth,
}

/// Everything a certificate states, in one signed record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateRecord {
    /// Always [`RECORD_SCHEMA`].
    pub schema: String,
    /// 管理号: the certificate's management number, unique per certificate.
    pub management_number: String,
    /// 查询编号: the number third parties may use for lookups instead of the management number.
    pub query_number: String,
    pub qualification: QualificationRef,
    pub holder: Holder,
    /// 批准日期.
    pub approval_date: Date,
    /// 制发日期.
    pub issue_date: Date,
    pub issuer: IssuerRef,
    /// 加注, when this copy carries one.
    pub annotation: Option<Annotation>,
}

/// Why a record is not a well-formed ecert record.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("记录格式版本不受支持：{0} / unsupported record schema {0:?}")]
    Schema(String),
    #[error("记录无法解析：{0} / the record is not valid JSON of the expected shape: {0}")]
    Json(String),
    #[error("记录过大 / the record exceeds {MAX_RECORD_BYTES} bytes")]
    TooLarge,
    #[error("未知的职业资格：{0} / unknown qualification {0}")]
    UnknownQualification(String),
    #[error("职业资格名称与目录不符：{0} / qualification names differ from the registry for {0}")]
    QualificationNames(String),
    #[error("该职业资格应由{expected}盖章，而非{found} / this qualification is sealed by {expected}, not {found}")]
    WrongIssuer { expected: String, found: String },
    #[error("姓名无效 / invalid holder name")]
    Name,
    #[error("{0}")]
    IdNumber(#[from] IdNumberError),
    #[error("出生年月与证件号码不符 / the birth month does not match the ID number")]
    BirthMismatch,
    #[error("性别与证件号码不符 / the sex does not match the ID number")]
    SexMismatch,
    #[error("{field}格式无效，应为1-32位字母或数字 / invalid {field}: 1-32 ASCII letters or digits")]
    Number { field: &'static str },
    #[error("批准日期晚于制发日期 / the approval date is after the issue date")]
    DatesOutOfOrder,
    #[error("出生年月晚于批准日期 / the birth month is after the approval date")]
    BirthAfterApproval,
    #[error("加注有效期无效 / invalid annotation window")]
    AnnotationWindow,
    #[error("加注编号无效 / invalid annotation number")]
    AnnotationNumber,
}

/// The syntax of a 管理号 / 查询编号 / annotation number: 1–32 of `[A-Za-z0-9-]`.
pub fn valid_number(s: &str) -> bool {
    (1..=32).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// A holder name as written: 1–`MAX_NAME_CHARS` characters, no surrounding whitespace, no control or
/// bidirectional/zero-width formatting characters.
pub fn valid_name(s: &str) -> bool {
    let n = s.chars().count();
    n > 0
        && n <= MAX_NAME_CHARS
        && s.trim() == s
        && !s.chars().any(|c| {
            c.is_control()
                || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
        })
}

/// Why a record cannot have been sealed on a given day (China time) — the day its trusted time-stamp proves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SealingDayError {
    /// A certificate is never sealed before its issue date (制发日期).
    #[error("盖章日 {sealed_on} 早于制发日期 {issue_date} / sealed on {sealed_on}, before the issue date {issue_date}")]
    BeforeIssueDate { sealed_on: Date, issue_date: Date },
    /// An annotated copy is sealed when its 加注 is made: on the day of application or, within the 24-hour
    /// generation promise, the next; its window starts on or after the day of application and within
    /// [`crate::annotation::MAX_START_DELAY_DAYS`] of it.
    #[error(
        "加注件应在加注时盖章，盖章日 {sealed_on} 与自 {valid_from} 起的有效期不符 / an annotated copy is sealed when its annotation is made; {sealed_on} does not fit a window starting {valid_from}"
    )]
    AnnotationNotSealedWhenMade { sealed_on: Date, valid_from: Date },
}

impl CertificateRecord {
    /// Parse a record from JSON bytes and check it against the registry.
    pub fn from_json(bytes: &[u8], registry: &Registry) -> Result<CertificateRecord, RecordError> {
        if bytes.len() > MAX_RECORD_BYTES {
            return Err(RecordError::TooLarge);
        }
        // Check the schema tag first so a future version gets a precise error rather than a shape error.
        #[derive(Deserialize)]
        struct Tag {
            schema: Option<String>,
        }
        let tag: Tag = serde_json::from_slice(bytes).map_err(|e| RecordError::Json(e.to_string()))?;
        match tag.schema.as_deref() {
            Some(RECORD_SCHEMA) => {}
            other => return Err(RecordError::Schema(other.unwrap_or("").to_owned())),
        }
        let record: CertificateRecord = serde_json::from_slice(bytes).map_err(|e| RecordError::Json(e.to_string()))?;
        record.validate(registry)?;
        Ok(record)
    }

    /// Serialise to the canonical JSON form embedded in PDFs (compact, fields in declaration order).
    pub fn to_json(&self) -> Vec<u8> {
        // Serialising plain structs of strings and dates cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Whether this record can have been sealed on `sealed_on` (see [`SealingDayError`]): the issuer refuses to
    /// seal otherwise, and the verifier refuses a seal whose time-stamp says otherwise.
    pub fn check_sealing_day(&self, sealed_on: Date) -> Result<(), SealingDayError> {
        if sealed_on < self.issue_date {
            return Err(SealingDayError::BeforeIssueDate { sealed_on, issue_date: self.issue_date });
        }
        if let Some(a) = &self.annotation {
            let valid_from = a.valid_from;
            let latest = valid_from.add_days(1);
            let earliest = valid_from.add_days(-crate::annotation::MAX_START_DELAY_DAYS);
            let fits = latest.is_some_and(|l| sealed_on <= l) && earliest.is_some_and(|e| sealed_on >= e);
            if !fits {
                return Err(SealingDayError::AnnotationNotSealedWhenMade { sealed_on, valid_from });
            }
        }
        Ok(())
    }

    /// Check every field: registry membership, the ID number, date order and the annotation window.
    pub fn validate(&self, registry: &Registry) -> Result<(), RecordError> {
        if self.schema != RECORD_SCHEMA {
            return Err(RecordError::Schema(self.schema.clone()));
        }
        let q = registry
            .qualification(&self.qualification.code)
            .ok_or_else(|| RecordError::UnknownQualification(self.qualification.code.clone()))?;
        if q.name_zh != self.qualification.name_zh || q.name_en != self.qualification.name_en {
            return Err(RecordError::QualificationNames(q.code.clone()));
        }
        if q.issuer != self.issuer.id {
            return Err(RecordError::WrongIssuer { expected: q.issuer.clone(), found: self.issuer.id.clone() });
        }
        let issuer = registry.issuer(&q.issuer).ok_or_else(|| RecordError::UnknownQualification(q.code.clone()))?;
        if issuer.name_zh != self.issuer.name_zh {
            return Err(RecordError::WrongIssuer {
                expected: issuer.name_zh.clone(),
                found: self.issuer.name_zh.clone(),
            });
        }
        if !valid_name(&self.holder.name) {
            return Err(RecordError::Name);
        }
        let id = IdNumber::parse(&self.holder.id_number)?;
        if id.as_str() != self.holder.id_number {
            return Err(RecordError::IdNumber(IdNumberError::Shape));
        }
        if id.birth_year_month() != self.holder.birth {
            return Err(RecordError::BirthMismatch);
        }
        if id.sex() != self.holder.sex {
            return Err(RecordError::SexMismatch);
        }
        if !valid_number(&self.management_number) {
            return Err(RecordError::Number { field: "管理号 management number" });
        }
        if !valid_number(&self.query_number) {
            return Err(RecordError::Number { field: "查询编号 query number" });
        }
        if self.approval_date > self.issue_date {
            return Err(RecordError::DatesOutOfOrder);
        }
        if self.holder.birth > self.approval_date.year_month() {
            return Err(RecordError::BirthAfterApproval);
        }
        if let Some(a) = &self.annotation {
            let days = a.window_days();
            if !(1..=MAX_WINDOW_DAYS).contains(&days) || a.valid_from < self.issue_date {
                return Err(RecordError::AnnotationWindow);
            }
            if !valid_number(&a.number) {
                return Err(RecordError::AnnotationNumber);
            }
        }
        Ok(())
    }
}
