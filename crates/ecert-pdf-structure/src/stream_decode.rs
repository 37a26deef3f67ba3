//! Stream filter handling: no filter or a single FlateDecode, with an optional PNG predictor.

use crate::error::{Result, StructureError};
use crate::flate::{InflateError, inflate_zlib};
use crate::meter::DecompressMeter;
use crate::object::{Dictionary, Object, Stream};
use crate::predictor::{PngParams, unpredict_png};

/// Largest accepted /Columns.
const MAX_COLUMNS: i64 = 1 << 24;

/// Predictor applied after inflation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Predictor {
    /// /Predictor absent or 1.
    None,
    /// /Predictor 10..=15.
    Png(PngParams),
}

/// How a stream's data must be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Decoding {
    pub(crate) flate: bool,
    pub(crate) predictor: Predictor,
}

/// Reads /Filter and /DecodeParms. Accepted: no filter (and no parameters), or exactly
/// one direct /FlateDecode (name or one-element array) with direct parameters.
/// External streams (/F, /FFilter, /FDecodeParms) and everything else are rejected.
pub(crate) fn decoding_of(dict: &Dictionary) -> Result<Decoding> {
    if dict.contains_key(b"F") || dict.contains_key(b"FFilter") || dict.contains_key(b"FDecodeParms") {
        return Err(StructureError::UnsupportedFilter);
    }
    let flate = match dict.get(b"Filter") {
        None => false,
        Some(Object::Name(n)) if n.as_slice() == b"FlateDecode" => true,
        Some(Object::Array(items)) => match items.as_slice() {
            [] => false,
            [Object::Name(n)] if n.as_slice() == b"FlateDecode" => true,
            _ => return Err(StructureError::UnsupportedFilter),
        },
        Some(_) => return Err(StructureError::UnsupportedFilter),
    };
    let parms = match dict.get(b"DecodeParms") {
        None | Some(Object::Null) => None,
        Some(Object::Dictionary(d)) => Some(d),
        Some(Object::Array(items)) => match items.as_slice() {
            [] | [Object::Null] => None,
            [Object::Dictionary(d)] => Some(d),
            _ => return Err(StructureError::UnsupportedPredictor),
        },
        Some(_) => return Err(StructureError::UnsupportedPredictor),
    };
    let predictor = match parms {
        None => Predictor::None,
        Some(_) if !flate => return Err(StructureError::UnsupportedPredictor),
        Some(p) => predictor_of(p)?,
    };
    Ok(Decoding { flate, predictor })
}

fn predictor_of(parms: &Dictionary) -> Result<Predictor> {
    let int = |key: &[u8], default: i64| -> Result<i64> {
        match parms.get(key) {
            None => Ok(default),
            Some(Object::Integer(i)) => Ok(*i),
            Some(_) => Err(StructureError::UnsupportedPredictor),
        }
    };
    match int(b"Predictor", 1)? {
        1 => Ok(Predictor::None),
        10..=15 => {
            let colors = int(b"Colors", 1)?;
            let bits = int(b"BitsPerComponent", 8)?;
            let columns = int(b"Columns", 1)?;
            if !(1..=4).contains(&colors) || ![1, 2, 4, 8, 16].contains(&bits) || !(1..=MAX_COLUMNS).contains(&columns)
            {
                return Err(StructureError::UnsupportedPredictor);
            }
            let as_usize = |v: i64| usize::try_from(v).map_err(|_| StructureError::UnsupportedPredictor);
            PngParams::new(as_usize(colors)?, as_usize(bits)?, as_usize(columns)?)
                .map(Predictor::Png)
                .ok_or(StructureError::UnsupportedPredictor)
        }
        _ => Err(StructureError::UnsupportedPredictor),
    }
}

/// Decodes a stream's data, charging inflated bytes to `meter` and never allocating
/// more output than the meter has left.
pub(crate) fn decode_stream_data(stream: &Stream, meter: &DecompressMeter) -> Result<Vec<u8>> {
    let decoding = decoding_of(&stream.dict)?;
    if !decoding.flate {
        return Ok(stream.raw.clone());
    }
    let inflated = inflate_zlib(&stream.raw, meter.remaining()).map_err(|e| match e {
        InflateError::TooLarge => StructureError::DecompressionBudget { limit: meter.limit() },
        InflateError::Corrupt => StructureError::FlateError,
    })?;
    meter.charge(inflated.len())?;
    match decoding.predictor {
        Predictor::None => Ok(inflated),
        Predictor::Png(params) => unpredict_png(&inflated, params),
    }
}
