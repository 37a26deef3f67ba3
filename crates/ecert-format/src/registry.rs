//! The qualification registry: the 31 qualifications of 人社厅发〔2021〕97号, their codes, names and issuers.
//!
//! One source of truth (`data/qualifications.json`) compiled into every binary: CLI, verifier, widget, worker.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// The registry file, as shipped.
pub const REGISTRY_JSON: &str = include_str!("../data/qualifications.json");
/// The schema tag the registry file carries.
pub const REGISTRY_SCHEMA: &str = "ecert.qualifications/1";

/// Whether an issuer is the ministry (样式1, the MOHRSS special seal) or an association (样式2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IssuerKind {
    Ministry,
    Association,
}

/// The certificate style sheet of the notice's annex.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub enum Style {
    /// 样式1: "批准颁发", sealed with the MOHRSS special seal.
    Ministry = 1,
    /// 样式2: "监制 … 颁发", sealed with the association's seal.
    Association = 2,
}

impl TryFrom<u8> for Style {
    type Error = String;
    fn try_from(v: u8) -> Result<Self, Self::Error> {
        match v {
            1 => Ok(Style::Ministry),
            2 => Ok(Style::Association),
            _ => Err(format!("unknown style {v}")),
        }
    }
}
impl From<Style> for u8 {
    fn from(s: Style) -> u8 {
        s as u8
    }
}

/// A sealing authority.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Issuer {
    pub id: String,
    pub kind: IssuerKind,
    pub name_zh: String,
    pub name_en: String,
    /// The text around the seal's ring.
    pub seal_name_zh: String,
    /// The text under the star.
    pub seal_center_zh: String,
}

/// One qualification of the notice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Qualification {
    /// Stable code, `Q01`..`Q31`, in the notice's order.
    pub code: String,
    pub style: Style,
    /// The issuer whose seal this qualification carries.
    pub issuer: String,
    pub name_zh: String,
    pub name_en: String,
    /// The ministries that approve (样式1) or supervise (样式2) it besides MOHRSS.
    pub authorities_zh: Vec<String>,
}

/// The whole registry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Registry {
    pub schema: String,
    pub source: String,
    pub note: String,
    pub issuers: Vec<Issuer>,
    pub qualifications: Vec<Qualification>,
}

impl Registry {
    /// The registry compiled into this binary (parsed once).
    pub fn builtin() -> &'static Registry {
        static REGISTRY: OnceLock<Registry> = OnceLock::new();
        REGISTRY.get_or_init(|| {
            // The file is part of the source tree and checked by the tests below; a broken file cannot build a
            // passing release, so this is not reachable from input.
            #[allow(clippy::expect_used)]
            let registry: Registry = serde_json::from_str(REGISTRY_JSON).expect("data/qualifications.json is valid");
            registry
        })
    }

    pub fn qualification(&self, code: &str) -> Option<&Qualification> {
        self.qualifications.iter().find(|q| q.code == code)
    }

    /// Look a qualification up by code (`Q07`) or by its exact Chinese name (`建造师（一级）`).
    pub fn find_qualification(&self, code_or_name: &str) -> Option<&Qualification> {
        let key = code_or_name.trim();
        self.qualification(&key.to_ascii_uppercase()).or_else(|| self.qualifications.iter().find(|q| q.name_zh == key))
    }

    pub fn issuer(&self, id: &str) -> Option<&Issuer> {
        self.issuers.iter().find(|i| i.id == id)
    }

    /// The qualifications a given issuer seals.
    pub fn qualifications_of<'a>(&'a self, issuer_id: &'a str) -> impl Iterator<Item = &'a Qualification> + 'a {
        self.qualifications.iter().filter(move |q| q.issuer == issuer_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_matches_the_notice() {
        let r = Registry::builtin();
        assert_eq!(r.schema, REGISTRY_SCHEMA);
        assert_eq!(r.qualifications.len(), 31);
        assert_eq!(r.qualifications.iter().filter(|q| q.style == Style::Ministry).count(), 24);
        assert_eq!(r.qualifications.iter().filter(|q| q.style == Style::Association).count(), 7);
        for (i, q) in r.qualifications.iter().enumerate() {
            assert_eq!(q.code, format!("Q{:02}", i + 1));
            let issuer = r.issuer(&q.issuer).expect("issuer exists");
            let expected_kind = if q.style == Style::Ministry { IssuerKind::Ministry } else { IssuerKind::Association };
            assert_eq!(issuer.kind, expected_kind, "{}", q.code);
        }
        // Every association seals exactly one qualification; the ministry seals 24.
        for issuer in &r.issuers {
            let n = r.qualifications_of(&issuer.id).count();
            assert_eq!(n, if issuer.kind == IssuerKind::Ministry { 24 } else { 1 }, "{}", issuer.id);
        }
        assert_eq!(
            r.issuer("mohrss").unwrap().seal_name_zh,
            "中华人民共和国人力资源和社会保障部专业技术人员职业资格证书专用章"
        );
        assert_eq!(r.find_qualification("q07").unwrap().name_zh, "建造师（一级）");
        assert_eq!(r.find_qualification("拍卖师").unwrap().code, "Q25");
        assert!(r.find_qualification("Q32").is_none());
    }
}
