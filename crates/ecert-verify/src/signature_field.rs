//! Finds the certification signature of the certified (first) revision: the one signature field reachable
//! from the revision's /AcroForm, whose /V is the signature dictionary that /Perms /DocMDP names, with a DocMDP
//! transform of P = 1 (no change allowed).

use ecert_pdf_structure::{Dictionary, Document, Object, ObjectId, StructureError};

/// The located certification signature.
#[derive(Debug, Clone, Copy)]
pub struct CertificationSignature<'a> {
    /// The signature dictionary (/Type /Sig), as parsed from the certified revision.
    pub dict: &'a Dictionary,
    /// Its object id.
    pub id: ObjectId,
}

/// Why no acceptable certification signature was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldError {
    /// The catalog itself is unreadable.
    Structure(StructureError),
    /// No /AcroForm, no /Fields, or no signed signature field.
    NoSignature,
    /// More than one signed signature field.
    MultipleSignatures,
    /// The signature dictionary lacks /Type /Sig, /Filter /Adobe.PPKLite or /SubFilter /ETSI.CAdES.detached.
    UnsupportedSignature(&'static str),
    /// Signed, but not a DocMDP P=1 certification signature.
    NotCertified(&'static str),
}

impl FieldError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            FieldError::Structure(e) => e.code(),
            FieldError::NoSignature => "NO_SIGNATURE",
            FieldError::MultipleSignatures => "MULTIPLE_SIGNATURES",
            FieldError::UnsupportedSignature(_) => "UNSUPPORTED_SIGNATURE",
            FieldError::NotCertified(_) => "NOT_CERTIFIED",
        }
    }

    /// What exactly, for the English detail.
    pub fn detail(&self) -> String {
        match self {
            FieldError::Structure(e) => e.to_string(),
            FieldError::NoSignature => "no signed signature field in the first revision's /AcroForm".into(),
            FieldError::MultipleSignatures => "more than one signed signature field".into(),
            FieldError::UnsupportedSignature(w) | FieldError::NotCertified(w) => (*w).into(),
        }
    }
}

/// Largest /Fields array walked.
const MAX_FIELDS: usize = 256;

/// Locate the certification signature in revision `rev`.
pub fn locate(doc: &Document, rev: usize) -> Result<CertificationSignature<'_>, FieldError> {
    let catalog = doc.catalog(rev).map_err(FieldError::Structure)?;
    let acroform = resolve_dict(doc, rev, catalog.get(b"AcroForm")).ok_or(FieldError::NoSignature)?;
    let fields = match acroform.get(b"Fields").map(|f| doc.resolve(rev, f)) {
        Some(Ok(Object::Array(items))) => items,
        _ => return Err(FieldError::NoSignature),
    };
    let mut found: Option<ObjectId> = None;
    for field in fields.iter().take(MAX_FIELDS) {
        let Some(field) = resolve_dict(doc, rev, Some(field)) else { continue };
        if field.get_name(b"FT") != Some(b"Sig".as_slice()) {
            continue;
        }
        let Some(v) = field.get(b"V") else { continue };
        let Some(id) = v.as_reference() else {
            return Err(FieldError::UnsupportedSignature("the signature value is not an indirect dictionary"));
        };
        if found.replace(id).is_some_and(|prev| prev != id) {
            return Err(FieldError::MultipleSignatures);
        }
    }
    let id = found.ok_or(FieldError::NoSignature)?;
    let dict = doc
        .dictionary(rev, id)
        .map_err(|_| FieldError::UnsupportedSignature("the signature value is not a dictionary"))?;
    if dict.type_name() != Some(b"Sig".as_slice()) {
        return Err(FieldError::UnsupportedSignature("the signature dictionary is not /Type /Sig"));
    }
    if dict.get_name(b"Filter") != Some(b"Adobe.PPKLite".as_slice()) {
        return Err(FieldError::UnsupportedSignature("/Filter is not /Adobe.PPKLite"));
    }
    if dict.get_name(b"SubFilter") != Some(b"ETSI.CAdES.detached".as_slice()) {
        return Err(FieldError::UnsupportedSignature("/SubFilter is not /ETSI.CAdES.detached"));
    }
    // Certification: /Perms /DocMDP is this very signature, with a DocMDP transform of P = 1.
    let perms =
        resolve_dict(doc, rev, catalog.get(b"Perms")).ok_or(FieldError::NotCertified("no /Perms in the catalog"))?;
    if perms.get(b"DocMDP").and_then(Object::as_reference) != Some(id) {
        return Err(FieldError::NotCertified("/Perms /DocMDP is not the signature"));
    }
    let reference = match dict.get(b"Reference").map(|r| doc.resolve(rev, r)) {
        Some(Ok(Object::Array(items))) => items,
        _ => return Err(FieldError::NotCertified("no /Reference in the signature dictionary")),
    };
    let docmdp_p1 = reference.iter().any(|r| {
        let Some(r) = resolve_dict(doc, rev, Some(r)) else { return false };
        let params = resolve_dict(doc, rev, r.get(b"TransformParams"));
        r.get_name(b"TransformMethod") == Some(b"DocMDP".as_slice())
            && params.is_some_and(|p| p.get_integer(b"P") == Some(1))
    });
    if !docmdp_p1 {
        return Err(FieldError::NotCertified("the DocMDP transform does not forbid all changes (P != 1)"));
    }
    Ok(CertificationSignature { dict, id })
}

/// Resolve an optional object to a dictionary (streams excluded).
pub(crate) fn resolve_dict<'a>(doc: &'a Document, rev: usize, object: Option<&'a Object>) -> Option<&'a Dictionary> {
    match doc.resolve(rev, object?) {
        Ok(Object::Dictionary(d)) => Some(d),
        _ => None,
    }
}
