//! A VALID rests on evidence, not claims (issue 14): each rule below with the forgery it stops, built here from
//! the demo's own keys as an attacker — or a careless insider — would build it.
//!
//! * the time of sealing is what a trusted RFC 3161 time-stamp proves, not the signer's signingTime: a retired
//!   seal key can no longer make a VALID certificate whatever it claims; every certificate in the path (seal,
//!   issuer CA, TSA) is judged at that time, and so are the record's dates;
//! * a trust list past its next update never gives VALID;
//! * the signed trust list's annotation rule is the one applied;
//! * one certificate copy is one file: every byte-different copy with an intact signature is NON_CANONICAL;
//! * encrypted and re-saved files are named for what they are.

mod common;

use std::process::Command;
use std::sync::{Arc, OnceLock};

use ecert_format::{CertificateRecord, Registry, StatusInput};
use ecert_issue::{FontBook, FontFace, Seal, issue_pdf};
use ecert_pki::{LocalTsa, SigningKeyPair, TimeStamper, certificate_from_pem, sign_detached};
use ecert_verify::{CheckId, Verdict, VerdictCode, VerdictState, VerifiedTrustList, VerifyOptions};
use sha2::{Digest as _, Sha256};

use common::{demo, ecert, tool};

/// 2026-11-23 23:59 China time, the end of the demo's "today".
const AT: i64 = 1_795_449_540;
/// 2024-06-01 10:00 China time: inside the retired MOHRSS seal's use window (2021-12-17 to 2025-01-01).
const BACKDATED: i64 = 1_717_207_200;

// ---------------------------------------------------------------------------------------------------------
// The demo's keys and lists.

fn read(path: &str) -> Vec<u8> {
    std::fs::read(demo().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}
fn key(path: &str) -> SigningKeyPair {
    SigningKeyPair::from_pkcs8_pem(&String::from_utf8(read(path)).unwrap()).unwrap()
}
fn cert(path: &str) -> Vec<u8> {
    certificate_from_pem(&String::from_utf8(read(path)).unwrap()).unwrap()
}
fn root_spki() -> Vec<u8> {
    ecert_pki::key::spki_der_from_pem(&String::from_utf8(read("root-spki.pem")).unwrap()).unwrap()
}
fn trust() -> &'static VerifiedTrustList {
    static T: OnceLock<VerifiedTrustList> = OnceLock::new();
    T.get_or_init(|| VerifiedTrustList::from_signed_json(&read("trust-list.json"), &root_spki(), 0).unwrap())
}
/// The demo list after `edit`, signed again by the demo root.
fn resigned(edit: &dyn Fn(&mut ecert_format::TrustList)) -> VerifiedTrustList {
    let mut list = trust().list().clone();
    edit(&mut list);
    let payload = list.to_json();
    let sig = key("pki/root/key.pem").sign_prehashed_der(&payload).unwrap();
    let signed = ecert_format::SignedTrustList::new(&payload, &sig, &root_spki());
    VerifiedTrustList::from_signed_json(signed.to_json_pretty().as_bytes(), &root_spki(), 0).unwrap()
}
fn sample(name: &str) -> Vec<u8> {
    read(&format!("samples/{name}"))
}

struct Signer {
    key: SigningKeyPair,
    cert: Vec<u8>,
    ca: Vec<u8>,
}
/// MOHRSS seal-1 (retired at the 2025-01-01 rotation) or seal-2 (current).
fn mohrss_seal(n: u8) -> Signer {
    Signer {
        key: key(&format!("pki/issuers/mohrss/seals/seal-{n}/key.pem")),
        cert: cert(&format!("pki/issuers/mohrss/seals/seal-{n}/cert.pem")),
        ca: cert("pki/issuers/mohrss/ca-cert.pem"),
    }
}
impl Signer {
    /// The seal as the issuer draws and signs with it.
    fn seal(&self) -> Seal<'_> {
        Seal {
            key: &self.key,
            certificate_der: &self.cert,
            chain_der: vec![&self.ca],
            name: "专用章",
            ring_text: "中华人民共和国人力资源和社会保障部专业技术人员职业资格证书专用章",
            center_text: "专用章",
        }
    }
}
struct TsaKeys {
    key: SigningKeyPair,
    cert: Vec<u8>,
}
/// The trusted TSA (`pki/tsa`) or the attacker's own (`untrusted-pki/tsa`).
fn tsa_keys(trusted: bool) -> TsaKeys {
    let dir = if trusted { "pki/tsa" } else { "untrusted-pki/tsa" };
    TsaKeys { key: key(&format!("{dir}/key.pem")), cert: cert(&format!("{dir}/cert.pem")) }
}
fn token(t: &TsaKeys, gen_time: i64, over_signature: &[u8]) -> Vec<u8> {
    LocalTsa { key: &t.key, certificate_der: &t.cert, gen_time_unix: gen_time }
        .time_stamp(&Sha256::digest(over_signature).into())
        .unwrap()
}

fn check_with(pdf: &[u8], list: &VerifiedTrustList, at: i64) -> Verdict {
    ecert_verify::verify(pdf, list, at, &StatusInput::NotChecked, &VerifyOptions::default())
}
fn check(pdf: &[u8]) -> Verdict {
    check_with(pdf, trust(), AT)
}
fn code_of(v: &Verdict, id: CheckId) -> String {
    v.check(id).map(|c| c.code.clone()).unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------------------
// DER surgery on a CMS: a tree of TLVs, re-encoded with minimal lengths (what DER requires anyway).

#[derive(Clone, Debug, PartialEq)]
enum Der {
    Prim(u8, Vec<u8>),
    Cons(u8, Vec<Der>),
}

fn parse_der(b: &[u8]) -> (Der, &[u8]) {
    let tag = b[0];
    let (len, hl) = match b[1] {
        l if l < 0x80 => (l as usize, 2),
        l => {
            let n = (l & 0x7f) as usize;
            (b[2..2 + n].iter().fold(0usize, |a, &x| a << 8 | x as usize), 2 + n)
        }
    };
    let (content, rest) = b[hl..].split_at(len);
    if tag & 0x20 != 0 {
        let mut kids = Vec::new();
        let mut c = content;
        while !c.is_empty() {
            let (k, r) = parse_der(c);
            kids.push(k);
            c = r;
        }
        (Der::Cons(tag, kids), rest)
    } else {
        (Der::Prim(tag, content.to_vec()), rest)
    }
}

fn encode_der(d: &Der) -> Vec<u8> {
    let (tag, content) = match d {
        Der::Prim(t, c) => (*t, c.clone()),
        Der::Cons(t, kids) => (*t, kids.iter().flat_map(encode_der).collect()),
    };
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes: Vec<u8> = n.to_be_bytes().into_iter().skip_while(|&b| b == 0).collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend(content);
    out
}

fn kids(d: &mut Der) -> &mut Vec<Der> {
    match d {
        Der::Cons(_, k) => k,
        Der::Prim(..) => panic!("primitive"),
    }
}
/// ContentInfo → [0] → SignedData's fields.
fn signed_data(ci: &mut Der) -> &mut Vec<Der> {
    kids(&mut kids(&mut kids(ci)[1])[0])
}
/// The one SignerInfo's fields.
fn signer_info(sd: &mut [Der]) -> &mut Vec<Der> {
    let infos = sd.last_mut().unwrap();
    kids(&mut kids(infos)[0])
}
fn signature_of(si: &[Der]) -> Vec<u8> {
    si.iter()
        .find_map(|f| match f {
            Der::Prim(0x04, s) => Some(s.clone()),
            _ => None,
        })
        .unwrap()
}
fn set_signature(si: &mut [Der], sig: Vec<u8>) {
    for f in si.iter_mut() {
        if let Der::Prim(0x04, s) = f {
            *s = sig;
            return;
        }
    }
}
/// Replace the unsigned attributes ([1]) with exactly these (tag, OID-DER, value-DER) attributes.
fn set_unsigned(si: &mut Vec<Der>, attrs: Vec<(Vec<u8>, Vec<u8>)>) {
    si.retain(|f| !matches!(f, Der::Cons(0xA1, _)));
    if attrs.is_empty() {
        return;
    }
    let list = attrs
        .into_iter()
        .map(|(oid, value)| Der::Cons(0x30, vec![parse_der(&oid).0, Der::Cons(0x31, vec![parse_der(&value).0])]))
        .collect();
    si.push(Der::Cons(0xA1, list));
}
fn oid_der(dotted: &str) -> Vec<u8> {
    let oid: const_oid_like::Oid = dotted.parse().unwrap();
    oid.der()
}

/// Minimal OID encoder (tests only).
mod const_oid_like {
    pub struct Oid(Vec<u64>);
    impl std::str::FromStr for Oid {
        type Err = ();
        fn from_str(s: &str) -> Result<Self, ()> {
            s.split('.').map(|a| a.parse().map_err(|_| ())).collect::<Result<_, _>>().map(Oid)
        }
    }
    impl Oid {
        pub fn der(&self) -> Vec<u8> {
            let mut body = Vec::new();
            let arcs = &self.0;
            let mut push = |mut v: u64| {
                let mut tmp = vec![(v & 0x7f) as u8];
                v >>= 7;
                while v > 0 {
                    tmp.push(0x80 | (v & 0x7f) as u8);
                    v >>= 7;
                }
                tmp.reverse();
                body.extend(tmp);
            };
            push(arcs[0] * 40 + arcs[1]);
            for &a in &arcs[2..] {
                push(a);
            }
            let mut out = vec![0x06, body.len() as u8];
            out.extend(body);
            out
        }
    }
}

const TST_TOKEN_OID: &str = "1.2.840.113549.1.9.16.2.14";

// ---------------------------------------------------------------------------------------------------------
// The PDF's /Contents slot.

fn find(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len()).position(|w| w == needle).unwrap()
}
/// `<` .. `>` of the signature's /Contents.
fn contents_span(pdf: &[u8]) -> (usize, usize) {
    let start = find(pdf, b"/Contents<") + b"/Contents".len();
    let end = start + pdf[start..].iter().position(|&b| b == b'>').unwrap() + 1;
    (start, end)
}
fn cms_of(pdf: &[u8]) -> Vec<u8> {
    let (s, e) = contents_span(pdf);
    let bytes: Vec<u8> =
        pdf[s + 1..e - 1].chunks(2).map(|p| u8::from_str_radix(std::str::from_utf8(p).unwrap(), 16).unwrap()).collect();
    let (_, rest) = parse_der(&bytes);
    bytes[..bytes.len() - rest.len()].to_vec()
}
/// Put `cms` into the slot exactly as the issuer spells it (uppercase hex, `0` padding).
fn with_cms(pdf: &[u8], cms: &[u8]) -> Vec<u8> {
    let (s, e) = contents_span(pdf);
    let hex: String = cms.iter().map(|b| format!("{b:02X}")).collect();
    let mut out = pdf.to_vec();
    let slot = &mut out[s + 1..e - 1];
    assert!(hex.len() <= slot.len());
    slot.fill(b'0');
    slot[..hex.len()].copy_from_slice(hex.as_bytes());
    out
}
fn ranges_digest(pdf: &[u8]) -> [u8; 32] {
    let (s, e) = contents_span(pdf);
    let mut h = Sha256::new();
    h.update(&pdf[..s]);
    h.update(&pdf[e..]);
    h.finalize().into()
}
/// A B-B seal over `pdf`'s byte ranges (no time-stamp), at the claimed `signing_time`.
fn bb_seal(pdf: &[u8], s: &Signer, signing_time: i64) -> Vec<u8> {
    sign_detached(ranges_digest(pdf), signing_time, &s.cert, &[&s.ca], &s.key).unwrap()
}
/// Re-seal `pdf` with `s` at `signing_time`, adding `stamp(signature)` as its time-stamp token if given.
/// Makes a time-stamp token over a signature value.
type Stamp<'a> = &'a dyn Fn(&[u8]) -> Vec<u8>;

fn reseal(pdf: &[u8], s: &Signer, signing_time: i64, stamp: Option<Stamp<'_>>) -> Vec<u8> {
    let cms = bb_seal(pdf, s, signing_time);
    let Some(stamp) = stamp else { return with_cms(pdf, &cms) };
    let (mut ci, _) = parse_der(&cms);
    let si = signer_info(signed_data(&mut ci));
    let tok = stamp(&signature_of(si));
    set_unsigned(si, vec![(oid_der(TST_TOKEN_OID), tok)]);
    with_cms(pdf, &encode_der(&ci))
}
/// Apply `edit` to the CMS of `pdf` (the seal's signature value is not re-made: only unsigned parts change).
fn edit_cms(pdf: &[u8], edit: &dyn Fn(&mut Der)) -> Vec<u8> {
    let (mut ci, _) = parse_der(&cms_of(pdf));
    edit(&mut ci);
    with_cms(pdf, &encode_der(&ci))
}

// ---------------------------------------------------------------------------------------------------------
// A forged certificate: another holder's name and ID number, the registered 管理号 kept.

fn fonts() -> FontBook {
    const NOTO: &str = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc";
    let data = Arc::new(std::fs::read(NOTO).unwrap_or_else(|e| panic!("{NOTO}: {e} — run scripts/setup.sh")));
    let index = FontFace::faces_in(data.clone(), NOTO)
        .unwrap()
        .into_iter()
        .find(|(_, family)| family == "Noto Serif CJK SC")
        .map(|(i, _)| i)
        .unwrap();
    FontBook::new(vec![FontFace::new(data, index, NOTO).unwrap()]).unwrap()
}

/// The record embedded in a sample.
fn record_of(pdf: &[u8]) -> CertificateRecord {
    let at = find(pdf, br#"{"schema":"ecert.record/1""#);
    serde_json::Deserializer::from_slice(&pdf[at..]).into_iter::<CertificateRecord>().next().unwrap().unwrap()
}

/// valid-style1's record (管理号 registered, 加注 window from the demo's today) with valid-style2's holder, laid
/// out and sealed honestly with the current seal at `AT - 3600` (the layout an attacker starts from).
fn forged_record_pdf() -> (CertificateRecord, Vec<u8>) {
    let mut record = record_of(&sample("valid-style1.pdf"));
    record.holder = record_of(&sample("valid-style2.pdf")).holder;
    let s = mohrss_seal(2);
    let t = tsa_keys(true);
    let seal = s.seal();
    let tsa = LocalTsa { key: &t.key, certificate_der: &t.cert, gen_time_unix: AT - 3600 };
    let pdf = issue_pdf(&record, Registry::builtin(), &fonts(), &seal, AT - 3600, &tsa).unwrap();
    (record, pdf)
}

/// The audit's first wrong answer: a record that reuses a real 管理号 got the real certificate's 有效, because
/// status was keyed by the 管理号. Now the status id is the digest of the whole sealed record, so the forgery —
/// even sealed by a trusted key (an insider) — has an id the registry never issued: `NOT_REGISTERED`.
#[test]
fn a_record_the_registry_never_issued_is_not_registered_even_with_a_real_management_number() {
    use ecert_format::{CertificateStatus, StatusBucket, StatusEntry, status_prefix};
    let (record, pdf) = forged_record_pdf();
    let genuine = sample("valid-style1.pdf");
    assert_eq!(record.management_number, record_of(&genuine).management_number);
    let registered: Vec<String> = std::fs::read_dir(demo().join("pki/copies"))
        .unwrap()
        .flatten()
        .map(|e| e.path().file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    let forged_id = check(&pdf).status_id.unwrap();
    let genuine_id = check(&genuine).status_id.unwrap();
    assert!(registered.contains(&genuine_id), "{genuine_id} not in {registered:?}");
    assert!(!registered.contains(&forged_id));
    // The registry's answer, as its bucket of the id's prefix gives it.
    let bucket = |id: &str| StatusBucket {
        schema: ecert_format::status::STATUS_BUCKET_SCHEMA.into(),
        prefix: status_prefix(id).into(),
        as_of: AT,
        entries: registered
            .iter()
            .filter(|r| status_prefix(r) == status_prefix(id))
            .map(|r| StatusEntry { id: r.clone(), status: CertificateStatus::Valid })
            .collect(),
    };
    let v =
        ecert_verify::verify(&pdf, trust(), AT, &bucket(&forged_id).status_of(&forged_id), &VerifyOptions::default());
    assert_eq!(v.code, VerdictCode::NotRegistered);
    assert_eq!(v.state, VerdictState::Untrusted);
    assert_eq!(code_of(&v, CheckId::Status), "NOT_REGISTERED");
    assert!(v.summary.zh.contains("未登记"), "{}", v.summary.zh);
    let v = ecert_verify::verify(
        &genuine,
        trust(),
        AT,
        &bucket(&genuine_id).status_of(&genuine_id),
        &VerifyOptions::default(),
    );
    assert_eq!(v.code, VerdictCode::Valid);
    assert_eq!(v.status.source, "registry");
}

#[test]
fn backdating_with_a_retired_seal_key_is_never_valid() {
    let (record, layout) = forged_record_pdf();
    assert!(record.annotation.as_ref().unwrap().valid_from.to_string().starts_with("2026"));
    let retired = mohrss_seal(1);
    let ours = tsa_keys(true);
    let theirs = tsa_keys(false);

    // The forgery of the audit: the retired key, signingTime 2024-06-01, and no evidence of time.
    let bare = reseal(&layout, &retired, BACKDATED, None);
    let v = check(&bare);
    assert_eq!((v.code, code_of(&v, CheckId::Trust).as_str()), (VerdictCode::UntrustedSeal, "TIMESTAMP_MISSING"));
    assert!(v.certificate.is_none(), "no field of an untrusted seal is shown as certificate data");

    // With a token from the trusted TSA, which stamps the real time: the claim is caught…
    let honest_now: Stamp = &|sig| token(&ours, AT - 60, sig);
    let v = check(&reseal(&layout, &retired, BACKDATED, Some(honest_now)));
    assert_eq!(code_of(&v, CheckId::Trust), "SIGNING_TIME_MISMATCH");
    // …and claiming the real time, the retired key is out of its use window then.
    let v = check(&reseal(&layout, &retired, AT - 60, Some(honest_now)));
    assert_eq!(
        (v.code, code_of(&v, CheckId::Trust).as_str()),
        (VerdictCode::UntrustedSeal, "SEAL_NOT_VALID_AT_SIGNING_TIME")
    );

    // The attacker's own TSA, dating it 2024: not a TSA of the trust list.
    let own_tsa: Stamp = &|sig| token(&theirs, BACKDATED, sig);
    let v = check(&reseal(&layout, &retired, BACKDATED, Some(own_tsa)));
    assert_eq!(code_of(&v, CheckId::Trust), "TSA_NOT_IN_TRUST_LIST");

    // Even with the trusted TSA's key (an insider), a 2024 seal cannot carry a 加注 made in 2026.
    let insider: Stamp = &|sig| token(&ours, BACKDATED, sig);
    let v = check(&reseal(&layout, &retired, BACKDATED, Some(insider)));
    assert_eq!(
        (v.code, code_of(&v, CheckId::Authorization).as_str()),
        (VerdictCode::SealNotAuthorized, "ANNOTATION_NOT_SEALED_WHEN_MADE")
    );

    // `ecert verify` agrees (exit 13: untrusted / not authorized).
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("forged.pdf");
    std::fs::write(&file, reseal(&layout, &retired, AT - 60, Some(honest_now))).unwrap();
    let o = ecert(&[
        "verify",
        "--trust-list",
        demo().join("trust-list.json").to_str().unwrap(),
        "--root",
        demo().join("root-spki.pem").to_str().unwrap(),
        "--at",
        &format!("@{AT}"),
        "--json",
        file.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(13), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("SEAL_NOT_VALID_AT_SIGNING_TIME"));
}

#[test]
fn the_record_dates_are_judged_at_the_time_stamp() {
    let current = mohrss_seal(2);
    let ours = tsa_keys(true);
    let seal = current.seal();
    let issue_at = |record: &CertificateRecord, t: i64| {
        let tsa = LocalTsa { key: &ours.key, certificate_der: &ours.cert, gen_time_unix: t };
        issue_pdf(record, Registry::builtin(), &fonts(), &seal, t, &tsa)
    };
    // A certificate issued on the demo's today, annotated from that day: VALID as issued.
    let (record, _) = forged_record_pdf();
    let mut today_record = record.clone();
    today_record.issue_date = ecert_format::Date::in_china_at(AT).unwrap();
    today_record.approval_date = today_record.issue_date;
    let a = today_record.annotation.as_mut().unwrap();
    a.valid_from = today_record.issue_date;
    a.valid_until = today_record.issue_date.add_days(29).unwrap();
    let pdf = issue_at(&today_record, AT - 3600).unwrap();
    assert_eq!(check(&pdf).code, VerdictCode::Valid, "{:?}", check(&pdf).summary);

    // Sealed, as the time-stamp proves, the evening before its issue date: no genuine issuance does that.
    let eve = today_record.issue_date.china_start_unix() - 3600;
    let stamp_eve: Stamp = &|sig| token(&ours, eve, sig);
    let v = check(&reseal(&pdf, &current, eve, Some(stamp_eve)));
    assert_eq!(
        (v.code, code_of(&v, CheckId::Authorization).as_str()),
        (VerdictCode::SealNotAuthorized, "SEALED_BEFORE_ISSUE_DATE")
    );
    assert!(v.summary.zh.contains("早于其制发日期"), "the summary says why: {}", v.summary.zh);
    // The issuer refuses to make such a seal in the first place.
    assert!(issue_at(&today_record, eve).is_err());

    // An annotated copy whose window starts 91 days after it was sealed: not sealed when its 加注 was made.
    let mut ahead = today_record.clone();
    let a = ahead.annotation.as_mut().unwrap();
    a.valid_from = today_record.issue_date.add_days(91).unwrap();
    a.valid_until = a.valid_from.add_days(9).unwrap();
    let first_day = a.valid_from.china_start_unix() + 36_000;
    assert!(issue_at(&ahead, AT - 3600).is_err(), "the issuer refuses it");
    let layout = issue_at(&ahead, first_day).unwrap();
    let stamp_today: Stamp = &|sig| token(&ours, AT - 3600, sig);
    let v = check_with(&reseal(&layout, &current, AT - 3600, Some(stamp_today)), trust(), first_day + 3600);
    assert_eq!(code_of(&v, CheckId::Authorization), "ANNOTATION_NOT_SEALED_WHEN_MADE");
    assert_ne!(v.code, VerdictCode::Valid);
}

#[test]
fn every_certificate_in_the_path_is_judged_at_the_time_stamp() {
    let pdf = sample("valid-style1.pdf");
    let sealed_at = check(&pdf).seal.unwrap().sealed_at;

    // The TSA's use window ended before the token's time.
    let list = resigned(&|l| l.time_stamp_authorities[0].use_until = sealed_at - 1);
    let v = check_with(&pdf, &list, AT);
    assert_eq!(
        (v.code, code_of(&v, CheckId::Trust).as_str()),
        (VerdictCode::UntrustedSeal, "TSA_NOT_VALID_AT_TIMESTAMP")
    );

    // The issuer CA, re-certified (same key and name) with a validity that starts after the seal was made: the
    // list now holds that certificate, so the CA was not valid at the time-stamp. (The sample carries the old CA
    // certificate; a copy carrying only the seal's is what such a list would be asked about.)
    let ca_key = key("pki/issuers/mohrss/ca-key.pem");
    let root_key = key("pki/root/key.pem");
    let root_cert = cert("pki/root/cert.pem");
    let registry = Registry::builtin();
    let mohrss = registry.issuer("mohrss").unwrap();
    let renewed = ecert_pki::build_certificate(
        &ecert_pki::CertSpec {
            serial: [0x42; 16],
            subject: ecert_pki::NameSpec::cn(mohrss.name_zh.clone(), format!("{} 电子印章CA", mohrss.name_zh)),
            not_before_unix: sealed_at + 60,
            not_after_unix: sealed_at + 10 * 365 * 86_400,
            profile: ecert_pki::Profile::IssuerCa,
        },
        ca_key.verifying_key(),
        ecert_pki::CertIssuer::Ca { cert_der: &root_cert, key: &root_key },
    )
    .unwrap();
    let list = resigned(&|l| {
        let i = l.issuers.iter_mut().find(|i| i.id == "mohrss").unwrap();
        i.ca_certificate = ecert_format::trust_list::encode_der(&renewed);
    });
    let seal_only = edit_cms(&pdf, &|ci| {
        let sd = signed_data(ci);
        let certs = sd.iter_mut().find(|f| matches!(f, Der::Cons(0xA0, _))).unwrap();
        let seal_cert = cert("pki/issuers/mohrss/seals/seal-2/cert.pem");
        kids(certs).retain(|c| encode_der(c) == seal_cert);
    });
    let v = check_with(&seal_only, &list, AT);
    assert_eq!(
        (v.code, code_of(&v, CheckId::Trust).as_str()),
        (VerdictCode::UntrustedSeal, "CA_NOT_VALID_AT_SIGNING_TIME")
    );

    // A token after the time of check.
    let v = check_with(&pdf, trust(), sealed_at - 3600);
    assert_eq!(code_of(&v, CheckId::Trust), "TIMESTAMP_IN_FUTURE");
}

#[test]
fn a_broken_or_foreign_time_stamp_is_no_evidence() {
    let pdf = sample("valid-style1.pdf");
    // A byte of the token's TSTInfo changed: its signature no longer verifies.
    let tampered = edit_cms(&pdf, &|ci| {
        let si = signer_info(signed_data(ci));
        let unsigned = si.iter_mut().find(|f| matches!(f, Der::Cons(0xA1, _))).unwrap();
        let attr = &mut kids(unsigned)[0];
        let token = &mut kids(&mut kids(attr)[1])[0];
        let sd = signed_data(token);
        let encap = kids(&mut sd[2]);
        let octets = &mut kids(&mut encap[1])[0];
        if let Der::Prim(_, bytes) = octets {
            let n = bytes.len();
            bytes[n - 1] ^= 1;
        }
    });
    let v = check(&tampered);
    assert_eq!((v.code, code_of(&v, CheckId::Trust).as_str()), (VerdictCode::UntrustedSeal, "TIMESTAMP_INVALID"));

    // The token of another certificate: it covers another signature.
    let other = cms_of(&sample("valid-style2.pdf"));
    let (mut other_ci, _) = parse_der(&other);
    let other_unsigned =
        signer_info(signed_data(&mut other_ci)).iter().find(|f| matches!(f, Der::Cons(0xA1, _))).unwrap().clone();
    let swapped = edit_cms(&pdf, &|ci| {
        let si = signer_info(signed_data(ci));
        si.retain(|f| !matches!(f, Der::Cons(0xA1, _)));
        si.push(other_unsigned.clone());
    });
    assert_eq!(code_of(&check(&swapped), CheckId::Trust), "TIMESTAMP_INVALID");
}

#[test]
fn no_signing_time_and_foreign_certificates_are_refused() {
    let pdf = sample("valid-style1.pdf");
    let current = mohrss_seal(2);
    let ours = tsa_keys(true);
    let sealed_at = check(&pdf).seal.unwrap().sealed_at;
    // signingTime removed from the signed attributes, signed again and time-stamped again (an insider).
    let no_time = edit_cms(&pdf, &|ci| {
        let si = signer_info(signed_data(ci));
        let attrs = si.iter_mut().find(|f| matches!(f, Der::Cons(0xA0, _))).unwrap();
        let signing_time = encode_der(&parse_der(&oid_der("1.2.840.113549.1.9.5")).0);
        kids(attrs).retain(|a| match a {
            Der::Cons(_, k) => encode_der(&k[0]) != signing_time,
            _ => true,
        });
        let mut set = encode_der(attrs);
        set[0] = 0x31;
        let sig = current.key.sign_prehashed_der(&set).unwrap();
        set_signature(si, sig.clone());
        set_unsigned(si, vec![(oid_der(TST_TOKEN_OID), token(&ours, sealed_at, &sig))]);
    });
    let v = check(&no_time);
    assert_eq!(
        (v.code, code_of(&v, CheckId::Trust).as_str()),
        (VerdictCode::UntrustedSeal, "NO_SIGNING_TIME"),
        "{:?}",
        v.check(CheckId::Signature)
    );

    // A certificate that is neither the seal's nor its CA's rides along (certificates are not signed).
    let foreign = edit_cms(&pdf, &|ci| {
        let sd = signed_data(ci);
        let certs = sd.iter_mut().find(|f| matches!(f, Der::Cons(0xA0, _))).unwrap();
        kids(certs).push(parse_der(&cert("untrusted-pki/root/cert.pem")).0);
    });
    let v = check(&foreign);
    assert_eq!((v.code, code_of(&v, CheckId::Trust).as_str()), (VerdictCode::UntrustedSeal, "FOREIGN_CERTIFICATE"));
}

// ---------------------------------------------------------------------------------------------------------
// One canonical file.

/// `n − s` for the P-256 group order `n` (big-endian, 32 bytes): the other `s` that verifies.
fn n_minus(s: &[u8; 32]) -> [u8; 32] {
    const N: [u8; 32] = [
        0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6,
        0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
    ];
    let mut out = [0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let d = N[i] as i16 - s[i] as i16 - borrow;
        out[i] = d.rem_euclid(256) as u8;
        borrow = i16::from(d < 0);
    }
    out
}
fn der_int(v: &[u8]) -> Vec<u8> {
    let mut v: Vec<u8> = v.iter().copied().skip_while(|&b| b == 0).collect();
    if v.first().is_some_and(|b| b & 0x80 != 0) {
        v.insert(0, 0);
    }
    encode_der(&Der::Prim(0x02, v))
}

fn assert_non_canonical(name: &str, pdf: &[u8], code: &str) {
    let v = check(pdf);
    assert_eq!(v.code, VerdictCode::NonCanonical, "{name}: {:?} {:?}", v.code, v.summary);
    assert_eq!(v.state, VerdictState::Modified, "{name}");
    assert_eq!(code_of(&v, CheckId::Canonical), code, "{name}");
    assert!(v.certificate.is_some(), "{name}: the intact signature's data may still be shown");
    assert!(v.summary.zh.contains("不是签发的原始文件"), "{name}: {}", v.summary.zh);
}

#[test]
fn many_files_one_valid() {
    let pdf = sample("valid-style1.pdf");
    assert_eq!(check(&pdf).code, VerdictCode::Valid);
    assert_eq!(code_of(&check(&pdf), CheckId::Canonical), "OK");
    let ours = tsa_keys(true);
    let sealed_at = check(&pdf).seal.unwrap().sealed_at;

    // The high-S twin of the ECDSA signature (with a token over it from the trusted TSA's key).
    let high_s = edit_cms(&pdf, &|ci| {
        let si = signer_info(signed_data(ci));
        let (sig, _) = parse_der(&signature_of(si));
        let Der::Cons(_, rs) = sig else { panic!() };
        let (Der::Prim(_, r), Der::Prim(_, s)) = (&rs[0], &rs[1]) else { panic!() };
        let mut s32 = [0u8; 32];
        let s = &s[s.len().saturating_sub(32)..];
        s32[32 - s.len()..].copy_from_slice(s);
        let twin = encode_der(&Der::Cons(0x30, vec![parse_der(&der_int(r)).0, parse_der(&der_int(&n_minus(&s32))).0]));
        set_signature(si, twin.clone());
        set_unsigned(si, vec![(oid_der(TST_TOKEN_OID), token(&ours, sealed_at, &twin))]);
    });
    assert_non_canonical("high-S", &high_s, "HIGH_S_SIGNATURE");

    // Another unsigned attribute beside the token.
    let extra_attr = edit_cms(&pdf, &|ci| {
        let si = signer_info(signed_data(ci));
        let unsigned = si.iter_mut().find(|f| matches!(f, Der::Cons(0xA1, _))).unwrap();
        kids(unsigned).push(Der::Cons(
            0x30,
            vec![parse_der(&oid_der("1.2.840.113549.1.9.6")).0, Der::Cons(0x31, vec![Der::Prim(0x05, vec![])])],
        ));
    });
    assert_non_canonical("extra unsigned attribute", &extra_attr, "UNSIGNED_ATTRIBUTES");

    // A CRL set ([1] with one CertificateList; an empty CRL made once with Python's `cryptography`).
    const CRL: &str = "308196303d020101300a06082a8648ce3d040302300e310c300a06035504030c0363726c170d323630313031\
        3030303030305a170d3237303130313030303030305a300a06082a8648ce3d0403020349003046022100990ccf6cb22bf956247f\
        c6aae455ec049f0e9f625121cd35c6e0589ec971885e022100ce8ce649a3c026c4706652fa6ff97054a81b89d78dc1ba0445fb25\
        cbb78b3518";
    let crl: Vec<u8> = (0..CRL.len()).step_by(2).map(|i| u8::from_str_radix(&CRL[i..i + 2], 16).unwrap()).collect();
    let crls = edit_cms(&pdf, &|ci| {
        let sd = signed_data(ci);
        let at = sd.iter().position(|f| matches!(f, Der::Cons(0xA0, _))).unwrap() + 1;
        sd.insert(at, Der::Cons(0xA1, vec![parse_der(&crl).0]));
    });
    assert_non_canonical("CRL set", &crls, "CRLS_PRESENT");

    // Certificates reordered, the CA dropped, the CA twice.
    let certs_edit = |f: &dyn Fn(&mut Vec<Der>)| {
        edit_cms(&pdf, &|ci| {
            let sd = signed_data(ci);
            let certs = sd.iter_mut().find(|f| matches!(f, Der::Cons(0xA0, _))).unwrap();
            f(kids(certs));
        })
    };
    let ca = cert("pki/issuers/mohrss/ca-cert.pem");
    assert_non_canonical("reordered", &certs_edit(&|c| c.reverse()), "CERTIFICATES_NOT_AS_ISSUED");
    assert_non_canonical(
        "CA dropped",
        &certs_edit(&|c| c.retain(|x| encode_der(x) != ca)),
        "CERTIFICATES_NOT_AS_ISSUED",
    );
    assert_non_canonical("CA twice", &certs_edit(&|c| c.push(parse_der(&ca).0)), "CERTIFICATES_NOT_AS_ISSUED");

    // The /Contents padding and spelling (outside the signed bytes).
    let (s, e) = contents_span(&pdf);
    let mut lower = pdf.clone();
    lower[s + 1..e - 1].make_ascii_lowercase();
    assert_non_canonical("lowercase hex", &lower, "CONTENTS_NOT_AS_ISSUED");
    let mut spaced = pdf.clone();
    spaced[e - 3] = b' ';
    assert_non_canonical("whitespace in padding", &spaced, "CONTENTS_NOT_AS_ISSUED");

    // An EOL after the final %%EOF.
    for tail in [&b"\n"[..], b"\r\n", b" ", b"\n\n"] {
        let mut longer = pdf.clone();
        longer.extend_from_slice(tail);
        let v = check(&longer);
        assert_ne!(v.code, VerdictCode::Valid, "{tail:?} appended");
        assert!(matches!(v.code, VerdictCode::NonCanonical | VerdictCode::Modified), "{tail:?}: {:?}", v.code);
    }
    // The issuer ends the file with `%%EOF` and one EOL, all of it signed: a further EOL is bytes after the seal
    // (MODIFIED, the more severe code), and the canonical check names it too.
    let mut eol = pdf.clone();
    eol.push(b'\n');
    let v = check(&eol);
    assert_eq!(v.code, VerdictCode::Modified);
    assert_eq!(code_of(&v, CheckId::Canonical), "BYTES_AFTER_EOF");
    assert!(v.summary.zh.contains("不是签发的原始文件"), "{}", v.summary.zh);
    assert!(pdf.ends_with(b"%%EOF\n"), "the issuer's file ends with %%EOF and one EOL");
}

// ---------------------------------------------------------------------------------------------------------
// Freshness, the annotation rule, and the files HR receives.

#[test]
fn an_expired_trust_list_never_gives_valid() {
    let pdf = sample("valid-style1.pdf");
    let next_update = trust().list().next_update;
    assert_eq!(check_with(&pdf, trust(), next_update - 1).code, VerdictCode::Valid);
    let v = check_with(&pdf, trust(), next_update);
    assert_eq!(v.code, VerdictCode::TrustListExpired);
    assert_eq!(v.state, VerdictState::StatusUnknown);
    assert_eq!(code_of(&v, CheckId::Trust), "TRUST_LIST_EXPIRED");
    assert!(v.summary.zh.contains("联网更新信任列表"), "{}", v.summary.zh);
    assert!(v.summary.en.contains("update the trust list"), "{}", v.summary.en);
}

#[test]
fn the_trust_lists_annotation_rule_is_applied() {
    // valid-style1 carries a 90-day window; a list that allows 30 makes it invalid.
    let pdf = sample("valid-style1.pdf");
    let tight = resigned(&|l| l.annotation_rule.max_window_days = 30);
    let v = check_with(&pdf, &tight, AT);
    assert_eq!(v.code, VerdictCode::AnnotationInvalid);
    assert_eq!(code_of(&v, CheckId::Annotation), "ANNOTATION_WINDOW_TOO_LONG");
    assert_eq!(v.annotation.unwrap().state, "invalid");
    // valid-style2's 30-day window is fine under it.
    assert_eq!(check_with(&sample("valid-style2.pdf"), &tight, AT).code, VerdictCode::Valid);
}

#[test]
fn the_issuer_applies_the_same_rule_as_the_verifier() {
    let dir = tempfile::tempdir().unwrap();
    let pki = common::mohrss_pki(dir.path(), &["--max-window-days", "30", "--max-in-trailing-window", "1"]);
    let p = pki.as_str();
    let out = |n: &str| dir.path().join(n).to_string_lossy().into_owned();
    let today = ecert_format::Date::in_china_at(
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64,
    )
    .unwrap()
    .to_string();
    let o = ecert(&[
        "issue",
        "--pki",
        p,
        "--qualification",
        "Q07",
        "--name",
        "测试",
        "--id-number",
        "11010519491231002X",
        "--approval-date",
        "2025-01-10",
        "--issue-date",
        "2025-03-15",
        "--management-number",
        "R0001",
        "--out",
        &out("c.pdf"),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let annotate = |days: &str, file: &str| {
        ecert(&[
            "annotate",
            "--pki",
            p,
            "--management-number",
            "R0001",
            "--days",
            days,
            "--today",
            &today,
            "--out",
            &out(file),
        ])
    };
    let o = annotate("60", "a60.pdf");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("最长为30天"), "{}", String::from_utf8_lossy(&o.stderr));
    let o = annotate("30", "a30.pdf");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = annotate("10", "a10.pdf");
    assert_eq!(o.status.code(), Some(2), "a second 加注 within the trailing window: the list allows 1");
    assert!(String::from_utf8_lossy(&o.stderr).contains("最多1次"), "{}", String::from_utf8_lossy(&o.stderr));
    // What the issuer wrote under the tightened list verifies under it.
    let o = common::verify_in_pki(p, &[&out("a30.pdf")]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    // A list whose rule is outside the format is refused by the issuer.
    let o = ecert(&["trust-list", "--pki", p, "--max-window-days", "91"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn encrypted_and_re_saved_files_are_named_for_what_they_are() {
    if !tool("qpdf") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let src = demo().join("samples/valid-style1.pdf");
    let run = |args: &[&str]| {
        let o = Command::new("qpdf").args(args).output().unwrap();
        // qpdf exits 3 for warnings (the signature it cannot keep); the file is written.
        assert!(matches!(o.status.code(), Some(0 | 3)), "qpdf {args:?}: {}", String::from_utf8_lossy(&o.stderr));
    };
    let enc = dir.path().join("enc.pdf");
    run(&["--encrypt", "", "owner", "256", "--", src.to_str().unwrap(), enc.to_str().unwrap()]);
    let v = check(&std::fs::read(&enc).unwrap());
    assert_eq!(v.code, VerdictCode::Encrypted);
    assert!(v.summary.zh.contains("加密"), "{}", v.summary.zh);

    for (name, args) in
        [("resaved.pdf", vec![]), ("qdf.pdf", vec!["--qdf"]), ("objstreams.pdf", vec!["--object-streams=generate"])]
    {
        let out = dir.path().join(name);
        let mut a: Vec<&str> = args.clone();
        a.extend([src.to_str().unwrap(), out.to_str().unwrap()]);
        run(&a);
        let v = check(&std::fs::read(&out).unwrap());
        assert_ne!(v.code, VerdictCode::Valid, "{name}");
        assert!(v.summary.zh.contains("不是签发的原始文件"), "{name}: {:?} {}", v.code, v.summary.zh);
        assert!(v.summary.en.contains("Not the original file issued"), "{name}: {}", v.summary.en);
        // Nor does any check claim that nothing was changed after a seal that does not verify.
        assert_ne!(v.check(CheckId::Modification).map(|c| c.outcome), Some(ecert_verify::Outcome::Pass), "{name}");
    }
}

// ---------------------------------------------------------------------------------------------------------
// A trusted seal over a sealed revision that is not a certificate's (an insider re-sealing edited bytes).

/// `edited` (the same length as the sample, so its /ByteRange still frames /Contents) sealed again with the
/// current MOHRSS seal and a token from the trusted TSA.
fn sealed_again(edited: &[u8], at: i64) -> Vec<u8> {
    let ours = tsa_keys(true);
    let stamp: Stamp = &|sig| token(&ours, at, sig);
    reseal(edited, &mohrss_seal(2), at, Some(stamp))
}

fn replaced(pdf: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    assert_eq!(from.len(), to.len());
    let at = find(pdf, from);
    let mut out = pdf.to_vec();
    out[at..at + from.len()].copy_from_slice(to);
    out
}

#[test]
fn a_trusted_seal_over_something_that_is_not_a_certificate() {
    let pdf = sample("valid-style1.pdf");
    let at = check(&pdf).seal.unwrap().sealed_at;
    // Sealing again without an edit is VALID (the test's re-sealing is faithful).
    assert_eq!(check(&sealed_again(&pdf, at)).code, VerdictCode::Valid);

    // DocMDP P=2: a signature that would allow changes is not a certification.
    let p2 = sealed_again(&replaced(&pdf, b"/TransformParams/P 1/", b"/TransformParams/P 2/"), at);
    let v = check(&p2);
    assert_eq!((v.code, code_of(&v, CheckId::Signature).as_str()), (VerdictCode::NotACertificate, "NOT_CERTIFIED"));

    // A record whose ID number fails its GB 11643 check digit, sealed by a trusted key: not a certificate.
    let id = record_of(&pdf).holder.id_number;
    let mut bad_id = id.clone().into_bytes();
    let last = bad_id.last_mut().unwrap();
    *last = if *last == b'0' { b'1' } else { b'0' };
    let bad = sealed_again(&replaced(&pdf, id.as_bytes(), &bad_id), at);
    let v = check(&bad);
    assert_eq!((v.code, code_of(&v, CheckId::Record).as_str()), (VerdictCode::NotACertificate, "RECORD_INVALID"));
    assert!(v.certificate.is_none(), "an invalid record is never shown as certificate data");

    // Two signature fields in the sealed revision.
    let two = two_signature_fields(&pdf, at);
    let v = check(&two);
    assert_eq!(
        (v.code, code_of(&v, CheckId::Signature).as_str()),
        (VerdictCode::NotACertificate, "MULTIPLE_SIGNATURES")
    );
}

/// The sample rewritten (by lopdf) with a second signed signature field in its only revision, then sealed by the
/// trusted seal over the new bytes.
fn two_signature_fields(pdf: &[u8], at: i64) -> Vec<u8> {
    use lopdf::{Object, StringFormat, dictionary};
    let mut doc = lopdf::Document::load_mem(pdf).unwrap();
    let catalog_id = doc.trailer.get(b"Root").unwrap().as_reference().unwrap();
    // The issuer writes /AcroForm directly in the catalog.
    let acroform = |doc: &mut lopdf::Document| -> lopdf::Dictionary {
        doc.get_dictionary(catalog_id).unwrap().get(b"AcroForm").unwrap().as_dict().unwrap().clone()
    };
    let fields = acroform(&mut doc).get(b"Fields").unwrap().as_array().unwrap().clone();
    let field = doc.get_dictionary(fields[0].as_reference().unwrap()).unwrap().clone();
    let sig_id = field.get(b"V").unwrap().as_reference().unwrap();
    // The seal's placeholders, as the issuer lays them out before signing.
    let sig = doc.get_object_mut(sig_id).unwrap().as_dict_mut().unwrap();
    sig.set(
        "Contents",
        Object::String(vec![b'0'; ecert_format::sealed_file::CONTENTS_RESERVED_BYTES * 2], StringFormat::Literal),
    );
    sig.set(
        "ByteRange",
        vec![Object::Integer(0), 9_999_999_999i64.into(), 9_999_999_999i64.into(), 9_999_999_999i64.into()],
    );
    let second_sig = doc.add_object(dictionary! {
        "Type" => "Sig",
        "Filter" => "Adobe.PPKLite",
        "SubFilter" => "ETSI.CAdES.detached",
    });
    let second_field = doc.add_object(dictionary! {
        "FT" => "Sig",
        "T" => Object::string_literal("second"),
        "V" => second_sig,
    });
    let mut fields = fields;
    fields.push(second_field.into());
    let mut form = acroform(&mut doc);
    form.set("Fields", fields);
    doc.get_dictionary_mut(catalog_id).unwrap().set("AcroForm", form);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    let prepared = ecert_issue::signature::Prepared::new(bytes).unwrap();
    let s = mohrss_seal(2);
    let t = tsa_keys(true);
    let tsa = LocalTsa { key: &t.key, certificate_der: &t.cert, gen_time_unix: at };
    let cms =
        ecert_pki::sign_detached_time_stamped(prepared.signed_digest(), at, &s.cert, &[&s.ca], &s.key, &tsa).unwrap();
    prepared.finish(&cms).unwrap()
}

#[test]
fn a_seal_the_list_does_not_authorize_for_the_qualification() {
    // The trust list no longer lets the MOHRSS seal seal Q07 (一级建造师): its certificates are not authorized.
    let pdf = sample("valid-style1.pdf");
    assert_eq!(record_of(&pdf).qualification.code, "Q07");
    let list = resigned(&|l| {
        let mohrss = l.issuers.iter_mut().find(|i| i.id == "mohrss").unwrap();
        mohrss.qualifications.retain(|q| q != "Q07");
    });
    let v = check_with(&pdf, &list, AT);
    assert_eq!(
        (v.code, code_of(&v, CheckId::Authorization).as_str()),
        (VerdictCode::SealNotAuthorized, "QUALIFICATION_NOT_AUTHORIZED")
    );
    // The summary and the check agree on why (an HR reader sees the reason, not "untrusted").
    assert!(v.summary.zh.contains("无权签发"), "{}", v.summary.zh);
    assert!(!v.summary.zh.contains("不可信"), "{}", v.summary.zh);
}

// ---------------------------------------------------------------------------------------------------------
// Every code docs/verdict.md documents has a case that produces it.

fn replaced_all(pdf: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    assert_eq!(from.len(), to.len());
    let mut out = pdf.to_vec();
    let mut i = 0;
    let mut n = 0;
    while let Some(p) = out[i..].windows(from.len()).position(|w| w == from) {
        out[i + p..i + p + from.len()].copy_from_slice(to);
        i += p + from.len();
        n += 1;
    }
    assert!(n > 0, "{:?} not found", String::from_utf8_lossy(from));
    out
}

/// /Contents emptied to `<>` (spaces keep every offset), /ByteRange rewritten to frame it.
fn empty_contents(pdf: &[u8]) -> Vec<u8> {
    let (s, e) = contents_span(pdf);
    let mut out = pdf.to_vec();
    out[s + 1] = b'>';
    out[s + 2..e].fill(b' ');
    let br = find(&out, b"/ByteRange[") + b"/ByteRange".len();
    let close = br + out[br..].iter().position(|&b| b == b']').unwrap();
    let old_len = out[br..].iter().position(|&b| b == b'/' || b == b'>').unwrap();
    let text = format!("[0 {} {} {}]", s, s + 2, pdf.len() - (s + 2));
    assert!(text.len() <= old_len && close < br + old_len);
    out[br..br + old_len].fill(b' ');
    out[br..br + text.len()].copy_from_slice(text.as_bytes());
    out
}

#[test]
fn every_documented_check_code_has_a_failing_case() {
    let pdf = sample("valid-style1.pdf");
    let at = check(&pdf).seal.unwrap().sealed_at;
    let cases: Vec<(&str, Vec<u8>, CheckId, VerdictCode)> = vec![
        ("NO_SIGNATURE", replaced(&pdf, b"/FT/Sig", b"/FT/Sih"), CheckId::Signature, VerdictCode::NotACertificate),
        (
            "UNSUPPORTED_SIGNATURE",
            replaced(&pdf, b"ETSI.CAdES.detached", b"ETSI.CAdES.detachee"),
            CheckId::Signature,
            VerdictCode::NotACertificate,
        ),
        ("CONTENTS_MISSING", empty_contents(&pdf), CheckId::Signature, VerdictCode::SignatureInvalid),
        (
            "CMS_MALFORMED",
            {
                let (s, _) = contents_span(&pdf);
                let mut bad = pdf.clone();
                bad[s + 1..s + 3].copy_from_slice(b"31");
                bad
            },
            CheckId::Signature,
            VerdictCode::SignatureInvalid,
        ),
        (
            "CMS_SIGNATURE_INVALID",
            edit_cms(&pdf, &|ci| {
                let si = signer_info(signed_data(ci));
                let mut sig = signature_of(si);
                let n = sig.len();
                sig[n - 1] ^= 1;
                set_signature(si, sig);
            }),
            CheckId::Signature,
            VerdictCode::SignatureInvalid,
        ),
        (
            "DIGEST_MISMATCH",
            {
                let id = record_of(&pdf).management_number;
                let mut other = id.clone().into_bytes();
                other[0] = if other[0] == b'9' { b'8' } else { b'9' };
                replaced(
                    &pdf,
                    format!("\"{id}\"").as_bytes(),
                    format!("\"{}\"", String::from_utf8(other).unwrap()).as_bytes(),
                )
            },
            CheckId::Signature,
            VerdictCode::SignatureInvalid,
        ),
        ("SEAL_NOT_IN_TRUST_LIST", sample("untrusted-seal.pdf"), CheckId::Trust, VerdictCode::UntrustedSeal),
        (
            "RECORD_MISSING",
            sealed_again(&replaced_all(&pdf, b"ecert-record.json", b"ecert-recorD.json"), at),
            CheckId::Record,
            VerdictCode::NotACertificate,
        ),
        (
            "RECORD_UNDECODABLE",
            // The record stream claims a Flate encoding it does not have.
            sealed_again(&replaced(&pdf, b"/Subtype/application#2Fjson", b"/Filter/FlateDecode        "), at),
            CheckId::Record,
            VerdictCode::NotACertificate,
        ),
    ];
    for (code, bytes, id, verdict) in cases {
        let v = check(&bytes);
        assert_eq!((v.code, code_of(&v, id)), (verdict, code.to_owned()), "{code}: {:?}", v.summary);
        assert!(v.certificate.is_none() || verdict > VerdictCode::SealNotAuthorized, "{code}");
    }
    // A self-signed seal carried in the file (made by openssl, as an attacker would).
    if tool("openssl") {
        let dir = tempfile::tempdir().unwrap();
        let (k, c) = (dir.path().join("k.pem"), dir.path().join("c.pem"));
        let o = Command::new("openssl")
            .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "3650"])
            .args(["-subj", "/CN=专业技术人员职业资格证书专用章", "-utf8"])
            .args(["-addext", "keyUsage=critical,digitalSignature,nonRepudiation", "-keyout"])
            .arg(&k)
            .arg("-out")
            .arg(&c)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let s = Signer {
            key: SigningKeyPair::from_pkcs8_pem(&std::fs::read_to_string(&k).unwrap()).unwrap(),
            cert: certificate_from_pem(&std::fs::read_to_string(&c).unwrap()).unwrap(),
            ca: certificate_from_pem(&std::fs::read_to_string(&c).unwrap()).unwrap(),
        };
        let v = check(&reseal(&pdf, &s, at, None));
        assert_eq!((v.code, code_of(&v, CheckId::Trust).as_str()), (VerdictCode::UntrustedSeal, "SELF_SIGNED_SEAL"));
    }
}

/// docs/verdict.md's tables name every verdict and check code; each must occur, quoted, in a test.
#[test]
fn docs_verdict_codes_all_have_tests() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let doc = std::fs::read_to_string(root.join("docs/verdict.md")).unwrap();
    let mut codes = std::collections::BTreeSet::new();
    let mut in_table = false;
    for line in doc.lines() {
        if line.starts_with("## `code`") || line.starts_with("## `checks[].id`") {
            in_table = true;
        } else if line.starts_with("## ") {
            in_table = false;
        }
        if in_table && line.starts_with('|') {
            for part in line.split('`').skip(1).step_by(2) {
                if part.len() > 2 && part.chars().all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit()) {
                    codes.insert(part.to_owned());
                }
            }
        }
    }
    assert!(codes.len() > 40, "found {} codes", codes.len());
    let mut tests = String::new();
    let mut stack = vec![root.join("crates"), root.join("tests")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            if p.is_dir() {
                if name != "target" && name != "node_modules" && name != "corpus" {
                    stack.push(p);
                }
            } else if name.ends_with(".rs") || name.ends_with(".mjs") {
                let text = std::fs::read_to_string(&p).unwrap_or_default();
                if p.components().any(|c| c.as_os_str() == "tests") || text.contains("#[test]") {
                    tests.push_str(&text);
                }
            }
        }
    }
    let camel =
        |c: &str| -> String { c.split('_').map(|w| w[..1].to_owned() + &w[1..].to_ascii_lowercase()).collect() };
    let missing: Vec<&String> = codes
        .iter()
        .filter(|c| {
            !tests.contains(&format!("\"{c}\""))
                && !tests.contains(&format!("'{c}'"))
                && !tests.contains(&format!("VerdictCode::{}", camel(c)))
        })
        .collect();
    assert!(missing.is_empty(), "documented codes no test names: {missing:?}");
}
