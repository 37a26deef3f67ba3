//! The verifier against the demo samples and against hostile files built here from a valid certificate: every
//! verdict code, the classic PDF signature attacks (ISA, SWA, USF, shadow, EAA/SSA), robustness on broken
//! input, and agreement with pyHanko on intact/modified.

mod common;

use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use ecert_format::StatusInput;
use ecert_pdf_structure::{Budget, Document, Object, ObjectId, walk};
use ecert_verify::{CheckId, Outcome, Verdict, VerdictCode, VerifiedTrustList, VerifyOptions};

use common::{demo, manifest, tool};

/// 2026-11-23 23:59 China time: the demo seals "today's" samples at the real time when run on TODAY, else at
/// 10:00 of TODAY, so the end of that day is after every signing time.
const AT: i64 = 1_795_449_540;

fn trust() -> &'static VerifiedTrustList {
    static T: OnceLock<VerifiedTrustList> = OnceLock::new();
    T.get_or_init(|| {
        let list = std::fs::read(demo().join("trust-list.json")).unwrap();
        VerifiedTrustList::from_signed_json(&list, &root_spki(), 0).expect("demo trust list verifies")
    })
}

fn spki_of(pem_file: &str) -> Vec<u8> {
    ecert_pki::key::spki_der_from_pem(&std::fs::read_to_string(demo().join(pem_file)).unwrap()).unwrap()
}

fn root_spki() -> Vec<u8> {
    spki_of("root-spki.pem")
}

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(demo().join("samples").join(name)).unwrap()
}

/// The demo trust list after `edit`, signed again by the demo root and loaded (a correctly signed list whose
/// content the loader then judges).
fn resigned_demo_list(
    edit: &dyn Fn(&mut ecert_format::TrustList),
) -> Result<VerifiedTrustList, ecert_verify::TrustError> {
    let root_key =
        ecert_pki::SigningKeyPair::from_pkcs8_pem(&std::fs::read_to_string(demo().join("pki/root/key.pem")).unwrap())
            .unwrap();
    let mut list = trust().list().clone();
    edit(&mut list);
    let payload = list.to_json();
    let signed =
        ecert_format::SignedTrustList::new(&payload, &root_key.sign_prehashed_der(&payload).unwrap(), &root_spki());
    VerifiedTrustList::from_signed_json(signed.to_json_pretty().as_bytes(), &root_spki(), 0)
}

fn check(pdf: &[u8]) -> Verdict {
    ecert_verify::verify(pdf, trust(), AT, &StatusInput::NotChecked, &VerifyOptions::default())
}

// ---------------------------------------------------------------------------------------------------------
// The demo samples.

#[test]
fn every_demo_sample_gets_its_expected_code() {
    for s in manifest().samples {
        let v = check(&sample(&s.file));
        assert_eq!(v.code.as_str(), s.expected, "{}: {:#?}", s.file, v.checks);
        assert_eq!(v.state, v.code.state());
        assert!(!v.summary.zh.is_empty() && !v.summary.en.is_empty());
        if s.expected != "UNTRUSTED_SEAL" {
            let c = v.certificate.as_ref().unwrap_or_else(|| panic!("{}: fields missing", s.file));
            assert_eq!(c.management_number, s.management_number);
            assert_eq!(c.holder_name, s.holder_name);
            assert!(c.id_number_masked && c.id_number.contains('*'), "{}", c.id_number);
            let id = v.status_id.as_deref().unwrap_or_default();
            assert!(ecert_format::parse_status_id(id).is_some(), "{}: status id {id:?}", s.file);
            assert_eq!(v.status.state, "not_checked");
        } else {
            assert!(v.certificate.is_none() && v.seal.is_none(), "fields shown for an untrusted seal");
        }
    }
}

#[test]
fn annotation_details_and_unmasking() {
    let v = check(&sample("annotation-expired.pdf"));
    let a = v.annotation.unwrap();
    assert_eq!(a.state, "expired");
    assert!(a.days_ago.unwrap() > 0);
    assert!(v.summary.zh.contains("天前过期"), "{}", v.summary.zh);
    let v = check(&sample("valid-style1.pdf"));
    assert_eq!(v.annotation.as_ref().unwrap().state, "valid");
    assert_eq!(v.annotation.as_ref().unwrap().scenario.as_deref(), Some("本人调用"));
    assert!(v.annotation.unwrap().days_left.unwrap() >= 0);
    let v = check(&sample("pre-2021-association.pdf"));
    assert_eq!(v.annotation.unwrap().state, "not_required");
    let opts = VerifyOptions { reveal_id_number: true, ..Default::default() };
    let v = ecert_verify::verify(&sample("valid-style1.pdf"), trust(), AT, &StatusInput::NotChecked, &opts);
    let c = v.certificate.unwrap();
    assert!(!c.id_number_masked && !c.id_number.contains('*'));
    assert!(ecert_format::IdNumber::parse(&c.id_number).is_ok());
}

#[test]
fn status_input_changes_the_verdict() {
    use ecert_format::CertificateStatus;
    let pdf = sample("valid-style1.pdf");
    let revoked = StatusInput::Known {
        status: CertificateStatus::Revoked { revoked_at: AT - 86_400, reason: "证书信息有误".into() },
        as_of: AT,
    };
    let v = ecert_verify::verify(&pdf, trust(), AT, &revoked, &VerifyOptions::default());
    assert_eq!(v.code, VerdictCode::Revoked);
    assert_eq!(v.status.state, "revoked");
    assert!(v.summary.zh.contains("已撤销"));
    let unknown = StatusInput::Unavailable { reason: "timeout".into() };
    let v = ecert_verify::verify(&pdf, trust(), AT, &unknown, &VerifyOptions::default());
    assert_eq!(v.code, VerdictCode::StatusUnknown);
    assert_eq!(v.check(CheckId::Status).unwrap().code, "STATUS_UNAVAILABLE");
    let good = StatusInput::Known { status: CertificateStatus::Valid, as_of: AT };
    let v = ecert_verify::verify(&pdf, trust(), AT, &good, &VerifyOptions::default());
    assert_eq!(v.code, VerdictCode::Valid);
    assert_eq!((v.status.state.as_str(), v.status.source.as_str()), ("valid", "registry"));
    assert_eq!(v.checks.iter().filter(|c| c.id == CheckId::Status).count(), 1);
    // Never issued: an authentic seal over a record the registry does not know.
    let v =
        ecert_verify::verify(&pdf, trust(), AT, &StatusInput::NotRegistered { as_of: AT }, &VerifyOptions::default());
    assert_eq!(v.code, VerdictCode::NotRegistered);
    assert_eq!(v.status.state, "not_registered");
    // An annotation problem outranks nothing worse than revocation: revoked wins.
    let v = ecert_verify::verify(&sample("annotation-expired.pdf"), trust(), AT, &revoked, &VerifyOptions::default());
    assert_eq!(v.code, VerdictCode::Revoked);
    // Status never applies to an untrusted file.
    let v = ecert_verify::verify(&sample("untrusted-seal.pdf"), trust(), AT, &good, &VerifyOptions::default());
    assert_eq!(v.code, VerdictCode::UntrustedSeal);
}

#[test]
fn time_of_check_moves_the_annotation_verdict() {
    let pdf = sample("valid-style2.pdf");
    let v = check(&pdf);
    let a = v.annotation.unwrap();
    let until: ecert_format::Date = a.valid_until.unwrap().parse().unwrap();
    let from: ecert_format::Date = a.valid_from.unwrap().parse().unwrap();
    let last_day = until.china_start_unix() + 3600;
    let day_after = until.add_days(1).unwrap().china_start_unix();
    let day_before = from.add_days(-1).unwrap().china_start_unix() + 3600;
    // The demo's list expires a week after its "today"; a list that lasts longer lets the window play out.
    let lasting = resigned_demo_list(&|l| l.next_update = day_after + 30 * 86_400).unwrap();
    let at = |t| ecert_verify::verify(&pdf, &lasting, t, &StatusInput::NotChecked, &VerifyOptions::default()).code;
    assert_eq!(at(last_day), VerdictCode::Valid);
    assert_eq!(at(day_after), VerdictCode::AnnotationExpired);
    // With the demo's own list, the last day is past its next update: never VALID.
    let demo_list_at =
        |t| ecert_verify::verify(&pdf, trust(), t, &StatusInput::NotChecked, &VerifyOptions::default()).code;
    assert_eq!(demo_list_at(last_day), VerdictCode::TrustListExpired);
    // Before the window starts this copy had not even been sealed: a time-stamp after the time of check is not
    // trusted.
    assert_eq!(at(day_before), VerdictCode::UntrustedSeal);
    let v = ecert_verify::verify(&pdf, trust(), day_before, &StatusInput::NotChecked, &VerifyOptions::default());
    assert_eq!(v.check(CheckId::Trust).unwrap().code, "TIMESTAMP_IN_FUTURE");
}

#[test]
fn trust_list_is_verified_before_use() {
    let list = std::fs::read(demo().join("trust-list.json")).unwrap();
    // Another root.
    let rogue = spki_of("untrusted-pki/root/spki.pem");
    let e = VerifiedTrustList::from_signed_json(&list, &rogue, 0).unwrap_err();
    assert_eq!(e.code(), "TRUST_LIST_WRONG_SIGNER");
    // Rollback.
    let seq = trust().sequence();
    assert_eq!(
        VerifiedTrustList::from_signed_json(&list, &root_spki(), seq + 1).unwrap_err().code(),
        "TRUST_LIST_ROLLBACK"
    );
    // A payload edited after signing.
    let mut env: serde_json::Value = serde_json::from_slice(&list).unwrap();
    let payload = env["payload"].as_str().unwrap().to_owned();
    let mut bytes = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, payload).unwrap();
    let pos = bytes.windows(3).position(|w| w == b"Q07").unwrap();
    bytes[pos + 2] = b'8';
    env["payload"] = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, bytes).into();
    let e = VerifiedTrustList::from_signed_json(env.to_string().as_bytes(), &root_spki(), 0).unwrap_err();
    assert_eq!(e.code(), "TRUST_LIST_BAD_SIGNATURE");
    assert_eq!(VerifiedTrustList::from_signed_json(b"{", &root_spki(), 0).unwrap_err().code(), "TRUST_LIST_MALFORMED");
    // Correctly signed by the root but inconsistent with the registry: refused, as the edge refuses them.
    let resign = |edit: &dyn Fn(&mut ecert_format::TrustList)| resigned_demo_list(edit).map(|_| ());
    assert_eq!(resign(&|_| {}), Ok(()), "an unedited re-signed list verifies");
    let foreign = resign(&|l| {
        let auction = l.issuers.iter_mut().find(|i| i.id == "auction").unwrap();
        auction.qualifications.push("Q07".into());
    });
    assert!(matches!(&foreign, Err(e) if e.code() == "TRUST_LIST_INCONSISTENT"), "{foreign:?}");
    let kind = resign(&|l| {
        l.issuers.iter_mut().find(|i| i.id == "auction").unwrap().kind = ecert_format::IssuerKind::Ministry
    });
    assert!(matches!(&kind, Err(e) if e.code() == "TRUST_LIST_INCONSISTENT"), "{kind:?}");
    let dates = resign(&|l| l.next_update = l.issued_at);
    assert!(matches!(&dates, Err(e) if e.code() == "TRUST_LIST_INCONSISTENT"), "{dates:?}");
}

/// Seal entries are checked for consistency when the list is loaded (key id, issuing CA); the full parse of a
/// seal certificate and its chain signatures wait for first use, and a seal failing them is not trusted.
#[test]
fn seal_entries_are_checked_at_load_and_their_certificates_at_first_use() {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let resign = resigned_demo_list;
    let mohrss =
        |l: &mut ecert_format::TrustList| -> usize { l.issuers.iter().position(|i| i.id == "mohrss").unwrap() };
    // At load: a key id that is not the certificate's key.
    let wrong_id = resign(&|l| {
        let i = mohrss(l);
        l.issuers[i].seals[0].key_id = "00".repeat(32);
    });
    assert_eq!(wrong_id.unwrap_err().code(), "TRUST_LIST_INCONSISTENT");
    // At load: another issuer's seal certificate moved under MOHRSS (its issuer is another CA).
    let foreign_seal = resign(&|l| {
        let i = mohrss(l);
        let other = l.issuers.iter().position(|x| x.id != "mohrss" && !x.seals.is_empty()).unwrap();
        let moved = l.issuers[other].seals.remove(0);
        l.issuers[i].seals.push(moved);
    });
    assert_eq!(foreign_seal.unwrap_err().code(), "TRUST_LIST_INCONSISTENT");
    // At load: a certificate whose outline does not parse.
    let truncated = resign(&|l| {
        let i = mohrss(l);
        let der = b64.decode(&l.issuers[i].seals[0].certificate).unwrap();
        l.issuers[i].seals[0].certificate = b64.encode(&der[..der.len() - 1]);
    });
    assert_eq!(truncated.unwrap_err().code(), "TRUST_LIST_INCONSISTENT");

    // At first use: a certificate whose outline (key, issuer) is intact but whose validity no longer decodes
    // (a digit of notBefore replaced), and one whose CA signature no longer verifies (last signature byte).
    let edited = |l: &mut ecert_format::TrustList, edit: &dyn Fn(&mut Vec<u8>)| {
        let i = mohrss(l);
        let mut der = b64.decode(&l.issuers[i].seals[0].certificate).unwrap();
        edit(&mut der);
        l.issuers[i].seals[0].certificate = b64.encode(&der);
    };
    let bad_time = |der: &mut Vec<u8>| {
        // Validity follows the issuer name: SEQUENCE { UTCTime notBefore (13 bytes), ... }.
        let outline = ecert_pki::CertificateOutline::locate(der).unwrap();
        let validity = outline.issuer.as_ptr() as usize - der.as_ptr() as usize + outline.issuer.len();
        assert_eq!(der[validity..validity + 4], [0x30, der[validity + 1], 0x17, 0x0d]);
        der[validity + 4] = b'X';
        assert!(ecert_pki::ParsedCert::from_der(der).is_err(), "the full parse must be what refuses it");
    };
    let bad_signature = |der: &mut Vec<u8>| {
        let last = der.len() - 1;
        der[last] ^= 0x01;
        assert!(ecert_pki::ParsedCert::from_der(der).is_ok(), "the chain signature must be what refuses it");
    };
    let seal_index = |list: &VerifiedTrustList| -> usize {
        let i = list.list().issuers.iter().position(|x| x.id == "mohrss").unwrap();
        list.list().issuers[..i].iter().map(|x| x.seals.len()).sum()
    };
    for (what, edit) in [("validity", &bad_time as &dyn Fn(&mut Vec<u8>)), ("signature", &bad_signature)] {
        let list = resign(&|l| edited(l, edit))
            .unwrap_or_else(|e| panic!("{what}: the outline is intact, load must pass: {e}"));
        let i = seal_index(&list);
        assert!(!list.prepare_seal_chain(i), "{what}: the edited seal is not trusted");
        let others: Vec<bool> =
            (0..list.seal_count()).filter(|&j| j != i).map(|j| list.prepare_seal_chain(j)).collect();
        assert!(others.iter().all(|&ok| ok), "{what}: the other seals still are: {others:?}");
        // A publisher checks every seal up front and refuses such a list.
        let again = resign(&|l| edited(l, edit)).unwrap();
        assert_eq!(again.check_every_seal().unwrap_err().code(), "TRUST_LIST_INCONSISTENT", "{what}");
    }
    assert_eq!(trust().check_every_seal(), Ok(()));
    // A certificate whose seal entry is intact verifies exactly as with the demo list.
    let same = resign(&|_| {}).unwrap();
    let at = check(&sample("valid-style1.pdf"));
    let again = ecert_verify::verify(
        &sample("valid-style1.pdf"),
        &same,
        AT,
        &StatusInput::NotChecked,
        &VerifyOptions::default(),
    );
    assert_eq!((again.code, at.code), (VerdictCode::Valid, VerdictCode::Valid));
}

// ---------------------------------------------------------------------------------------------------------
// Building hostile files.

struct Parts {
    doc: Document,
}

impl Parts {
    fn of(pdf: &[u8]) -> Parts {
        Parts { doc: walk(pdf, &Budget::default()).expect("sample walks") }
    }
    fn last(&self) -> &ecert_pdf_structure::Revision {
        self.doc.revisions().last().unwrap()
    }
    fn root(&self) -> ObjectId {
        self.last().trailer().get(b"Root").and_then(Object::as_reference).unwrap()
    }
    fn size(&self) -> u32 {
        self.last().trailer().get_integer(b"Size").unwrap() as u32
    }
    fn catalog(&self) -> &ecert_pdf_structure::Dictionary {
        self.doc.catalog(0).unwrap()
    }
    fn get_ref(d: &ecert_pdf_structure::Dictionary, key: &[u8]) -> ObjectId {
        d.get(key).and_then(Object::as_reference).unwrap()
    }
    fn page(&self) -> ObjectId {
        let pages = self.doc.dictionary(0, Self::get_ref(self.catalog(), b"Pages")).unwrap();
        pages.get(b"Kids").and_then(Object::as_array).unwrap()[0].as_reference().unwrap()
    }
    fn widget(&self) -> ObjectId {
        let af = self.catalog().get(b"AcroForm").and_then(Object::as_dict).unwrap();
        af.get(b"Fields").and_then(Object::as_array).unwrap()[0].as_reference().unwrap()
    }
    fn record(&self) -> ObjectId {
        let names = self.catalog().get(b"Names").and_then(Object::as_dict).unwrap();
        let ef = names.get(b"EmbeddedFiles").and_then(Object::as_dict).unwrap();
        let spec = ef.get(b"Names").and_then(Object::as_array).unwrap()[1].as_reference().unwrap();
        let spec = self.doc.dictionary(0, spec).unwrap();
        Self::get_ref(spec.get(b"EF").and_then(Object::as_dict).unwrap(), b"F")
    }
    fn span_of(&self, id: ObjectId) -> (usize, usize) {
        let o = self.doc.indirect_object(0, id).unwrap();
        (o.span.start, o.span.end)
    }
}

/// Append an incremental update defining `objects` (number, body) with a classic xref section. `xref_overrides`
/// adds xref entries that point at arbitrary offsets (the shadow-attack trick).
fn append_update(
    base: &[u8],
    objects: &[(u32, Vec<u8>)],
    xref_overrides: &[(u32, usize)],
    root: Option<ObjectId>,
) -> Vec<u8> {
    let p = Parts::of(base);
    let prev = p.last().xref_offset();
    let root = root.unwrap_or(p.root());
    let mut out = base.to_vec();
    out.push(b'\n');
    let mut entries: Vec<(u32, usize)> = Vec::new();
    for (n, body) in objects {
        entries.push((*n, out.len()));
        out.extend_from_slice(format!("{n} 0 obj\n").as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    entries.extend_from_slice(xref_overrides);
    entries.sort();
    let size = entries.iter().map(|e| e.0 + 1).max().unwrap_or(0).max(p.size());
    let xref_at = out.len();
    out.extend_from_slice(b"xref\n");
    for (n, off) in &entries {
        out.extend_from_slice(format!("{n} 1\n{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<</Size {size}/Root {} 0 R/Prev {prev}>>\nstartxref\n{xref_at}\n%%EOF\n", root.0).as_bytes(),
    );
    out
}

fn record_stream_with_name(original: &[u8], name: &str) -> Vec<u8> {
    let p = Parts::of(original);
    let stream = p.doc.object(0, p.record()).unwrap().as_stream().unwrap();
    let json = p.doc.decode_stream(stream).unwrap();
    let mut rec: serde_json::Value = serde_json::from_slice(&json).unwrap();
    rec["holder"]["name"] = name.into();
    let json = serde_json::to_vec(&rec).unwrap();
    let mut body =
        format!("<</Type/EmbeddedFile/Subtype/application#2Fjson/Length {}>>stream\n", json.len()).into_bytes();
    body.extend_from_slice(&json);
    body.extend_from_slice(b"\nendstream");
    body
}

fn object_text(pdf: &[u8], id: ObjectId) -> String {
    let p = Parts::of(pdf);
    let (s, e) = p.span_of(id);
    let text = String::from_utf8_lossy(&pdf[s..e]).into_owned();
    let body_start = text.find("obj").unwrap() + 3;
    let body_end = text.rfind("endobj").unwrap();
    text[body_start..body_end].trim().to_owned()
}

fn find(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len())
        .position(|w| w == needle)
        .unwrap_or_else(|| panic!("{:?} not found", String::from_utf8_lossy(needle)))
}

fn contents_span(pdf: &[u8]) -> (usize, usize) {
    let k = find(pdf, b"/Contents<");
    let start = k + b"/Contents".len();
    let end = start + pdf[start..].iter().position(|&b| b == b'>').unwrap() + 1;
    (start, end)
}

/// The decoded /Contents value, trailing zero padding removed.
fn contents_value(pdf: &[u8]) -> Option<Vec<u8>> {
    let k = pdf.windows(10).position(|w| w == b"/Contents<")? + 10;
    let end = k + pdf[k..].iter().position(|&b| b == b'>')?;
    let digits: Vec<u8> = pdf[k..end].iter().copied().filter(|b| !b.is_ascii_whitespace()).collect();
    let mut out: Vec<u8> = digits
        .chunks(2)
        .map(|p| {
            u8::from_str_radix(std::str::from_utf8(p).ok()?, 16).ok().map(|v| if p.len() == 1 { v << 4 } else { v })
        })
        .collect::<Option<_>>()?;
    while out.last() == Some(&0) {
        out.pop();
    }
    Some(out)
}

fn byte_ranges(pdf: &[u8]) -> [usize; 4] {
    let k = find(pdf, b"/ByteRange[");
    let end = k + pdf[k..].iter().position(|&b| b == b']').unwrap();
    let nums: Vec<usize> =
        std::str::from_utf8(&pdf[k + 11..end]).unwrap().split_whitespace().map(|n| n.parse().unwrap()).collect();
    [nums[0], nums[1], nums[2], nums[3]]
}

fn hostile_cases() -> Vec<(&'static str, Vec<u8>, VerdictCode)> {
    let valid = sample("valid-style1.pdf");
    let other = sample("valid-style2.pdf");
    let p = Parts::of(&valid);
    let mut cases = Vec::new();

    // A byte flipped inside the signed range (inside a compressed stream, so the structure stays intact).
    let mut flipped = valid.clone();
    let at = find(&valid, b"stream\n") + 200;
    flipped[at] ^= 0x20;
    cases.push(("byte-flipped", flipped, VerdictCode::SignatureInvalid));

    // ISA: an incremental update that replaces the record with another name.
    let isa = append_update(&valid, &[(p.record().0, record_stream_with_name(&valid, "李四"))], &[], None);
    cases.push(("isa-update", isa, VerdictCode::Modified));

    // The same object appended without an xref of its own (relies on reader repair).
    let mut isa_noxref = valid.clone();
    isa_noxref.extend_from_slice(format!("\n{} 0 obj\n", p.record().0).as_bytes());
    isa_noxref.extend_from_slice(&record_stream_with_name(&valid, "李四"));
    isa_noxref.extend_from_slice(b"\nendobj\n");
    cases.push(("isa-no-xref", isa_noxref, VerdictCode::Modified));

    // /ByteRange edited (same width): the gap no longer frames /Contents.
    let [_, b, c, d] = byte_ranges(&valid);
    let original = format!("/ByteRange[0 {b} {c} {d}]");
    let edited = format!("/ByteRange[0 {} {} {d}]", b + 1, c - 1);
    assert_eq!(original.len(), edited.len());
    let mut br = valid.clone();
    let k = find(&valid, original.as_bytes());
    br[k..k + edited.len()].copy_from_slice(edited.as_bytes());
    cases.push(("byte-range-edited", br, VerdictCode::SignatureInvalid));

    // SWA: /Contents shortened, the signed second part relocated to the end, malicious bytes in between; the
    // /ByteRange is rewritten to still cover exactly the originally signed bytes.
    let (cs, ce) = contents_span(&valid);
    let second = valid[c..c + d].to_vec();
    let mut swa = valid[..cs].to_vec();
    let short_contents = &valid[cs..cs + 1 + 1024];
    swa.extend_from_slice(short_contents);
    swa.push(b'>');
    let fill = ce - (cs + 1 + 1024 + 1);
    swa.extend_from_slice(&vec![b' '; fill]);
    let new_c = swa.len() + 64;
    swa.extend_from_slice(&[b'%'; 64]);
    swa.extend_from_slice(&second);
    let swa_br = format!("/ByteRange[0 {b} {new_c} {d}]");
    let swa_br = format!("{swa_br:<width$}", width = original.len());
    let k = find(&swa, original.as_bytes());
    swa[k..k + swa_br.len()].copy_from_slice(swa_br.as_bytes());
    cases.push(("swa-relocated", swa, VerdictCode::Malformed));

    // USF: /Contents emptied (zeros) or null.
    let mut zeros = valid.clone();
    for byte in &mut zeros[cs + 1..ce - 1] {
        *byte = b'0';
    }
    cases.push(("usf-contents-zero", zeros, VerdictCode::SignatureInvalid));
    let mut null = valid.clone();
    let null_tok = format!("{:<width$}", " null", width = ce - cs);
    null[cs..ce].copy_from_slice(null_tok.as_bytes());
    cases.push(("usf-contents-null", null, VerdictCode::SignatureInvalid));

    // Shadow attacks: an appended revision whose xref points objects at offsets inside the signed revision.
    let (info_off, _) = p.span_of(p.last().trailer().get(b"Info").and_then(Object::as_reference).unwrap());
    let page_body = object_text(&valid, p.page()).replace(&format!("/Annots[{} 0 R]", p.widget().0), "/Annots[]");
    let hide =
        append_update(&valid, &[(p.page().0, page_body.clone().into_bytes())], &[(p.widget().0, info_off)], None);
    cases.push(("shadow-hide", hide, VerdictCode::Modified));
    let (record_off, _) = p.span_of(p.record());
    let replace = append_update(&valid, &[], &[(p.page().0, record_off)], None);
    cases.push(("shadow-replace", replace, VerdictCode::Modified));
    let (root_off, _) = p.span_of(p.root());
    let hide_replace = append_update(
        &valid,
        &[(p.page().0, page_body.into_bytes()), (p.record().0, record_stream_with_name(&valid, "王五"))],
        &[(p.root().0, root_off)],
        None,
    );
    cases.push(("shadow-hide-and-replace", hide_replace, VerdictCode::Modified));

    // EAA: an annotation added after certification. SSA: a second signature field/widget added.
    let new = p.size();
    let page_with = |extra: u32| {
        object_text(&valid, p.page())
            .replace(&format!("/Annots[{} 0 R]", p.widget().0), &format!("/Annots[{} 0 R {extra} 0 R]", p.widget().0))
    };
    let eaa = append_update(
        &valid,
        &[
            (
                new,
                format!(
                    "<</Type/Annot/Subtype/FreeText/Rect[100 100 300 150]/Contents(VOID)/DA(/Helv 12 Tf)/P {} 0 R>>",
                    p.page().0
                )
                .into_bytes(),
            ),
            (p.page().0, page_with(new).into_bytes()),
        ],
        &[],
        None,
    );
    cases.push(("eaa-annotation", eaa, VerdictCode::Modified));
    let catalog = object_text(&valid, p.root())
        .replace(&format!("/Fields[{} 0 R]", p.widget().0), &format!("/Fields[{} 0 R {new} 0 R]", p.widget().0));
    let ssa = append_update(
        &valid,
        &[
            (
                new,
                format!("<</Type/Annot/Subtype/Widget/FT/Sig/T(seal2)/Rect[0 0 0 0]/F 132/P {} 0 R>>", p.page().0)
                    .into_bytes(),
            ),
            (p.page().0, page_with(new).into_bytes()),
            (p.root().0, catalog.into_bytes()),
        ],
        &[],
        None,
    );
    cases.push(("ssa-signature-field", ssa, VerdictCode::Modified));

    // A signature copied into another certificate.
    let (os, oe) = contents_span(&other);
    let mut copied = other.clone();
    let src = &valid[cs..ce];
    assert_eq!(src.len(), oe - os, "both samples reserve the same /Contents size");
    copied[os..oe].copy_from_slice(src);
    cases.push(("signature-copied", copied, VerdictCode::SignatureInvalid));

    // A self-signed key carried in the PDF, signing exactly the original bytes.
    if let Some(self_signed) = self_signed_resign(&valid) {
        cases.push(("self-signed-key", self_signed, VerdictCode::UntrustedSeal));
    }

    // Trailing bytes after %%EOF.
    let mut trailing = valid.clone();
    trailing.extend_from_slice(b"\n%% appended garbage\n");
    cases.push(("trailing-bytes", trailing, VerdictCode::Modified));
    cases
}

/// Re-sign the byte ranges of `pdf` with a fresh self-signed P-256 certificate (made by openssl, with
/// digitalSignature key usage, as an attacker would) and put that CMS into /Contents.
fn self_signed_resign(pdf: &[u8]) -> Option<Vec<u8>> {
    if !tool("openssl") {
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("k.pem");
    let cert = dir.path().join("c.pem");
    let o = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "3650"])
        .args(["-subj", "/O=中华人民共和国人力资源和社会保障部/CN=专业技术人员职业资格证书专用章", "-utf8"])
        .args(["-addext", "keyUsage=critical,digitalSignature,nonRepudiation", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let pair = ecert_pki::SigningKeyPair::from_pkcs8_pem(&std::fs::read_to_string(&key).unwrap()).unwrap();
    let cert_der = ecert_pki::certificate_from_pem(&std::fs::read_to_string(&cert).unwrap()).unwrap();
    let [_, b, c, d] = byte_ranges(pdf);
    let mut h = <sha2::Sha256 as sha2::Digest>::new();
    sha2::Digest::update(&mut h, &pdf[..b]);
    sha2::Digest::update(&mut h, &pdf[c..c + d]);
    let digest: [u8; 32] = sha2::Digest::finalize(h).into();
    let cms = ecert_pki::sign_detached(digest, AT - 86_400, &cert_der, &[], &pair).unwrap();
    let hex: String = cms.iter().map(|b| format!("{b:02X}")).collect();
    let (cs, ce) = contents_span(pdf);
    let mut out = pdf.to_vec();
    let slot = &mut out[cs + 1..ce - 1];
    assert!(hex.len() <= slot.len());
    slot.fill(b'0');
    slot[..hex.len()].copy_from_slice(hex.as_bytes());
    Some(out)
}

#[test]
fn hostile_files_are_rejected_with_the_right_code() {
    for (name, pdf, expected) in hostile_cases() {
        let v = check(&pdf);
        assert_eq!(v.code, expected, "{name}: {:#?}", v.checks);
        match expected {
            VerdictCode::Modified => {
                assert!(!v.modifications.is_empty(), "{name}: no description of the modification");
                // The record shown is the sealed original, never the appended one.
                if let Some(c) = &v.certificate {
                    assert_eq!(c.holder_name, "张伟", "{name}");
                }
            }
            _ => assert!(v.certificate.is_none(), "{name}: fields shown for a file that failed"),
        }
    }
}

#[test]
fn modifications_are_described_plainly() {
    let cases = hostile_cases();
    let get = |n: &str| cases.iter().find(|c| c.0 == n).map(|c| check(&c.1)).unwrap();
    let eaa = get("eaa-annotation");
    let text: String = eaa.modifications.iter().map(|m| m.zh.clone() + &m.en).collect();
    assert!(text.contains("注释") && text.contains("annotation") && text.contains("页面"), "{text}");
    let isa = get("isa-update");
    let text: String = isa.modifications.iter().map(|m| m.en.clone()).collect();
    assert!(text.contains("overrides 1 signed object"), "{text}");
    let ssa = get("ssa-signature-field");
    let text: String = ssa.modifications.iter().map(|m| m.en.clone()).collect();
    assert!(text.contains("signature or form fields") && text.contains("catalog"), "{text}");
    let trailing = get("trailing-bytes");
    assert_eq!(trailing.check(CheckId::Structure).unwrap().code, "TRAILING_DATA");
    assert_eq!(trailing.check(CheckId::Signature).unwrap().outcome, Outcome::Pass);
}

// ---------------------------------------------------------------------------------------------------------
// Robustness: broken input gets a verdict, never a panic, quickly.

/// Heap accounting per thread, so that each test measures its own `verify` call while other tests run in
/// parallel: the bytes a thread has allocated and not freed, and their peak since the last reset.
mod heap {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;

    pub struct PerThread;

    thread_local! {
        static LIVE: Cell<isize> = const { Cell::new(0) };
        static PEAK: Cell<isize> = const { Cell::new(0) };
    }

    fn track(delta: isize) {
        let _ = LIVE.try_with(|live| {
            let now = live.get() + delta;
            live.set(now);
            let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
        });
    }

    // SAFETY: every call is forwarded to the system allocator unchanged; only sizes are counted.
    unsafe impl GlobalAlloc for PerThread {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let p = unsafe { System.alloc(layout) };
            if !p.is_null() {
                track(layout.size() as isize);
            }
            p
        }
        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            let p = unsafe { System.alloc_zeroed(layout) };
            if !p.is_null() {
                track(layout.size() as isize);
            }
            p
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            unsafe { System.dealloc(ptr, layout) };
            track(-(layout.size() as isize));
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            let p = unsafe { System.realloc(ptr, layout, new_size) };
            if !p.is_null() {
                track(new_size as isize - layout.size() as isize);
            }
            p
        }
    }

    /// Run `f` and return its result with the most heap it held at once (bytes, this thread).
    pub fn peak_of<T>(f: impl FnOnce() -> T) -> (T, usize) {
        let base = LIVE.with(Cell::get);
        PEAK.with(|p| p.set(base));
        let out = f();
        (out, (PEAK.with(Cell::get) - base).max(0) as usize)
    }
}

#[global_allocator]
static HEAP: heap::PerThread = heap::PerThread;

/// The most heap one verification may hold: a copy of the largest accepted file, everything Flate decoding
/// may produce, and 8 MiB for parsed objects — whatever the input claims.
fn heap_bound() -> usize {
    let b = Budget::default();
    b.max_file_size + b.max_decompressed + (8 << 20)
}

fn assert_rejected_quickly(name: &str, pdf: &[u8]) -> Verdict {
    let start = Instant::now();
    let (v, peak) = heap::peak_of(|| check(pdf));
    let took = start.elapsed();
    assert!(took < Duration::from_secs(1), "{name}: took {took:?}");
    assert!(peak <= heap_bound(), "{name}: held {peak} bytes of heap (bound {})", heap_bound());
    assert_ne!(v.code, VerdictCode::Valid, "{name}: broken input judged valid");
    v
}

#[test]
fn heap_accounting_sees_what_verification_holds() {
    let (_, peak) = heap::peak_of(|| std::hint::black_box(vec![1u8; 3 << 20]));
    assert!(peak >= 3 << 20, "the per-thread counter missed an allocation: {peak}");
    // A valid certificate of ~50 KB: a small multiple of its size, far below the bound.
    let valid = sample("valid-style1.pdf");
    let (v, peak) = heap::peak_of(|| check(&valid));
    assert_eq!(v.code, VerdictCode::Valid);
    assert!(peak < 2 << 20, "verifying a {} byte certificate held {peak} bytes", valid.len());
}

#[test]
fn truncation_at_every_kilobyte_is_never_valid() {
    let valid = sample("valid-style1.pdf");
    for cut in (0..valid.len()).step_by(1024) {
        let v = assert_rejected_quickly(&format!("cut at {cut}"), &valid[..cut]);
        assert!(matches!(v.code, VerdictCode::Malformed | VerdictCode::NotACertificate), "cut {cut}: {}", v.code);
    }
    assert_rejected_quickly("one byte short", &valid[..valid.len() - 1]);
}

fn xorshift(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

#[test]
fn random_and_degenerate_inputs() {
    let mut seed = 0x9E37_79B9_7F4A_7C15;
    for len in [0usize, 1, 5, 8, 100, 4096, 100_000] {
        let bytes: Vec<u8> = (0..len).map(|_| xorshift(&mut seed) as u8).collect();
        let v = assert_rejected_quickly(&format!("random {len}"), &bytes);
        assert_eq!(v.code, VerdictCode::Malformed);
        let mut with_header = b"%PDF-1.7\n".to_vec();
        with_header.extend_from_slice(&bytes);
        assert_rejected_quickly(&format!("header + random {len}"), &with_header);
    }
    // Deep nesting.
    let mut deep = b"%PDF-1.7\n1 0 obj\n".to_vec();
    deep.extend(std::iter::repeat_n(b'[', 200_000));
    deep.extend_from_slice(b"\nendobj\nxref\n0 2\n0000000000 65535 f \n0000000009 00000 n \ntrailer\n<</Size 2/Root 1 0 R>>\nstartxref\n200018\n%%EOF\n");
    assert_eq!(assert_rejected_quickly("deep nesting", &deep).code, VerdictCode::Malformed);
    // Over the size budget.
    let huge = vec![b' '; Budget::default().max_file_size + 1];
    let v = assert_rejected_quickly("too large", &huge);
    assert_eq!(v.check(CheckId::Structure).unwrap().code, "FILE_TOO_LARGE");
}

/// A classic-xref PDF whose objects are given; offsets computed.
fn tiny_pdf(objects: &[&[u8]], trailer_extra: &str, xref_override: Option<&str>) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offs = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offs.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref_at = out.len();
    match xref_override {
        Some(x) => out.extend_from_slice(x.as_bytes()),
        None => {
            out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
            for o in &offs {
                out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
            }
            out.extend_from_slice(
                format!("trailer\n<</Size {}/Root 1 0 R{trailer_extra}>>\n", objects.len() + 1).as_bytes(),
            );
        }
    }
    out.extend_from_slice(format!("startxref\n{xref_at}\n%%EOF\n").as_bytes());
    out
}

#[test]
fn budget_attacks_end_in_a_verdict() {
    // A deflate bomb as an xref stream: 64 MiB of zeros in a few kilobytes.
    let bomb = miniz_oxide::deflate::compress_to_vec_zlib(&vec![0u8; 64 << 20], 9);
    let mut pdf = b"%PDF-1.7\n1 0 obj\n<</Type/Catalog>>\nendobj\n".to_vec();
    let xref_at = pdf.len();
    pdf.extend_from_slice(
        format!("2 0 obj\n<</Type/XRef/Size 3/W[1 4 2]/Root 1 0 R/Filter/FlateDecode/Length {}>>stream\n", bomb.len())
            .as_bytes(),
    );
    pdf.extend_from_slice(&bomb);
    pdf.extend_from_slice(format!("\nendstream\nendobj\nstartxref\n{xref_at}\n%%EOF\n").as_bytes());
    let v = assert_rejected_quickly("deflate bomb", &pdf);
    assert_eq!(v.code, VerdictCode::Malformed);
    // The bomb inflates to 64 MiB; decoding stops at the budget.
    let (_, peak) = heap::peak_of(|| check(&pdf));
    assert!(peak <= pdf.len() + Budget::default().max_decompressed + (1 << 20), "deflate bomb held {peak} bytes");

    // Huge /W in an xref stream.
    let mut pdf = b"%PDF-1.7\n1 0 obj\n<</Type/Catalog>>\nendobj\n".to_vec();
    let xref_at = pdf.len();
    pdf.extend_from_slice(
        b"2 0 obj\n<</Type/XRef/Size 3/W[1 2147483647 2]/Root 1 0 R/Length 3>>stream\nabc\nendstream\nendobj\n",
    );
    pdf.extend_from_slice(format!("startxref\n{xref_at}\n%%EOF\n").as_bytes());
    assert_eq!(assert_rejected_quickly("huge /W", &pdf).code, VerdictCode::Malformed);

    // An xref /Prev loop: the trailer's /Prev points at its own xref.
    let base = tiny_pdf(&[b"<</Type/Catalog>>"], "", None);
    let xref_at = find(&base, b"xref\n");
    let looped = tiny_pdf(&[b"<</Type/Catalog>>"], &format!("/Prev {xref_at}"), None);
    let v = assert_rejected_quickly("prev loop", &looped);
    assert_eq!(v.code, VerdictCode::Malformed);
    assert!(matches!(v.check(CheckId::Structure).unwrap().code.as_str(), "PREV_LOOP" | "PREV_NOT_DECREASING"));

    // A well-formed PDF that is simply not a certificate.
    let plain = tiny_pdf(&[b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[]/Count 0>>"], "", None);
    assert_eq!(assert_rejected_quickly("plain pdf", &plain).code, VerdictCode::NotACertificate);
}

#[test]
fn mutation_smoke_never_yields_a_false_valid() {
    // A deterministic, bounded stand-in for the cargo-fuzz targets (crates/ecert-verify/fuzz).
    let valid = sample("valid-style1.pdf");
    let mut seed = 0x1234_5678_9ABC_DEF1;
    for i in 0..300 {
        let mut m = valid.clone();
        match i % 3 {
            0 => {
                let at = (xorshift(&mut seed) as usize) % m.len();
                m[at] ^= 1 << (xorshift(&mut seed) % 8);
            }
            1 => {
                let at = (xorshift(&mut seed) as usize) % m.len();
                let len = 1 + (xorshift(&mut seed) as usize) % 64;
                m.drain(at..(at + len).min(m.len()));
            }
            _ => {
                let at = (xorshift(&mut seed) as usize) % m.len();
                let bytes: Vec<u8> = (0..1 + xorshift(&mut seed) % 32).map(|_| xorshift(&mut seed) as u8).collect();
                m.splice(at..at, bytes);
            }
        }
        if m == valid {
            continue;
        }
        let v = check(&m);
        // A hex digit's case inside /Contents is not a change: the decoded signature is the same bytes.
        if v.code == VerdictCode::Valid && contents_value(&m) == contents_value(&valid) {
            continue;
        }
        if v.code == VerdictCode::Valid {
            let first = m.iter().zip(&valid).position(|(a, b)| a != b).unwrap_or(m.len().min(valid.len()));
            panic!(
                "mutation {i} judged valid: first difference at {first}: {:?} vs {:?}",
                String::from_utf8_lossy(&m[first.saturating_sub(8)..(first + 8).min(m.len())]),
                String::from_utf8_lossy(&valid[first.saturating_sub(8)..(first + 8).min(valid.len())])
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// The CLI and agreement with pyHanko.

#[test]
fn cli_verify_prints_summaries_json_and_exit_codes() {
    let tl = demo().join("trust-list.json");
    let root = demo().join("root-spki.pem");
    let args = |files: &[&str], extra: &[&str]| {
        let mut a = vec![
            "verify".to_owned(),
            "--trust-list".into(),
            tl.display().to_string(),
            "--root".into(),
            root.display().to_string(),
            "--at".into(),
            format!("@{AT}"),
        ];
        a.extend(extra.iter().map(|s| s.to_string()));
        a.extend(files.iter().map(|f| demo().join("samples").join(f).display().to_string()));
        a
    };
    let run = |a: Vec<String>| common::ecert_cmd().args(a).output().unwrap();
    let o = run(args(&["valid-style1.pdf"], &[]));
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("有效") && out.contains("张伟") && out.contains("VALID"), "{out}");
    let o = run(args(&["valid-style1.pdf"], &["--lang", "en"]));
    assert!(String::from_utf8_lossy(&o.stdout).contains("Authentic"));
    let o = run(args(&["annotation-expired.pdf"], &[]));
    assert_eq!(o.status.code(), Some(11));
    let o = run(args(&["valid-style1.pdf", "untrusted-seal.pdf", "annotation-missing.pdf"], &["--json"]));
    assert_eq!(o.status.code(), Some(13), "worst of the files");
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let codes: Vec<&str> = json.as_array().unwrap().iter().map(|f| f["verdict"]["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["VALID", "UNTRUSTED_SEAL", "ANNOTATION_MISSING"]);
    assert_eq!(json[0]["verdict"]["schema"], "ecert.verdict/1");
    // A missing file is an error for that file, exit 2; a bad root refuses the trust list.
    let o = run(args(&["does-not-exist.pdf"], &[]));
    assert_eq!(o.status.code(), Some(2));
    let o = common::ecert_cmd()
        .args(["verify", "--trust-list", tl.to_str().unwrap(), "--root"])
        .arg(demo().join("untrusted-pki/root/spki.pem"))
        .arg(demo().join("samples/valid-style1.pdf"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("TRUST_LIST_WRONG_SIGNER"));
}

/// pyHanko's word on a file: `Some(true)` intact and untouched, `Some(false)` intact but modified after
/// signing, `None` not intact (or not validated at all).
fn pyhanko_intact_untouched(pdf: &[u8]) -> Option<bool> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.pdf");
    std::fs::write(&path, pdf).unwrap();
    let o = Command::new("pyhanko")
        .args(["sign", "validate", "--no-revocation-check", "--trust-replace", "--trust"])
        .arg(demo().join("root.pem"))
        .arg(&path)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    if !out.contains(":INTACT:") {
        return None;
    }
    Some(out.contains(",UNTOUCHED"))
}

#[test]
fn intact_and_modified_agree_with_pyhanko() {
    if !tool("pyhanko") {
        return;
    }
    let mut files: Vec<(String, Vec<u8>)> =
        manifest().samples.iter().map(|s| (s.file.clone(), sample(&s.file))).collect();
    files.extend(hostile_cases().into_iter().map(|(n, b, _)| (n.to_owned(), b)));
    let mut report = Vec::new();
    for (name, pdf) in files {
        let ours = check(&pdf);
        let our_sig_ok = ours.check(CheckId::Signature).is_some_and(|c| c.outcome == Outcome::Pass);
        let our_untouched = our_sig_ok && ours.modifications.is_empty();
        let theirs = pyhanko_intact_untouched(&pdf);
        report.push(format!("{name}: ours {} (sig ok {our_sig_ok}), pyHanko {theirs:?}", ours.code));
        match theirs {
            Some(true) => assert!(our_untouched, "{name}: pyHanko says intact and untouched, we say {}", ours.code),
            Some(false) => assert!(
                !our_untouched && ours.code != VerdictCode::Valid,
                "{name}: pyHanko sees a modification, we say {}",
                ours.code
            ),
            None => assert!(!our_untouched, "{name}: pyHanko says not intact, we say {}", ours.code),
        }
    }
    eprintln!("{}", report.join("\n"));
}
