//! The PDF object model produced by the strict parser.
//!
//! Every dictionary value remembers the absolute byte span it was parsed from, so
//! security checks (e.g. the /ByteRange gap) can be made against raw file offsets.

use std::collections::BTreeMap;

/// An indirect object's identity: (object number, generation).
pub type ObjectId = (u32, u16);

/// A half-open byte range `[start, end)` of the input file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// Builds a span; callers guarantee `start <= end`.
    pub const fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }

    /// Number of bytes covered.
    pub const fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    /// True when the span covers no byte.
    pub const fn is_empty(&self) -> bool {
        self.end <= self.start
    }

    /// True when `offset` lies inside the span.
    pub const fn contains(&self, offset: usize) -> bool {
        self.start <= offset && offset < self.end
    }
}

/// How a string was written in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StringFormat {
    /// `( ... )`
    Literal,
    /// `< ... >`
    Hexadecimal,
}

/// A PDF string with its decoded bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfString {
    /// Decoded bytes (escapes resolved, hex decoded).
    pub bytes: Vec<u8>,
    /// Literal or hexadecimal form.
    pub format: StringFormat,
}

/// A PDF object.
#[derive(Debug, Clone, PartialEq)]
pub enum Object {
    /// `null`
    Null,
    /// `true` / `false`
    Boolean(bool),
    /// An integer (fits in i64, otherwise rejected).
    Integer(i64),
    /// A real number.
    Real(f64),
    /// A name, `#xx` escapes decoded, without the leading `/`.
    Name(Vec<u8>),
    /// A string.
    String(PdfString),
    /// An array.
    Array(Vec<Object>),
    /// A dictionary.
    Dictionary(Dictionary),
    /// A stream (only ever the direct body of an indirect object).
    Stream(Stream),
    /// An indirect reference `N G R`.
    Reference(ObjectId),
}

impl Object {
    /// The dictionary of a dictionary or of a stream.
    pub fn as_dict(&self) -> Option<&Dictionary> {
        match self {
            Self::Dictionary(d) => Some(d),
            Self::Stream(s) => Some(&s.dict),
            _ => None,
        }
    }

    /// The stream, if this is one.
    pub fn as_stream(&self) -> Option<&Stream> {
        match self {
            Self::Stream(s) => Some(s),
            _ => None,
        }
    }

    /// The integer value, if this is an integer.
    pub fn as_integer(&self) -> Option<i64> {
        match self {
            Self::Integer(i) => Some(*i),
            _ => None,
        }
    }

    /// The name bytes, if this is a name.
    pub fn as_name(&self) -> Option<&[u8]> {
        match self {
            Self::Name(n) => Some(n),
            _ => None,
        }
    }

    /// The referenced id, if this is a reference.
    pub fn as_reference(&self) -> Option<ObjectId> {
        match self {
            Self::Reference(id) => Some(*id),
            _ => None,
        }
    }

    /// The array items, if this is an array.
    pub fn as_array(&self) -> Option<&[Object]> {
        match self {
            Self::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The string, if this is a string.
    pub fn as_string(&self) -> Option<&PdfString> {
        match self {
            Self::String(s) => Some(s),
            _ => None,
        }
    }

    /// Short name of the object's kind.
    pub fn kind(&self) -> ObjectKind {
        match self {
            Self::Null => ObjectKind::Null,
            Self::Boolean(_) => ObjectKind::Boolean,
            Self::Integer(_) => ObjectKind::Integer,
            Self::Real(_) => ObjectKind::Real,
            Self::Name(_) => ObjectKind::Name,
            Self::String(_) => ObjectKind::String,
            Self::Array(_) => ObjectKind::Array,
            Self::Dictionary(_) => ObjectKind::Dictionary,
            Self::Stream(_) => ObjectKind::Stream,
            Self::Reference(_) => ObjectKind::Reference,
        }
    }
}

/// The kind of an [`Object`], without its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ObjectKind {
    /// `null`
    Null,
    /// boolean
    Boolean,
    /// integer
    Integer,
    /// real
    Real,
    /// name
    Name,
    /// string
    String,
    /// array
    Array,
    /// dictionary
    Dictionary,
    /// stream
    Stream,
    /// reference
    Reference,
}

/// One dictionary value with the absolute span of its token(s) in the file.
///
/// Equality compares values only: the same object written at another position is equal.
#[derive(Debug, Clone)]
pub struct DictEntry {
    /// The value.
    pub value: Object,
    /// Bytes of the value, from its first to its last byte (e.g. `<` to `>`).
    pub span: Span,
}

impl PartialEq for DictEntry {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

/// A dictionary. Keys are unique (duplicates are a parse error).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Dictionary {
    entries: BTreeMap<Vec<u8>, DictEntry>,
}

impl Dictionary {
    /// Inserts a key; returns false (and keeps the old value) if it already existed.
    pub(crate) fn insert_new(&mut self, key: Vec<u8>, entry: DictEntry) -> bool {
        match self.entries.entry(key) {
            std::collections::btree_map::Entry::Occupied(_) => false,
            std::collections::btree_map::Entry::Vacant(v) => {
                v.insert(entry);
                true
            }
        }
    }

    /// The value for `key` (name without `/`).
    pub fn get(&self, key: &[u8]) -> Option<&Object> {
        self.entries.get(key).map(|e| &e.value)
    }

    /// The value and its span for `key`.
    pub fn get_entry(&self, key: &[u8]) -> Option<&DictEntry> {
        self.entries.get(key)
    }

    /// The absolute byte span of the value for `key`.
    pub fn value_span(&self, key: &[u8]) -> Option<Span> {
        self.entries.get(key).map(|e| e.span)
    }

    /// True when `key` is present (even with a `null` value).
    pub fn contains_key(&self, key: &[u8]) -> bool {
        self.entries.contains_key(key)
    }

    /// The name value for `key`, if it is a direct name.
    pub fn get_name(&self, key: &[u8]) -> Option<&[u8]> {
        self.get(key).and_then(Object::as_name)
    }

    /// The integer value for `key`, if it is a direct integer.
    pub fn get_integer(&self, key: &[u8]) -> Option<i64> {
        self.get(key).and_then(Object::as_integer)
    }

    /// The `/Type` name, if direct.
    pub fn type_name(&self) -> Option<&[u8]> {
        self.get_name(b"Type")
    }

    /// The `/Subtype` name, if direct.
    pub fn subtype_name(&self) -> Option<&[u8]> {
        self.get_name(b"Subtype")
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the dictionary is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Entries in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], &DictEntry)> {
        self.entries.iter().map(|(k, v)| (k.as_slice(), v))
    }
}

/// A stream: its dictionary and its raw (still encoded) data.
///
/// Equality compares dictionary and data, not position.
#[derive(Debug, Clone)]
pub struct Stream {
    /// The stream dictionary.
    pub dict: Dictionary,
    /// Raw data, exactly /Length bytes.
    pub raw: Vec<u8>,
    /// Absolute span of the raw data.
    pub data_span: Span,
}

impl PartialEq for Stream {
    fn eq(&self, other: &Self) -> bool {
        self.dict == other.dict && self.raw == other.raw
    }
}

/// An object as stored in the file: id, body, where it is and which revision defined it.
#[derive(Debug, Clone, PartialEq)]
pub struct IndirectObject {
    /// Object number and generation.
    pub id: ObjectId,
    /// The object body.
    pub object: Object,
    /// From the first digit of the header to just after `endobj`.
    pub span: Span,
    /// Index of the revision (oldest = 0) whose cross-reference section lists it.
    pub revision: usize,
}
