//! Issuer administration (bearer token, see `crate::auth`): register certificates, revoke, publish the trust
//! list, read the copy universe and publish status snapshots, read the audit log. Every change is written with its audit entry in one D1 batch (one transaction)
//! and acknowledged only after D1 has committed it.

mod audit;
mod certificates;
mod files;
mod jobs;
mod revocations;
mod shards;
mod status;
mod trust_list;

pub use audit::audit;
pub use certificates::register;
pub use files::{import_annotation, put_base_pdf};
pub use jobs::list as jobs;
pub use revocations::revoke;
pub use shards::{copy as copy_shard_page, shards};
pub use status::{publish_status, status_universe};
pub use trust_list::publish_trust_list;

use crate::error::Message;

/// Split one of ecert-format's "中文 / English" error texts into its two languages.
fn bilingual(text: &str) -> Message {
    match text.split_once(" / ") {
        Some((zh, en)) => Message::new(zh.trim(), en.trim()),
        None => Message::new(text, text),
    }
}
