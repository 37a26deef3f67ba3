//! `ecert demo`: a complete demo PKI, a signed trust list and one sample certificate per situation a
//! verifier must tell apart, with a manifest of what each sample is and the verdict it must get.

use std::path::Path;

use anyhow::{Context as _, Result};
use ecert_format::{CertificateRecord, Date, Registry, Scenario};
use ecert_issue::FontBook;
use serde::Serialize;

use crate::clock::instant_on;
use crate::issuing::{IssueInput, annotate_record, build_record, seal_record, seal_with};
use crate::pki_store::PkiStore;
use crate::register::{Ledger, save_record};
use crate::time_stamping::Tsa;
use crate::trust_list_builder;

/// One sample in `samples/manifest.json`.
#[derive(Serialize)]
pub struct Sample {
    pub file: String,
    /// The verdict code a correct verifier gives at the demo's `today`.
    pub expected: &'static str,
    pub description_zh: &'static str,
    pub description_en: &'static str,
    pub management_number: String,
    pub holder_name: String,
    pub id_number: String,
    pub query_number: String,
    pub qualification: String,
}

#[derive(Serialize)]
struct Manifest<'a> {
    schema: &'static str,
    today: Date,
    samples: &'a [Sample],
}

fn d(s: &str) -> Result<Date> {
    Ok(s.parse::<Date>()?)
}

fn years_after(date: Date, years: i64) -> Result<i64> {
    Ok(date.add_days(365 * years).context("date range")?.china_start_unix())
}

/// Create a PKI: root, its time-stamping authority, every registry issuer's CA, and two seals per issuer
/// (rotated on 2025-01-01).
pub fn create_pki(store: &PkiStore, root_name: &str, today: Date) -> Result<()> {
    let start = d("2019-01-01")?.china_start_unix();
    store.create_root(root_name, start, years_after(today, 20)?)?;
    store.create_tsa(start, years_after(today, 5)?, years_after(today, 10)?)?;
    store.create_status_signer(start, years_after(today, 5)?)?;
    let rotation = d("2025-01-01")?.china_start_unix();
    for issuer in &Registry::builtin().issuers {
        store.create_issuer(&issuer.id, start, years_after(today, 15)?)?;
        let first_use = if issuer.id == "mohrss" { d("2021-12-17")? } else { d("2019-06-01")? };
        store.create_seal(&issuer.id, first_use.china_start_unix(), years_after(today, 5)?, years_after(today, 10)?)?;
        store.create_seal(&issuer.id, rotation, years_after(today, 5)?, years_after(today, 10)?)?;
    }
    Ok(())
}

fn id_for(birth: &str, seq: u32, female: bool) -> String {
    // A GB 11643 number in Beijing's Dongcheng district (110101) for the birth date.
    let seq = seq * 2 + u32::from(!female); // odd: male
    let body = format!("110101{}{:03}", birth.replace('-', ""), seq % 1000);
    let check = ecert_format::id_number::check_character(&body).unwrap_or('X');
    format!("{body}{check}")
}

struct Spec {
    file: &'static str,
    expected: &'static str,
    zh: &'static str,
    en: &'static str,
    qualification: &'static str,
    name: &'static str,
    birth: &'static str,
    female: bool,
    approval: &'static str,
    issue: &'static str,
    /// (applied days from today, start offset from applied, days)
    annotation: Option<(i64, i64, i64)>,
    seal: SealChoice,
}

enum SealChoice {
    Own,
    OtherIssuer(&'static str),
    Untrusted,
}

/// Write the demo into `out`.
pub fn run(out: &Path, today: Date, fonts: &FontBook) -> Result<Vec<Sample>> {
    std::fs::create_dir_all(out)?;
    let store = PkiStore::new(out.join("pki"));
    if store.root_cert_path().exists() {
        anyhow::bail!("{} 已存在演示数据；请换一个目录 / already holds a demo; use a new directory", out.display());
    }
    create_pki(&store, "ecert 演示根 Demo Root", today)?;
    let rogue = PkiStore::new(out.join("untrusted-pki"));
    create_pki(&rogue, "伪造根 Untrusted Root", today)?;

    let now = instant_on(today);
    let list = trust_list_builder::build(
        &store,
        1,
        (now, now + 7 * 86_400),
        ecert_format::AnnotationRule::official(),
        trust_list_builder::DEFAULT_MAX_STATUS_AGE,
    )?;
    let tsa = Tsa::Local(std::sync::Arc::new(store.tsa()?));
    let signed = trust_list_builder::sign(&store, &list)?;
    std::fs::write(out.join("trust-list.json"), signed.to_json_pretty())?;
    std::fs::copy(store.root_cert_path(), out.join("root.pem"))?;
    std::fs::copy(store.dir.join("root").join("spki.pem"), out.join("root-spki.pem"))?;

    let specs = [
        Spec {
            file: "valid-style1.pdf",
            expected: "VALID",
            zh: "有效的样式1证书（人社部专用章，加注有效）",
            en: "valid style-1 certificate (MOHRSS seal, annotation valid)",
            qualification: "Q07",
            name: "张伟",
            birth: "1988-04-12",
            female: false,
            approval: "2023-01-10",
            issue: "2023-03-15",
            annotation: Some((0, 0, 90)),
            seal: SealChoice::Own,
        },
        Spec {
            file: "valid-style2.pdf",
            expected: "VALID",
            zh: "有效的样式2证书（协会印章，加注有效）",
            en: "valid style-2 certificate (association seal, annotation valid)",
            qualification: "Q27",
            name: "李娜",
            birth: "1992-11-03",
            female: true,
            approval: "2024-11-20",
            issue: "2024-12-20",
            annotation: Some((-5, 0, 30)),
            seal: SealChoice::Own,
        },
        Spec {
            file: "pre-2021-association.pdf",
            expected: "VALID",
            zh: "2021年12月17日前协会颁发的证书，无需加注（由已轮换的旧印章签发）",
            en: "association certificate issued before 2021-12-17: no annotation needed (sealed by a since-rotated key)",
            qualification: "Q30",
            name: "王芳",
            birth: "1985-07-21",
            female: true,
            approval: "2021-05-20",
            issue: "2021-06-30",
            annotation: None,
            seal: SealChoice::Own,
        },
        Spec {
            file: "annotation-expired.pdf",
            expected: "ANNOTATION_EXPIRED",
            zh: "加注已过期",
            en: "annotation expired",
            qualification: "Q16",
            name: "刘洋",
            birth: "1990-02-14",
            female: false,
            approval: "2022-10-01",
            issue: "2022-12-01",
            annotation: Some((-120, 0, 90)),
            seal: SealChoice::Own,
        },
        Spec {
            file: "annotation-future.pdf",
            expected: "ANNOTATION_NOT_YET_VALID",
            zh: "加注尚未生效",
            en: "annotation not yet valid",
            qualification: "Q10",
            name: "陈静",
            birth: "1995-09-30",
            female: true,
            approval: "2024-06-01",
            issue: "2024-07-01",
            annotation: Some((0, 10, 30)),
            seal: SealChoice::Own,
        },
        Spec {
            file: "annotation-missing.pdf",
            expected: "ANNOTATION_MISSING",
            zh: "缺少必需的加注",
            en: "required annotation missing",
            qualification: "Q20",
            name: "杨磊",
            birth: "1983-12-05",
            female: false,
            approval: "2024-03-01",
            issue: "2024-05-01",
            annotation: None,
            seal: SealChoice::Own,
        },
        Spec {
            file: "seal-not-authorized.pdf",
            expected: "SEAL_NOT_AUTHORIZED",
            zh: "印章无权签发该职业资格（样式1资格由协会印章签章）",
            en: "seal not authorised for this qualification (a style-1 qualification sealed by an association)",
            qualification: "Q07",
            name: "赵敏",
            birth: "1991-06-18",
            female: true,
            approval: "2023-01-10",
            issue: "2023-03-15",
            annotation: Some((0, 0, 60)),
            seal: SealChoice::OtherIssuer("auction"),
        },
        Spec {
            file: "untrusted-seal.pdf",
            expected: "UNTRUSTED_SEAL",
            zh: "由不在信任列表中的密钥签章",
            en: "sealed by a key not in the trust list",
            qualification: "Q07",
            name: "周杰",
            birth: "1987-03-09",
            female: false,
            approval: "2023-01-10",
            issue: "2023-03-15",
            annotation: Some((0, 0, 60)),
            seal: SealChoice::Untrusted,
        },
        Spec {
            file: "rare-name-ext-a.pdf",
            expected: "VALID",
            zh: "姓名含CJK扩展A生僻字（䶮）",
            en: "name with a CJK Extension A character (䶮)",
            qualification: "Q24",
            name: "刘䶮",
            birth: "1993-08-08",
            female: false,
            approval: "2023-09-01",
            issue: "2023-11-01",
            annotation: Some((0, 0, 90)),
            seal: SealChoice::Own,
        },
        Spec {
            file: "rare-name-ext-b.pdf",
            expected: "VALID",
            zh: "姓名含CJK扩展B生僻字（𠈌）",
            en: "name with a CJK Extension B character (𠈌)",
            qualification: "Q01",
            name: "王𠈌",
            birth: "1989-01-25",
            female: true,
            approval: "2022-08-01",
            issue: "2022-10-01",
            annotation: Some((0, 0, 90)),
            seal: SealChoice::Own,
        },
    ];

    let samples_dir = out.join("samples");
    std::fs::create_dir_all(&samples_dir)?;
    let ledger_path = store.dir.join("annotation-ledger.json");
    let mut ledger = Ledger::load(&ledger_path)?;
    let mut samples = Vec::new();
    let mut sealed: Vec<CertificateRecord> = Vec::new();
    for (i, s) in specs.iter().enumerate() {
        let mgmt = format!("{}{:04}", s.issue.replace('-', ""), 1001 + i);
        let input = IssueInput {
            qualification: s.qualification.into(),
            name: s.name.into(),
            id_number: id_for(s.birth, 10 + i as u32, s.female),
            sex: None,
            birth: None,
            approval_date: s.approval.into(),
            issue_date: s.issue.into(),
            management_number: mgmt.clone(),
            query_number: None,
        };
        let base = build_record(&input)?;
        save_record(&store.dir, &base)?;
        let (record, signing_time) = match s.annotation {
            None => (base.clone(), d(s.issue)?.china_start_unix() + 10 * 3600),
            Some((applied, start, days)) => {
                let applied_on = today.add_days(applied).context("date")?;
                let from = applied_on.add_days(start).context("date")?;
                let history = ledger.history(&mgmt);
                let rec =
                    annotate_record(&list.annotation_rule, &base, history, Scenario::SelfUse, applied_on, from, days)?;
                if let Some(a) = &rec.annotation {
                    ledger.certificates.entry(mgmt.clone()).or_default().push(ecert_format::LedgerEntry {
                        number: a.number.clone(),
                        applied_on,
                        valid_from: a.valid_from,
                        valid_until: a.valid_until,
                    });
                }
                let t = if applied == 0 { now } else { applied_on.china_start_unix() + 10 * 3600 };
                (rec, t)
            }
        };
        let pdf = match s.seal {
            SealChoice::Own => seal_record(&store, fonts, &record, signing_time, &tsa)?,
            SealChoice::OtherIssuer(other) => {
                let (_, seal) = store.seal_for(other, signing_time)?;
                seal_with(fonts, &record, other, &seal, &store.issuer_ca_cert(other)?, signing_time, &tsa)?
            }
            SealChoice::Untrusted => {
                // Wholly the rogue PKI's: its seal and its TSA, consistent under its own root.
                let tsa = Tsa::Local(std::sync::Arc::new(rogue.tsa()?));
                let (_, seal) = rogue.seal_for(&record.issuer.id, signing_time)?;
                seal_with(
                    fonts,
                    &record,
                    &record.issuer.id,
                    &seal,
                    &rogue.issuer_ca_cert(&record.issuer.id)?,
                    signing_time,
                    &tsa,
                )?
            }
        };
        std::fs::write(samples_dir.join(s.file), pdf)?;
        sealed.push(record.clone());
        samples.push(Sample {
            file: s.file.into(),
            expected: s.expected,
            description_zh: s.zh,
            description_en: s.en,
            management_number: mgmt,
            holder_name: record.holder.name.clone(),
            id_number: record.holder.id_number.clone(),
            query_number: record.query_number.clone(),
            qualification: record.qualification.code.clone(),
        });
    }
    let (Some(genuine), Some(other)) = (sealed.first(), sealed.get(1)) else {
        anyhow::bail!("internal: the demo's first samples are missing");
    };
    samples.push(retired_seal_forgery(&store, fonts, (genuine, other), (&tsa, now), &samples_dir)?);
    ledger.save(&ledger_path)?;
    // The status snapshot over every copy issued (none revoked), a second after the last sealing so that each is
    // covered: what the page and widget bundle, and a verifier uses offline.
    let copies = crate::status_snapshot_builder::local_universe(&store.dir)?;
    let (snapshot, _) =
        crate::status_snapshot_builder::build(&store, ecert_format::SnapshotKind::Snapshot, &copies, 1, now + 1)?;
    std::fs::create_dir_all(out.join("status"))?;
    std::fs::write(out.join("status").join("snapshot.bin"), snapshot)?;
    let manifest = Manifest { schema: "ecert.demo-manifest/1", today, samples: &samples };
    std::fs::write(samples_dir.join("manifest.json"), serde_json::to_vec_pretty(&manifest)?)?;
    Ok(samples)
}

/// The forgery of the issue-14 audit, as a sample every front end must refuse: `genuine`'s record (its
/// registered 管理号 kept) with `other`'s holder, sealed with the MOHRSS seal key retired at the 2025-01-01
/// rotation. The trusted time-stamp dates it now, after the key's use window: `UNTRUSTED_SEAL`
/// (`SEAL_NOT_VALID_AT_SIGNING_TIME`), whatever signing time the seal might claim.
fn retired_seal_forgery(
    store: &PkiStore,
    fonts: &FontBook,
    (genuine, other): (&CertificateRecord, &CertificateRecord),
    (tsa, now): (&Tsa, i64),
    dir: &Path,
) -> Result<Sample> {
    let mut record = genuine.clone();
    record.holder = other.holder.clone();
    let retired_at = d("2024-06-01")?.china_start_unix() + 10 * 3600;
    let (_, retired) = store.seal_for(&record.issuer.id, retired_at)?;
    let ca = store.issuer_ca_cert(&record.issuer.id)?;
    let pdf = seal_with(fonts, &record, &record.issuer.id, &retired, &ca, now, tsa)?;
    let file = "retired-seal.pdf";
    std::fs::write(dir.join(file), pdf)?;
    Ok(Sample {
        file: file.into(),
        expected: "UNTRUSTED_SEAL",
        description_zh: "伪造：他人姓名与证件号码、沿用已登记的管理号，用2025年1月1日已停用的人社部印章密钥盖章（可信时间戳证明盖章时间在停用之后）",
        description_en: "forgery: another holder's name and ID number under a registered management number, sealed with the MOHRSS seal key retired on 2025-01-01 (the trusted time-stamp dates it after the retirement)",
        management_number: record.management_number.clone(),
        holder_name: record.holder.name.clone(),
        id_number: record.holder.id_number.clone(),
        query_number: record.query_number.clone(),
        qualification: record.qualification.code.clone(),
    })
}
