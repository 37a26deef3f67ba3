#![no_main]
//! The strict walker on arbitrary bytes: must return, never panic, within its budget.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let budget = ecert_pdf_structure::Budget::default();
    if let Ok(doc) = ecert_pdf_structure::walk(data, &budget) {
        for rev in 0..doc.revisions().len() {
            let _ = doc.catalog(rev);
            if rev > 0 {
                let _ = doc.changes_between(rev - 1, rev);
            }
        }
    }
});
