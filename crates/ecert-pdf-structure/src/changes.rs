//! What later revisions changed: objects added, overridden or deleted.

use crate::document::{Document, ObjectState};
use crate::error::{Result, StructureError};
use crate::object::{IndirectObject, ObjectId, ObjectKind};

/// What happened to one object number between two revisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    /// Not in use in the earlier revision, in use in the later one.
    Added,
    /// In use in both, redefined in between (see [`ObjectChange::identical`]).
    Modified,
    /// In use in the earlier revision, free in the later one.
    Deleted,
}

/// A cheap description of an object version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectSummary {
    /// Id of this version.
    pub id: ObjectId,
    /// Revision that defined this version.
    pub revision: usize,
    /// Kind of the body.
    pub kind: ObjectKind,
    /// Direct /Type name of a dictionary or stream.
    pub type_name: Option<Vec<u8>>,
    /// Direct /Subtype name of a dictionary or stream.
    pub subtype_name: Option<Vec<u8>>,
}

impl ObjectSummary {
    fn of(object: &IndirectObject) -> Self {
        let dict = object.object.as_dict();
        Self {
            id: object.id,
            revision: object.revision,
            kind: object.object.kind(),
            type_name: dict.and_then(|d| d.type_name()).map(<[u8]>::to_vec),
            subtype_name: dict.and_then(|d| d.subtype_name()).map(<[u8]>::to_vec),
        }
    }
}

/// One object number changed between two revisions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectChange {
    /// The object number.
    pub number: u32,
    /// Added, modified or deleted.
    pub kind: ChangeKind,
    /// The version as of the earlier revision (None if not in use there).
    pub old: Option<ObjectSummary>,
    /// The version as of the later revision (None if deleted).
    pub new: Option<ObjectSummary>,
    /// For [`ChangeKind::Modified`]: same id and equal body (byte positions ignored),
    /// i.e. the object was re-written unchanged.
    pub identical: bool,
}

impl Document {
    /// Objects whose state differs between revision `earlier` and revision `later`
    /// (`earlier < later`), in object-number order: every number listed by a section of
    /// revisions `earlier+1..=later`, compared as of `earlier` and as of `later`.
    /// Numbers that are free or absent in both are left out.
    pub fn changes_between(&self, earlier: usize, later: usize) -> Result<Vec<ObjectChange>> {
        self.revision(earlier)?;
        self.revision(later)?;
        if earlier >= later {
            return Err(StructureError::NoSuchRevision { index: later });
        }
        let mut numbers: Vec<u32> = self
            .revisions()
            .iter()
            .skip(earlier.saturating_add(1))
            .take(later.saturating_sub(earlier))
            .flat_map(|r| r.entries().keys().copied())
            .collect();
        numbers.sort_unstable();
        numbers.dedup();
        let mut changes = Vec::new();
        for number in numbers {
            let old = self.state(earlier, number)?;
            let new = self.state(later, number)?;
            let change = match (old, new) {
                (ObjectState::InUse(o), ObjectState::InUse(n)) => {
                    if o.revision == n.revision {
                        continue;
                    }
                    ObjectChange {
                        number,
                        kind: ChangeKind::Modified,
                        old: Some(ObjectSummary::of(o)),
                        new: Some(ObjectSummary::of(n)),
                        identical: o.id == n.id && o.object == n.object,
                    }
                }
                (ObjectState::InUse(o), _) => ObjectChange {
                    number,
                    kind: ChangeKind::Deleted,
                    old: Some(ObjectSummary::of(o)),
                    new: None,
                    identical: false,
                },
                (_, ObjectState::InUse(n)) => ObjectChange {
                    number,
                    kind: ChangeKind::Added,
                    old: None,
                    new: Some(ObjectSummary::of(n)),
                    identical: false,
                },
                _ => continue,
            };
            changes.push(change);
        }
        Ok(changes)
    }
}
