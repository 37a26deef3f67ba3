//! Trailer dictionary checks shared by tables and xref streams.

use crate::budget::Budget;
use crate::error::{Result, StructureError};
use crate::object::{Dictionary, Object};

/// What the walker needs from a trailer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TrailerInfo {
    pub(crate) size: usize,
    pub(crate) prev: Option<usize>,
}

/// Rejects the trailer features this walker never accepts: /Encrypt and /XRefStm.
/// Called before anything else is done with a section.
pub(crate) fn reject_unsupported_trailer(trailer: &Dictionary) -> Result<()> {
    if trailer.contains_key(b"Encrypt") {
        return Err(StructureError::Encrypted);
    }
    if trailer.contains_key(b"XRefStm") {
        return Err(StructureError::HybridXref);
    }
    Ok(())
}

/// Reads /Size (1..=max_objects), /Prev (optional, direct non-negative integer) and
/// checks /Root (required, a reference) of the section at `offset`.
pub(crate) fn check_trailer(trailer: &Dictionary, offset: usize, budget: &Budget) -> Result<TrailerInfo> {
    reject_unsupported_trailer(trailer)?;
    let size = read_size(trailer, offset, budget)?;
    let prev = match trailer.get(b"Prev") {
        None => None,
        Some(Object::Integer(p)) => Some(usize::try_from(*p).map_err(|_| StructureError::BadTrailer { offset })?),
        Some(_) => return Err(StructureError::BadTrailer { offset }),
    };
    if trailer.get(b"Root").and_then(Object::as_reference).is_none() {
        return Err(StructureError::BadTrailer { offset });
    }
    Ok(TrailerInfo { size, prev })
}

/// /Size as a direct integer in 1..=`budget.max_objects`.
pub(crate) fn read_size(dict: &Dictionary, offset: usize, budget: &Budget) -> Result<usize> {
    let size = dict.get_integer(b"Size").ok_or(StructureError::BadSize { offset })?;
    let size = usize::try_from(size).ok().filter(|&s| s > 0).ok_or(StructureError::BadSize { offset })?;
    if size > budget.max_objects {
        return Err(StructureError::ObjectBudget { limit: budget.max_objects });
    }
    Ok(size)
}
