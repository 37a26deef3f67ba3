//! Account input: what register and login accept, folded as holders type it, and the rules a password must meet.

use serde::Deserialize;

use ecert_format::IdNumber;
use ecert_format::holder_input::fold_name;

use crate::error::{ApiError, ApiResult};

/// The version of the service notice (服务须知) a holder accepts at registration (www/holder/register.html shows it).
pub const NOTICE_VERSION: &str = "2026-12-06";
/// Shortest password, in characters.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest password, in bytes (it is HMACed first, so length costs nothing; the bound keeps bodies small).
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// `POST /v1/holder/register` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    pub name: String,
    pub id_number: String,
    pub password: String,
    #[serde(default)]
    pub accept_notice: bool,
}

/// `POST /v1/holder/login` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub name: String,
    pub id_number: String,
    pub password: String,
}

/// 姓名 + 证件号码 as typed, folded and checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// Folded ([`fold_name`]).
    pub name: String,
    pub id_number: IdNumber,
}

impl Identity {
    /// The ID number's last 4 characters (all the edge keeps of it besides the keyed hash).
    pub fn id_tail(&self) -> String {
        let s = self.id_number.as_str();
        s.get(s.len().saturating_sub(4)..).unwrap_or("").to_owned()
    }
}

fn invalid(field: &str, zh: &str, en: &str) -> ApiError {
    ApiError::new(400, "INVALID_INPUT", format!("{field}：{zh}"), format!("{field}: {en}")).with("field", field)
}

/// Fold and check a name and ID number: `INVALID_INPUT` (400, naming the field) when the name is impossible or the
/// ID number fails GB 11643.
pub fn identity(name: &str, id_number: &str) -> ApiResult<Identity> {
    let name = fold_name(name);
    if name.is_empty() || !ecert_format::record::valid_name(&name) {
        return Err(invalid("name", "姓名无效", "not a valid name"));
    }
    let id_number = IdNumber::parse_typed(id_number).map_err(|_| {
        invalid("id_number", "证件号码无效（应为18位居民身份证号码）", "not a valid resident ID number")
    })?;
    Ok(Identity { name, id_number })
}

/// The password rules of registration: `WEAK_PASSWORD` (400) for fewer than [`MIN_PASSWORD_CHARS`] characters, or a
/// password equal to the ID number or the name (case and surrounding spaces ignored); `INVALID_INPUT` when longer
/// than [`MAX_PASSWORD_BYTES`].
pub fn check_new_password(password: &str, who: &Identity) -> ApiResult<()> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(invalid("password", "密码过长", "too long"));
    }
    let folded = password.trim().to_lowercase();
    if password.chars().count() < MIN_PASSWORD_CHARS
        || folded == who.id_number.as_str().to_lowercase()
        || folded == who.name.to_lowercase()
    {
        return Err(ApiError::new(
            400,
            "WEAK_PASSWORD",
            format!("密码至少{MIN_PASSWORD_CHARS}个字符，且不能与证件号码或姓名相同"),
            format!(
                "the password needs at least {MIN_PASSWORD_CHARS} characters and must differ from the ID number and the name"
            ),
        ));
    }
    Ok(())
}

impl RegisterRequest {
    /// Check a registration: the notice first, then identity and password.
    pub fn validate(&self) -> ApiResult<Identity> {
        if !self.accept_notice {
            return Err(ApiError::new(
                400,
                "NOTICE_NOT_ACCEPTED",
                "请阅读并同意服务须知",
                "please read and accept the service notice",
            ));
        }
        let who = identity(&self.name, &self.id_number)?;
        check_new_password(&self.password, &who)?;
        Ok(who)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "11010519491231002X";

    #[test]
    fn registration_rules() {
        let ok = RegisterRequest {
            name: " 刘䶮 ".into(),
            id_number: "11010519491231002x".into(),
            password: "correct horse".into(),
            accept_notice: true,
        };
        let who = ok.validate().unwrap();
        assert_eq!((who.name.as_str(), who.id_number.as_str(), who.id_tail().as_str()), ("刘䶮", ID, "002X"));
        let with = |f: &dyn Fn(&mut RegisterRequest)| {
            let mut r = RegisterRequest {
                name: "张伟".into(),
                id_number: ID.into(),
                password: "0123456789".into(),
                accept_notice: true,
            };
            f(&mut r);
            r.validate().map(|_| ()).map_err(|e| e.code)
        };
        assert_eq!(with(&|_| ()), Ok(()));
        assert_eq!(with(&|r| r.accept_notice = false), Err("NOTICE_NOT_ACCEPTED"));
        assert_eq!(with(&|r| r.password = "short".into()), Err("WEAK_PASSWORD"));
        assert_eq!(with(&|r| r.password = ID.to_lowercase()), Err("WEAK_PASSWORD"));
        assert_eq!(with(&|r| r.password = "一二三四五六七八九".into()), Err("WEAK_PASSWORD"));
        assert_eq!(with(&|r| r.password = "一二三四五六七八九十".into()), Ok(()));
        assert_eq!(with(&|r| r.id_number = "110105194912310021".into()), Err("INVALID_INPUT"));
        assert_eq!(with(&|r| r.name = "  ".into()), Err("INVALID_INPUT"));
        assert_eq!(with(&|r| r.password = "x".repeat(MAX_PASSWORD_BYTES + 1)), Err("INVALID_INPUT"));
    }
}
