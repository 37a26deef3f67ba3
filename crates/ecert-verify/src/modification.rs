//! Describes, in plain words, what each revision appended after the certified one changes. Under DocMDP P=1
//! any such revision is a modification; the description tells the user what kind.

use ecert_pdf_structure::{ChangeKind, Document, ObjectChange};

use crate::verdict::Modification;

/// What one appended revision does, counted.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Tally {
    overridden: usize,
    rewritten_unchanged: usize,
    added: usize,
    deleted: usize,
    annotations_added: usize,
    annotations_changed: usize,
    fields_or_signatures: usize,
    pages_changed: usize,
    catalog_changed: bool,
}

fn is(name: &Option<Vec<u8>>, what: &[u8]) -> bool {
    name.as_deref() == Some(what)
}

fn tally(changes: &[ObjectChange]) -> Tally {
    let mut t = Tally::default();
    for c in changes {
        let summary = c.new.as_ref().or(c.old.as_ref());
        let (ty, sub) = summary.map(|s| (&s.type_name, &s.subtype_name)).unwrap_or((&None, &None));
        let annot = is(ty, b"Annot") || is(sub, b"Widget");
        match c.kind {
            ChangeKind::Added => {
                t.added += 1;
                if annot {
                    t.annotations_added += 1;
                }
            }
            ChangeKind::Modified if c.identical => t.rewritten_unchanged += 1,
            ChangeKind::Modified => {
                t.overridden += 1;
                if annot {
                    t.annotations_changed += 1;
                }
            }
            ChangeKind::Deleted => t.deleted += 1,
        }
        if is(ty, b"Sig") || is(ty, b"DocTimeStamp") || is(sub, b"Widget") {
            t.fields_or_signatures += 1;
        }
        if is(ty, b"Page") || is(ty, b"Pages") {
            t.pages_changed += 1;
        }
        if is(ty, b"Catalog") && c.kind != ChangeKind::Added && !c.identical {
            t.catalog_changed = true;
        }
    }
    t
}

fn describe(revision: u32, t: &Tally) -> Modification {
    let mut zh = Vec::new();
    let mut en = Vec::new();
    if t.overridden > 0 {
        zh.push(format!("改写了 {} 个已签章对象", t.overridden));
        en.push(format!("overrides {} signed object(s)", t.overridden));
    }
    if t.added > 0 {
        zh.push(format!("新增 {} 个对象", t.added));
        en.push(format!("adds {} object(s)", t.added));
    }
    if t.deleted > 0 {
        zh.push(format!("删除 {} 个对象", t.deleted));
        en.push(format!("deletes {} object(s)", t.deleted));
    }
    if t.annotations_added > 0 {
        zh.push(format!("添加了 {} 个注释或表单控件", t.annotations_added));
        en.push(format!("adds {} annotation(s) or widget(s)", t.annotations_added));
    }
    if t.annotations_changed > 0 {
        zh.push(format!("修改了 {} 个注释或表单控件", t.annotations_changed));
        en.push(format!("changes {} annotation(s) or widget(s)", t.annotations_changed));
    }
    if t.fields_or_signatures > 0 {
        zh.push("涉及签名或表单域".to_owned());
        en.push("touches signature or form fields".to_owned());
    }
    if t.pages_changed > 0 {
        zh.push("改动了页面".to_owned());
        en.push("changes pages".to_owned());
    }
    if t.catalog_changed {
        zh.push("改动了文档目录".to_owned());
        en.push("changes the document catalog".to_owned());
    }
    if t.rewritten_unchanged > 0 && zh.is_empty() {
        zh.push(format!("原样重写了 {} 个对象", t.rewritten_unchanged));
        en.push(format!("re-writes {} object(s) unchanged", t.rewritten_unchanged));
    }
    if zh.is_empty() {
        zh.push("追加了一个修订（未改动对象）".to_owned());
        en.push("appends a revision that changes no object".to_owned());
    }
    Modification {
        revision: Some(revision),
        zh: format!("签章后的第 {revision} 次修订：{}。", zh.join("，")),
        en: format!("Update {revision} after the seal {}.", en.join(", ")),
    }
}

/// Describe every revision after `certified` in `doc`.
pub fn describe_updates(doc: &Document, certified: usize) -> Vec<Modification> {
    let last = doc.last_revision();
    let mut out = Vec::new();
    for rev in certified.saturating_add(1)..=last {
        let n = u32::try_from(rev.saturating_sub(certified)).unwrap_or(u32::MAX);
        match doc.changes_between(rev.saturating_sub(1), rev) {
            Ok(changes) => out.push(describe(n, &tally(&changes))),
            Err(e) => out.push(Modification {
                revision: Some(n),
                zh: format!("签章后的第 {n} 次修订无法解读（{}）。", e.code()),
                en: format!("Update {n} after the seal cannot be read ({}).", e.code()),
            }),
        }
    }
    out
}

/// Describe bytes appended after the certified revision that do not form a readable revision.
pub fn describe_unreadable_tail(code: &str, appended: usize) -> Modification {
    Modification {
        revision: None,
        zh: format!("签章版本之后追加了 {appended} 字节不合规范的内容（{code}），可能是隐藏的改动。"),
        en: format!(
            "{appended} byte(s) were appended after the sealed revision that do not form a valid update ({code}); \
             they may hide changes."
        ),
    }
}
