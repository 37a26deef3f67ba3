//! The receipt HR keeps (`ecert.receipt/1`): which file was checked (SHA-256), the verdict, the certificate's
//! identifiers, the trust list (verbatim, root-signed) and the status snapshot's signed header and signature.
//! [`check_receipt`] re-checks one offline under the pinned root, and says what it proves and what it does not
//! (docs/verdict.md, "Receipts").

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ecert_format::status_snapshot::{SnapshotHeader, verify_header_signature};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::status_check::StatusEvidence;
use crate::status_evidence::VerifiedStatus;
use crate::trust::VerifiedTrustList;
use crate::verdict::{StatusView, Summary, Verdict, VerdictCode, VerdictState};
use crate::{VerifyOptions, verify_with};

/// Schema tag of a receipt.
pub const RECEIPT_SCHEMA: &str = "ecert.receipt/1";
/// Largest receipt accepted, in bytes (it carries the trust list).
pub const MAX_RECEIPT_BYTES: usize = 2 * 1024 * 1024;

/// The file checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceiptFile {
    pub name: String,
    pub size: u64,
    /// Lowercase hex SHA-256 of the file's bytes.
    pub sha256: String,
}

/// The verdict, as given.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceiptVerdict {
    pub code: VerdictCode,
    pub state: VerdictState,
    pub summary: Summary,
    /// The time of check (Unix seconds): max(clock, the snapshot's signed time).
    pub checked_at: i64,
    /// The checking device's clock.
    pub clock: i64,
}

/// The certificate's identifiers (present when the seal was authentic and trusted).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceiptCertificate {
    pub management_number: String,
    pub query_number: String,
    pub holder_name: String,
    /// As shown (masked unless revealed).
    pub id_number: String,
    pub qualification_code: String,
    pub qualification_name_zh: String,
    pub issue_date: String,
    /// The copy's status id.
    pub status_id: String,
    /// When it was sealed, by its trusted time-stamp.
    pub sealed_at: i64,
    /// The 加注 number, when the copy carries one.
    pub annotation_number: Option<String>,
}

/// The trust list the check ran under.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceiptTrustList {
    pub sequence: u64,
    /// The signed trust list (`ecert.signed-trust-list/1` JSON), verbatim.
    pub signed: String,
}

/// A receipt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Receipt {
    /// Always [`RECEIPT_SCHEMA`].
    pub schema: String,
    pub file: ReceiptFile,
    pub verdict: ReceiptVerdict,
    pub certificate: Option<ReceiptCertificate>,
    /// The status and, when a snapshot was held, its signed header and signature.
    pub status: StatusView,
    pub trust_list: ReceiptTrustList,
    /// What made it (`ecert-cli 0.1.0`, `ecert web`, …).
    pub made_by: String,
}

impl Receipt {
    /// A receipt for `verdict` of `pdf`, checked under `signed_trust_list` (the envelope bytes it was verified from).
    pub fn new(verdict: &Verdict, file_name: &str, pdf: &[u8], signed_trust_list: &[u8], made_by: &str) -> Receipt {
        let sequence = serde_json::from_slice::<ecert_format::SignedTrustList>(signed_trust_list)
            .ok()
            .and_then(|e| B64.decode(e.payload).ok())
            .and_then(|p| serde_json::from_slice::<ecert_format::TrustList>(&p).ok())
            .map_or(0, |l| l.sequence);
        let certificate = match (&verdict.certificate, &verdict.seal, &verdict.status_id) {
            (Some(c), Some(seal), Some(id)) => Some(ReceiptCertificate {
                management_number: c.management_number.clone(),
                query_number: c.query_number.clone(),
                holder_name: c.holder_name.clone(),
                id_number: c.id_number.clone(),
                qualification_code: c.qualification.code.clone(),
                qualification_name_zh: c.qualification.name_zh.clone(),
                issue_date: c.issue_date.clone(),
                status_id: id.clone(),
                sealed_at: seal.sealed_at,
                annotation_number: verdict.annotation.as_ref().and_then(|a| a.number.clone()),
            }),
            _ => None,
        };
        Receipt {
            schema: RECEIPT_SCHEMA.into(),
            file: ReceiptFile {
                name: file_name.into(),
                size: pdf.len() as u64,
                sha256: ecert_format::trust_list::hex(&Sha256::digest(pdf)),
            },
            verdict: ReceiptVerdict {
                code: verdict.code,
                state: verdict.state,
                summary: verdict.summary.clone(),
                checked_at: verdict.checked_at,
                clock: verdict.clock,
            },
            certificate,
            status: verdict.status.clone(),
            trust_list: ReceiptTrustList { sequence, signed: String::from_utf8_lossy(signed_trust_list).into_owned() },
            made_by: made_by.into(),
        }
    }

    /// Pretty JSON.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// One finding of [`check_receipt`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable code (`TRUST_LIST_OK`, `FILE_MATCHES`, `SNAPSHOT_SIGNED`, `VERDICT_REPRODUCED`, …).
    pub code: String,
    pub ok: bool,
    pub zh: String,
    pub en: String,
}

/// The result of re-checking a receipt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptCheck {
    /// Every finding holds.
    pub ok: bool,
    pub findings: Vec<Finding>,
    /// What the receipt does not prove, whatever the findings.
    pub limits: Vec<Summary>,
}

fn finding(code: &str, ok: bool, zh: impl Into<String>, en: impl Into<String>) -> Finding {
    Finding { code: code.into(), ok, zh: zh.into(), en: en.into() }
}

/// Re-check a receipt offline under the pinned root: its trust list, its snapshot's signature, and — given the
/// file — the file's identity and the verdict, recomputed at the receipt's time of check (with the snapshot and
/// delta files, the status too).
pub fn check_receipt(
    receipt_json: &[u8],
    root_spki_der: &[u8],
    pdf: Option<&[u8]>,
    status_files: Option<(&[u8], Option<&[u8]>)>,
) -> ReceiptCheck {
    let mut findings = Vec::new();
    let limits = vec![
        Summary {
            zh: "回执未经核验方签名：它不能证明核验确实在所述时间进行，只能证明核验时间不早于状态快照的签名时间。".into(),
            en: "The receipt is not signed by whoever checked: it cannot prove the check happened at the time it states, only that the time of check was not before the status snapshot's signed time.".into(),
        },
        Summary {
            zh: "状态只截至快照签发时间；此后的撤销须以新快照或登记机构查询为准。".into(),
            en: "The status holds as of the snapshot's signed time only; a later revocation needs a newer snapshot or the registry.".into(),
        },
        Summary {
            zh: "回执不能证明出示证书的人就是持证人本人。".into(),
            en: "The receipt does not prove that whoever presented the certificate is its holder.".into(),
        },
    ];
    let done =
        |findings: Vec<Finding>| ReceiptCheck { ok: findings.iter().all(|f| f.ok), findings, limits: limits.clone() };

    let receipt: Receipt =
        match (receipt_json.len() <= MAX_RECEIPT_BYTES).then(|| serde_json::from_slice::<Receipt>(receipt_json)) {
            Some(Ok(r)) if r.schema == RECEIPT_SCHEMA => r,
            Some(Ok(r)) => {
                findings.push(finding(
                    "RECEIPT_SCHEMA",
                    false,
                    "回执格式版本不受支持。",
                    format!("Unsupported receipt schema {:?}.", r.schema),
                ));
                return done(findings);
            }
            Some(Err(e)) => {
                findings.push(finding(
                    "RECEIPT_MALFORMED",
                    false,
                    "回执格式无效。",
                    format!("The receipt is malformed: {e}."),
                ));
                return done(findings);
            }
            None => {
                findings.push(finding("RECEIPT_TOO_LARGE", false, "回执过大。", "The receipt is too large."));
                return done(findings);
            }
        };

    // 1. The trust list, under the pinned root.
    let trust = match VerifiedTrustList::from_signed_json(receipt.trust_list.signed.as_bytes(), root_spki_der, 0) {
        Ok(t) if t.sequence() == receipt.trust_list.sequence => {
            findings.push(finding(
                "TRUST_LIST_OK",
                true,
                format!("信任列表（第 {} 版）由所固定的根密钥签发。", t.sequence()),
                format!("The trust list (sequence {}) is signed by the pinned root.", t.sequence()),
            ));
            t
        }
        Ok(t) => {
            findings.push(finding(
                "TRUST_LIST_SEQUENCE",
                false,
                "回执所记信任列表版本与其内容不符。",
                format!("The receipt names sequence {} but carries {}.", receipt.trust_list.sequence, t.sequence()),
            ));
            return done(findings);
        }
        Err(e) => {
            findings.push(finding(
                "TRUST_LIST_INVALID",
                false,
                format!("回执中的信任列表未通过验证（{}）。", e.code()),
                format!("The receipt's trust list does not verify under the pinned root ({}).", e.code()),
            ));
            return done(findings);
        }
    };

    // 2. The status snapshot's signed header.
    let mut header_bytes = None;
    if let Some(s) = &receipt.status.snapshot {
        let decoded = B64.decode(&s.evidence.header).ok().zip(B64.decode(&s.evidence.signature).ok());
        let checked = decoded.as_ref().and_then(|(h, sig)| {
            let header: SnapshotHeader = serde_json::from_slice(h).ok()?;
            let (signer, spki) = trust.status_signer(&header.signer)?;
            let in_use = (signer.use_from..signer.use_until).contains(&header.issued_at);
            let signed = verify_header_signature(h, sig, spki).is_ok();
            (in_use && signed && header.sequence == s.sequence && header.issued_at == s.issued_at).then_some(header)
        });
        match checked {
            Some(h) => {
                findings.push(finding(
                    "SNAPSHOT_SIGNED",
                    true,
                    format!(
                        "状态快照第 {} 号（{}）由信任列表授权的状态签名密钥签发。",
                        h.sequence,
                        crate::verifier::china_time(h.issued_at)
                    ),
                    format!(
                        "Status snapshot no. {} ({}) is signed by a status key the trust list authorises.",
                        h.sequence,
                        crate::verifier::china_time(h.issued_at)
                    ),
                ));
                header_bytes = decoded.map(|(h, _)| h);
            }
            None => findings.push(finding(
                "SNAPSHOT_INVALID",
                false,
                "回执中的状态快照签名无效或与所记不符。",
                "The receipt's status snapshot header does not verify, or differs from what the receipt states.",
            )),
        }
    }

    // 3. The file and the verdict.
    let Some(pdf) = pdf else {
        return done(findings);
    };
    let sha = ecert_format::trust_list::hex(&Sha256::digest(pdf));
    if sha != receipt.file.sha256 {
        findings.push(finding(
            "FILE_DIFFERS",
            false,
            "所给文件与回执记录的文件不同（SHA-256 不符）。",
            "The file given is not the one the receipt names (SHA-256 differs).",
        ));
        return done(findings);
    }
    findings.push(finding(
        "FILE_MATCHES",
        true,
        "文件与回执记录的 SHA-256 一致：就是被核验的那份文件。",
        "The file's SHA-256 matches the receipt: it is the file that was checked.",
    ));
    let snapshot = match status_files.map(|(s, d)| VerifiedStatus::new(&trust, s, d, 0)) {
        None => None,
        Some(Ok(v)) => {
            let same =
                header_bytes.as_deref().is_some_and(|h| B64.decode(v.evidence().header).ok().as_deref() == Some(h));
            if !same {
                findings.push(finding(
                    "SNAPSHOT_DIFFERS",
                    false,
                    "所给状态快照不是回执所记的那一份。",
                    "The status snapshot given is not the one the receipt names.",
                ));
                return done(findings);
            }
            Some(v)
        }
        Some(Err(e)) => {
            findings.push(finding(
                "SNAPSHOT_REFUSED",
                false,
                format!("所给状态快照无效（{}）。", e.code()),
                format!("The status snapshot given is refused ({}).", e.code()),
            ));
            return done(findings);
        }
    };
    let evidence = StatusEvidence { snapshot: snapshot.as_ref(), ..StatusEvidence::none() };
    let again = verify_with(pdf, &trust, receipt.verdict.checked_at, &evidence, &VerifyOptions::default());
    let same_copy = match (&receipt.certificate, &again.status_id, &again.certificate) {
        (Some(c), Some(id), Some(cert)) => *id == c.status_id && cert.management_number == c.management_number,
        (None, _, None) => true,
        _ => false,
    };
    let status_part =
        matches!(receipt.status.state.as_str(), "revoked" | "stale" | "not_covered" | "not_registered" | "unknown");
    let code_ok =
        again.code == receipt.verdict.code || (snapshot.is_none() && status_part && again.code == VerdictCode::Valid);
    if same_copy && code_ok {
        let (zh, en) = if snapshot.is_some() || !status_part {
            (
                "按回执的核验时间重新核验，结论一致。".to_owned(),
                "Re-checked at the receipt's time of check: the same verdict.".to_owned(),
            )
        } else {
            (
                "按回执的核验时间重新核验，除状态外结论一致；要复核状态，请提供回执所记的状态快照（--status）。".to_owned(),
                "Re-checked at the receipt's time of check: the same verdict apart from status; give the snapshot the receipt names (--status) to re-check the status too.".to_owned(),
            )
        };
        findings.push(finding("VERDICT_REPRODUCED", true, zh, en));
    } else {
        findings.push(finding(
            "VERDICT_DIFFERS",
            false,
            format!("重新核验的结论（{}）与回执（{}）不同。", again.code, receipt.verdict.code),
            format!("Re-checking gives {}, not the receipt's {}.", again.code, receipt.verdict.code),
        ));
    }
    done(findings)
}
