//! Names and time conversion helpers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use ecert_pki::name::{build_name, common_name, country, organization};
use ecert_pki::time::{time_from_unix, time_to_unix};
use ecert_pki::{NameSpec, PkiError};
use x509_cert::time::Time;

#[test]
fn name_round_trip_chinese() {
    let spec = NameSpec::cn("中华人民共和国人力资源和社会保障部", "职业技能等级证书签章");
    let name = build_name(&spec).unwrap();
    assert_eq!(common_name(&name).unwrap().as_deref(), Some("职业技能等级证书签章"));
    assert_eq!(organization(&name).unwrap().as_deref(), Some("中华人民共和国人力资源和社会保障部"));
    assert_eq!(country(&name).unwrap().as_deref(), Some("CN"));
    assert_eq!(name.to_string(), "CN=职业技能等级证书签章,O=中华人民共和国人力资源和社会保障部,C=CN");
}

#[test]
fn time_boundaries() {
    assert!(matches!(time_from_unix(0).unwrap(), Time::UtcTime(_)));
    assert!(matches!(time_from_unix(2_524_607_999).unwrap(), Time::UtcTime(_)));
    assert!(matches!(time_from_unix(2_524_608_000).unwrap(), Time::GeneralTime(_)));
    for t in [0, 1_735_689_600, 2_524_607_999, 2_524_608_000, 253_402_300_799] {
        assert_eq!(time_to_unix(&time_from_unix(t).unwrap()).unwrap(), t);
    }
    assert_eq!(time_from_unix(-1).unwrap_err(), PkiError::TimeOutOfRange);
    assert_eq!(time_from_unix(253_402_300_800).unwrap_err(), PkiError::TimeOutOfRange); // year 10000
    assert_eq!(time_from_unix(i64::MAX).unwrap_err(), PkiError::TimeOutOfRange);
}
