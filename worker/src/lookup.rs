//! 证书查验 (third-party lookup): the request, what can be refused from the request alone, and the answer.
//!
//! A lookup matches only when 姓名, 证件号码 and the number (管理号 or 查询编号) all belong to one registered
//! certificate. Misses are one 404 `NOT_FOUND`; its `reason` is `out_of_scope` or `information_invalid` only
//! when the request alone shows it (a number ecert never issues, an ID number failing GB 11643), otherwise
//! `no_match` — never "the number exists but the name differs".

use serde::{Deserialize, Serialize};

use ecert_format::holder_input::{fold_management_number, fold_name, fold_number};
use ecert_format::{IdNumber, Registry, mask_id_number};

use crate::error::{ApiError, ApiResult, NotFoundReason};
use crate::storage::certificates::CertificateRow;

/// `POST /v1/lookup` body.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LookupRequest {
    pub name: String,
    pub id_number: String,
    #[serde(default)]
    pub management_number: Option<String>,
    #[serde(default)]
    pub query_number: Option<String>,
}

/// Which number the caller gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CertificateNumber {
    /// 管理号.
    Management(String),
    /// 查询编号.
    Query(String),
}

/// A lookup that passed every check the request alone allows, in folded form (as holders type it: names NFC with
/// `·`, ID numbers canonical, numbers upper case; see [`ecert_format::holder_input`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidLookup {
    pub name: String,
    pub id_number: IdNumber,
    pub number: CertificateNumber,
}

/// The number syntax of docs/format.md: 1–32 of `[A-Za-z0-9-]` (the record's own rule).
pub fn is_ecert_number(s: &str) -> bool {
    ecert_format::record::valid_number(s)
}

impl LookupRequest {
    /// Check the request: 400 for a request of the wrong shape, 404 with a request-only reason for one that
    /// cannot match anything. Input is folded first: the name ([`fold_name`]), the ID number
    /// ([`IdNumber::parse_typed`]: full-width digits, `Ｘ`/`x`, spaces; a 15-digit first-generation number is
    /// accepted as the 18-character number it became) a 管理号 ([`fold_management_number`]: full-width to ASCII) and a 查询编号 ([`fold_number`]: also
    /// case-insensitive).
    pub fn validate(self) -> ApiResult<ValidLookup> {
        let name = fold_name(&self.name);
        let id_text = self.id_number.trim();
        if name.is_empty() {
            return Err(ApiError::invalid_field("name", "姓名不能为空", "must not be empty"));
        }
        if id_text.is_empty() {
            return Err(ApiError::invalid_field("id_number", "证件号码不能为空", "must not be empty"));
        }
        let number = match (
            self.management_number.as_deref().map(fold_management_number),
            self.query_number.as_deref().map(fold_number),
        ) {
            (Some(m), None) if !m.is_empty() => CertificateNumber::Management(m),
            (None, Some(q)) if !q.is_empty() => CertificateNumber::Query(q),
            _ => {
                return Err(ApiError::new(
                    400,
                    "INVALID_REQUEST",
                    "请填写管理号或查询编号中的一项",
                    "give exactly one of management_number and query_number",
                ));
            }
        };
        let text = match &number {
            CertificateNumber::Management(s) | CertificateNumber::Query(s) => s,
        };
        if !is_ecert_number(text) {
            return Err(ApiError::lookup_not_found(NotFoundReason::OutOfScope));
        }
        if !ecert_format::record::valid_name(&name) {
            return Err(ApiError::lookup_not_found(NotFoundReason::InformationInvalid));
        }
        let id_number = IdNumber::parse_typed(id_text)
            .map_err(|_| ApiError::lookup_not_found(NotFoundReason::InformationInvalid))?;
        Ok(ValidLookup { name, id_number, number })
    }
}

/// 有效 / 已撤销 as a lookup shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StatusView {
    /// `valid` | `revoked`.
    pub state: &'static str,
    /// 有效 | 已撤销.
    pub label_zh: &'static str,
    /// Unix seconds, when revoked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct QualificationView {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub style: u8,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IssuerView {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HolderView {
    /// As the caller gave it, folded (it matched the registered name).
    pub name: String,
    /// Masked: first 3 and last 4 characters.
    pub id_number: String,
    pub sex: &'static str,
    pub birth: String,
}

/// `POST /v1/lookup` 200 body (`ecert.lookup-result/1`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LookupResult {
    pub schema: &'static str,
    pub management_number: String,
    pub query_number: String,
    pub holder: HolderView,
    pub qualification: QualificationView,
    pub issuer: IssuerView,
    pub approval_date: String,
    pub issue_date: String,
    pub status: StatusView,
    pub as_of: i64,
}

impl StatusView {
    pub fn of(row: &CertificateRow) -> StatusView {
        match (row.revoked_at, &row.revocation_reason) {
            (Some(at), Some(reason)) => {
                StatusView {
                    state: "revoked", label_zh: "已撤销", revoked_at: Some(at), reason: Some(reason.clone())
                }
            }
            _ => StatusView { state: "valid", label_zh: "有效", revoked_at: None, reason: None },
        }
    }
}

/// Build the answer for a matched row. Fails (as an internal error) only if the row names a qualification the
/// registry no longer has.
pub fn result_for(
    row: &CertificateRow,
    lookup: &ValidLookup,
    registry: &Registry,
    as_of: i64,
) -> ApiResult<LookupResult> {
    let q = registry
        .qualification(&row.qualification_code)
        .ok_or_else(|| ApiError::internal("lookup", format!("unknown qualification {}", row.qualification_code)))?;
    let issuer = registry
        .issuer(&q.issuer)
        .ok_or_else(|| ApiError::internal("lookup", format!("unknown issuer {}", q.issuer)))?;
    Ok(LookupResult {
        schema: "ecert.lookup-result/1",
        management_number: row.management_number.clone(),
        query_number: row.query_number.clone(),
        holder: HolderView {
            name: lookup.name.clone(),
            id_number: mask_id_number(lookup.id_number.as_str()),
            sex: lookup.id_number.sex().en(),
            birth: lookup.id_number.birth_year_month().to_string(),
        },
        qualification: QualificationView {
            code: q.code.clone(),
            name_zh: q.name_zh.clone(),
            name_en: q.name_en.clone(),
            style: u8::from(q.style),
        },
        issuer: IssuerView { id: issuer.id.clone(), name_zh: issuer.name_zh.clone(), name_en: issuer.name_en.clone() },
        approval_date: row.approval_date.clone(),
        issue_date: row.issue_date.clone(),
        status: StatusView::of(row),
        as_of,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(name: &str, id: &str, m: Option<&str>, q: Option<&str>) -> LookupRequest {
        LookupRequest {
            name: name.into(),
            id_number: id.into(),
            management_number: m.map(Into::into),
            query_number: q.map(Into::into),
        }
    }

    fn reason(e: &ApiError) -> String {
        e.body()["reason"].as_str().unwrap_or("").to_owned()
    }

    #[test]
    fn typed_input_is_folded() {
        let ok = req("阿卜杜拉・买买提", "１１０１０５１９４９１２３１００２ｘ", None, Some(" c213875355877985 "))
            .validate()
            .unwrap();
        assert_eq!(ok.name, "阿卜杜拉·买买提");
        assert_eq!(ok.id_number.as_str(), "11010519491231002X");
        assert_eq!(ok.number, CertificateNumber::Query("C213875355877985".into()));
        let ok = req("\u{F900}", "110105491231002", Some("ab-1"), None).validate().unwrap();
        assert_eq!(ok.name, "\u{8C48}");
        assert_eq!(ok.id_number.as_str(), "11010519491231002X");
        assert_eq!(ok.number, CertificateNumber::Management("ab-1".into()));
        let ok = req("张伟", "110101198804120213", Some(" ２０２３０３１５１００１ "), None).validate().unwrap();
        assert_eq!(ok.number, CertificateNumber::Management("202303151001".into()));
    }

    #[test]
    fn request_only_reasons() {
        let ok = req(" 张伟 ", "110101198804120213", Some("202303151001"), None).validate().unwrap();
        assert_eq!(ok.name, "张伟");
        assert_eq!(ok.number, CertificateNumber::Management("202303151001".into()));
        let ok = req("张伟", "110101198804120213", None, Some("C213875355877985")).validate().unwrap();
        assert_eq!(ok.number, CertificateNumber::Query("C213875355877985".into()));

        let e = req("张伟", "110101198804120213", Some("管理号"), None).validate().unwrap_err();
        assert_eq!((e.status, reason(&e).as_str()), (404, "out_of_scope"));
        let e = req("张伟", "110101198804120213", Some(&"1".repeat(33)), None).validate().unwrap_err();
        assert_eq!(reason(&e), "out_of_scope");
        let e = req("张伟", "110101198804120214", Some("202303151001"), None).validate().unwrap_err();
        assert_eq!((e.status, reason(&e).as_str()), (404, "information_invalid"));
        let e = req("张\u{202e}伟", "110101198804120213", Some("202303151001"), None).validate().unwrap_err();
        assert_eq!(reason(&e), "information_invalid");

        for bad in [
            req("", "110101198804120213", Some("1"), None),
            req(" \u{3000} ", "110101198804120213", Some("1"), None),
            req("张伟", " ", Some("1"), None),
            req("张伟", "110101198804120213", None, None),
            req("张伟", "110101198804120213", Some("1"), Some("2")),
            req("张伟", "110101198804120213", Some(""), None),
        ] {
            assert_eq!(bad.validate().unwrap_err().status, 400);
        }
    }
}
