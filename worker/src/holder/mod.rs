//! Holder accounts (issue 18; docs/holder.md, docs/edge.md "Holder accounts"): the holder key, accounts and
//! passwords, sessions and CSRF, 加注 jobs. Pure rules here; SQL in `crate::storage::{holders, jobs}`, handlers in
//! `crate::routes::{holder, signer}`.

pub mod account;
pub mod csrf;
pub mod jobs;
pub mod password;
pub mod session;

use hmac::{KeyInit as _, Mac as _};
use sha2::Sha256;

use ecert_format::IdNumber;
use ecert_format::holder_input::fold_name;

/// Domain separation of the holder key.
const HOLDER_DOMAIN: &[u8] = b"ecert.holder/1\0";

/// `holder_key` = HMAC-SHA256(LOOKUP_KEY, "ecert.holder/1\0" ‖ folded 姓名 ‖ 0 ‖ canonical 证件号码): the one way a
/// holder is keyed, at certificate registration (from the record) and at account registration and login (from what
/// the holder typed) alike. `id_number` must already be canonical ([`IdNumber`]).
pub fn holder_key(lookup_key: &[u8], name: &str, id_number: &IdNumber) -> [u8; 32] {
    let Ok(mut mac) = hmac::Hmac::<Sha256>::new_from_slice(lookup_key) else {
        return [0; 32];
    };
    mac.update(HOLDER_DOMAIN);
    mac.update(fold_name(name).as_bytes());
    mac.update(b"\0");
    mac.update(id_number.as_str().as_bytes());
    mac.finalize().into_bytes().into()
}

/// The holder key of a record's holder, when its ID number is a valid resident ID number (every registered record's
/// is: registration validates it).
pub fn holder_key_of_record(lookup_key: &[u8], record: &ecert_format::CertificateRecord) -> Option<[u8; 32]> {
    IdNumber::parse_typed(&record.holder.id_number).ok().map(|id| holder_key(lookup_key, &record.holder.name, &id))
}

/// The placement slot of a holder's rows: the holder key's first 6 bytes, big-endian (like a 管理号's shard hash).
pub fn holder_slot(key: &[u8; 32]) -> i64 {
    crate::storage::shards::slot(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holder_key_folds_typed_input() {
        let k = b"lookup-key-0123456789";
        let id = IdNumber::parse_typed("11010519491231002X").unwrap();
        let a = holder_key(k, "张伟", &id);
        assert_eq!(a, holder_key(k, " 张伟 ", &IdNumber::parse_typed("110105491231002").unwrap()));
        assert_eq!(a, holder_key(k, "张伟", &IdNumber::parse_typed("１１０１０５１９４９１２３１００２ｘ").unwrap()));
        assert_ne!(a, holder_key(k, "张玮", &id));
        assert_ne!(a, holder_key(b"another-key-0123456", "张伟", &id));
        // Names with Ext-A / Ext-B characters are keyed as they are.
        assert_ne!(holder_key(k, "刘䶮", &id), holder_key(k, "刘", &id));
        assert_eq!(holder_key(k, "阿卜杜拉•买买提", &id), holder_key(k, "阿卜杜拉·买买提", &id));
        assert!(holder_slot(&a) >= 0 && holder_slot(&a) < 1 << 48);
    }
}
