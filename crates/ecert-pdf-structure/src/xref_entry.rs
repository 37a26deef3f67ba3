//! One cross-reference entry.

/// State of one object number in one cross-reference section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XrefEntry {
    /// The object is stored at `offset` (its `N G obj` header starts there).
    InUse {
        /// Absolute byte offset of the object header.
        offset: usize,
        /// Generation number.
        generation: u16,
    },
    /// The object number is free (deleted) in this revision.
    Free {
        /// Next free object number (linked list; not validated).
        next: u32,
        /// Generation to use if the number is reused.
        generation: u16,
    },
}

impl XrefEntry {
    /// Generation of the entry.
    pub fn generation(&self) -> u16 {
        match *self {
            Self::InUse { generation, .. } | Self::Free { generation, .. } => generation,
        }
    }

    /// Offset of an in-use entry.
    pub fn offset(&self) -> Option<usize> {
        match *self {
            Self::InUse { offset, .. } => Some(offset),
            Self::Free { .. } => None,
        }
    }
}
