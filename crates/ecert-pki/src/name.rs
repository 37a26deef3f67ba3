//! X.509 distinguished names: building `C=CN, O=…, CN=…` and reading CN / O back.

use der::asn1::{PrintableStringRef, Utf8StringRef};
use der::{Any, Decode, Encode};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::ext::pkix::name::DirectoryString;
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};

use crate::error::{PkiError, Result};
use crate::oids;

/// Upper bound on the characters of an organization or common name (RFC 5280's
/// ub-organization-name / ub-common-name are 64).
pub const MAX_NAME_CHARS: usize = 64;

/// The pieces of a subject or issuer name this project uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameSpec {
    /// Two-letter ISO 3166 country code, normally `"CN"`; encoded as PrintableString.
    pub country: String,
    /// Organization (O), UTF8String; Chinese text is fine.
    pub organization: String,
    /// Common name (CN), UTF8String; Chinese text is fine.
    pub common_name: String,
}

impl NameSpec {
    /// A name in China (`C=CN`).
    pub fn cn(organization: impl Into<String>, common_name: impl Into<String>) -> Self {
        Self { country: "CN".into(), organization: organization.into(), common_name: common_name.into() }
    }
}

/// Build the X.509 `Name` `C=<country>, O=<organization>, CN=<common_name>`
/// (one attribute per RDN, in that order).
pub fn build_name(spec: &NameSpec) -> Result<Name> {
    let country_ok = spec.country.len() == 2 && spec.country.bytes().all(|b| b.is_ascii_uppercase());
    if !country_ok {
        return Err(PkiError::Encoding("country must be two upper-case letters"));
    }
    for (value, what) in [(&spec.organization, "organization name"), (&spec.common_name, "common name")] {
        let chars = value.chars().count();
        if chars == 0 || chars > MAX_NAME_CHARS {
            return Err(PkiError::Encoding(what));
        }
    }

    let country = PrintableStringRef::new(&spec.country)
        .and_then(|s| Any::encode_from(&s))
        .map_err(|_| PkiError::Encoding("country"))?;
    let org = Utf8StringRef::new(&spec.organization)
        .and_then(|s| Any::encode_from(&s))
        .map_err(|_| PkiError::Encoding("organization name"))?;
    let cn = Utf8StringRef::new(&spec.common_name)
        .and_then(|s| Any::encode_from(&s))
        .map_err(|_| PkiError::Encoding("common name"))?;

    let mut rdns = Vec::with_capacity(3);
    for (oid, value) in [(oids::AT_COUNTRY, country), (oids::AT_ORGANIZATION, org), (oids::AT_COMMON_NAME, cn)] {
        let rdn = RelativeDistinguishedName::try_from(vec![AttributeTypeAndValue { oid, value }])
            .map_err(|_| PkiError::Encoding("relative distinguished name"))?;
        rdns.push(rdn);
    }
    // `Name` has no public constructor without x509-cert's `hazmat` feature, so go
    // through its DER encoding (which is also exactly what ends up in certificates).
    let der = RdnSequence::from(rdns).to_der().map_err(|_| PkiError::Encoding("name"))?;
    Name::from_der(&der).map_err(|_| PkiError::Encoding("name"))
}

/// First common name (CN) in `name`, if any, as a String.
pub fn common_name(name: &Name) -> Result<Option<String>> {
    string_attr(name, oids::AT_COMMON_NAME)
}

/// First organization (O) in `name`, if any, as a String.
pub fn organization(name: &Name) -> Result<Option<String>> {
    string_attr(name, oids::AT_ORGANIZATION)
}

/// First country (C) in `name`, if any, as a String.
pub fn country(name: &Name) -> Result<Option<String>> {
    string_attr(name, oids::AT_COUNTRY)
}

/// Read the first attribute of type `oid` as a DirectoryString (Printable, UTF8,
/// BMP or Teletex) and return it as a Rust String.
fn string_attr(name: &Name, oid: const_oid::ObjectIdentifier) -> Result<Option<String>> {
    let Some(atv) = name.iter().find(|atv| atv.oid == oid) else {
        return Ok(None);
    };
    let value: DirectoryString = atv.value.decode_as().map_err(|_| PkiError::Malformed("name attribute string"))?;
    Ok(Some(value.value().into_owned()))
}
