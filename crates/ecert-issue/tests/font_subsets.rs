//! Shared and personal font subsets: the shared subset is built once per qualification and reused, the
//! holder's name lives in its own small subset, and narrowing the fonts to a batch's names changes nothing
//! in the output — only how fast it is made.
//!
//! Needs Debian's fonts-noto-cjk (installed by scripts/setup.sh, as for every issuing test).

use std::sync::Arc;

use ecert_format::record::{Holder, IssuerRef, QualificationRef, RECORD_SCHEMA};
use ecert_format::{CertificateRecord, Date, IdNumber, Registry, YearMonth};
use ecert_issue::{FontBook, FontFace, Seal, issue_pdf};
use ecert_pki::{CertIssuer, CertSpec, LocalTsa, NameSpec, Profile, SigningKeyPair, build_certificate};

const NOTO: &str = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc";
const SIGNING_TIME: i64 = 1_795_400_000;

fn book() -> FontBook {
    let data = Arc::new(std::fs::read(NOTO).unwrap_or_else(|e| panic!("{NOTO}: {e} — run scripts/setup.sh")));
    let index = FontFace::faces_in(data.clone(), NOTO)
        .expect("faces")
        .into_iter()
        .find(|(_, family)| family == "Noto Serif CJK SC")
        .map(|(i, _)| i)
        .expect("Noto Serif CJK SC face");
    FontBook::new(vec![FontFace::new(data, index, NOTO).expect("face")]).expect("book")
}

fn record(code: &str, name: &str, management_number: &str) -> CertificateRecord {
    let registry = Registry::builtin();
    let q = registry.qualification(code).expect("qualification");
    let issuer = registry.issuer(&q.issuer).expect("issuer");
    let id = IdNumber::parse("110101198001010010").expect("id");
    let record = CertificateRecord {
        schema: RECORD_SCHEMA.to_owned(),
        management_number: management_number.to_owned(),
        query_number: format!("C{management_number}"),
        qualification: QualificationRef {
            code: q.code.clone(),
            name_zh: q.name_zh.clone(),
            name_en: q.name_en.clone(),
        },
        holder: Holder {
            name: name.to_owned(),
            id_number: id.as_str().to_owned(),
            sex: id.sex(),
            birth: YearMonth::new(1980, 1).expect("ym"),
        },
        approval_date: Date::new(2023, 1, 10).expect("date"),
        issue_date: Date::new(2023, 3, 15).expect("date"),
        issuer: IssuerRef { id: issuer.id.clone(), name_zh: issuer.name_zh.clone() },
        annotation: None,
    };
    record.validate(registry).expect("valid record");
    record
}

struct TestSeal {
    key: SigningKeyPair,
    cert: Vec<u8>,
    tsa_key: SigningKeyPair,
    tsa_cert: Vec<u8>,
}

fn test_seal() -> TestSeal {
    let spec = |serial: u8, cn: &str, profile| CertSpec {
        serial: [serial; 16],
        subject: NameSpec::cn("ecert test", cn),
        not_before_unix: 1_700_000_000,
        not_after_unix: 1_900_000_000,
        profile,
    };
    let root_key = SigningKeyPair::from_entropy(&[3u8; 32]).expect("key");
    let root = build_certificate(
        &spec(1, "test root", Profile::Root),
        root_key.verifying_key(),
        CertIssuer::SelfSigned(&root_key),
    )
    .expect("root");
    let key = SigningKeyPair::from_entropy(&[7u8; 32]).expect("key");
    let cert = build_certificate(
        &spec(2, "test seal", Profile::Seal),
        key.verifying_key(),
        CertIssuer::Ca { cert_der: &root, key: &root_key },
    )
    .expect("seal");
    let tsa_key = SigningKeyPair::from_entropy(&[9u8; 32]).expect("key");
    let tsa_cert = build_certificate(
        &spec(3, "test TSA", Profile::TimeStampAuthority),
        tsa_key.verifying_key(),
        CertIssuer::Ca { cert_der: &root, key: &root_key },
    )
    .expect("tsa");
    TestSeal { key, cert, tsa_key, tsa_cert }
}

fn issue(book: &FontBook, seal_keys: &TestSeal, record: &CertificateRecord) -> Vec<u8> {
    let seal = Seal {
        key: &seal_keys.key,
        certificate_der: &seal_keys.cert,
        chain_der: Vec::new(),
        name: "测试专用章",
        ring_text: "中华人民共和国人力资源和社会保障部专业技术人员职业资格证书专用章",
        center_text: "专用章",
    };
    let tsa = LocalTsa { key: &seal_keys.tsa_key, certificate_der: &seal_keys.tsa_cert, gen_time_unix: SIGNING_TIME };
    issue_pdf(record, Registry::builtin(), book, &seal, SIGNING_TIME, &tsa).expect("issue")
}

/// The BaseFont names (subset tag + PostScript name) of the Type0 fonts in a PDF we wrote (object
/// dictionaries are not compressed, and lopdf writes them without spaces).
fn type0_fonts(pdf: &[u8]) -> Vec<String> {
    const KEY: &str = "/Subtype/Type0/BaseFont/";
    let text = String::from_utf8_lossy(pdf);
    let mut out: Vec<String> = text
        .match_indices(KEY)
        .filter_map(|(at, _)| {
            let rest = &text[at + KEY.len()..];
            Some(rest.split(|c: char| c.is_whitespace() || c == '/' || c == '<' || c == '>').next()?.to_owned())
        })
        .collect();
    out.sort();
    out
}

#[test]
fn shared_subset_is_built_once_per_qualification_and_names_get_their_own() {
    let book = book();
    let seal = test_seal();
    let a = issue(&book, &seal, &record("Q01", "张伟", "A0001"));
    assert_eq!(book.cached_subsets(), 1);
    // Another holder, other numbers, same qualification: the same shared subset, from the cache.
    let b = issue(&book, &seal, &record("Q01", "刘䶮", "B0002"));
    assert_eq!(book.cached_subsets(), 1, "numbers and names must not change the shared subset");
    // Another qualification prints other text: a second shared subset.
    issue(&book, &seal, &record("Q05", "王芳", "C0003"));
    assert_eq!(book.cached_subsets(), 2);

    let (fa, fb) = (type0_fonts(&a), type0_fonts(&b));
    assert_eq!(fa.len(), 2, "a shared and a personal font: {fa:?}");
    assert_eq!(fb.len(), 2, "a shared and a personal font: {fb:?}");
    let shared: Vec<_> = fa.iter().filter(|f| fb.contains(f)).collect();
    assert_eq!(shared.len(), 1, "exactly the shared subset is common: {fa:?} / {fb:?}");
    // The personal subset is named after its glyphs, so different names give different subsets.
    assert!(fa.iter().any(|f| !fb.contains(f)));

    // A name printed entirely with glyphs the shared subset already has needs no personal font.
    let c = issue(&book, &seal, &record("Q01", "王安", "D0004"));
    let fc = type0_fonts(&c);
    assert!(fc.len() <= 2, "{fc:?}");
    assert!(fc.contains(shared[0]), "{fc:?}");
}

#[test]
fn narrowing_to_a_batch_changes_nothing_in_the_output() {
    let book = book();
    let seal = test_seal();
    let names = ["张伟", "刘䶮", "王𠈌", "欧阳娜娜"];
    let narrowed = book.narrowed_to(names).expect("narrowed");
    for (i, name) in names.iter().enumerate() {
        let r = record("Q07", name, &format!("N{i:04}"));
        assert_eq!(issue(&book, &seal, &r), issue(&narrowed, &seal, &r), "{name}: narrowed output differs");
    }
    // A name outside the batch still works (from the full face) and matches too.
    let r = record("Q07", "李白", "N9999");
    assert_eq!(issue(&book, &seal, &r), issue(&narrowed, &seal, &r));
}
