//! Test-only: issue a *valid, freshly sealed* certificate of about a chosen size, for the browser benchmark
//! (`scripts/bench-browser.sh`). The `ecert` issuer makes ~48 KB files and has no option to grow them, so this
//! replicates `ecert_issue::issue_pdf` with one addition: a light "guilloche" security background of
//! pseudo-random hairlines appended to the page content stream until the file reaches the target size. The
//! record, the seal, the signature, its RFC 3161 time-stamp (PAdES B-T, from the PKI's own TSA, `PKI_DIR/tsa`,
//! dated `SIGNING_UNIX`) and DocMDP are exactly the issuer's; nothing is padded after signing.
//!
//! cargo run --release -p ecert-wasm --example bench_sample -- PKI_DIR RECORD_JSON SIGNING_UNIX TARGET_BYTES OUT
//!
//! `TARGET_BYTES` = `bare` makes the smallest sealed certificate instead: no page text, an empty seal
//! appearance, no embedded font. That is how `www/widget/warmup.pdf` was made (from a throwaway `ecert demo`
//! PKI that no trust list names): the worker verifies it once after boot so the engine compiles the verifier's
//! code before the user's first file (see www/README.md).

use std::sync::Arc;

use ecert_format::{CertificateRecord, Registry};
use ecert_issue::{FontBook, FontFace, document, page, pdf_date, seal, signature};
use ecert_pki::{LocalTsa, SigningKeyPair, certificate_from_pem};

fn die(msg: String) -> ! {
    eprintln!("bench_sample: {msg}");
    std::process::exit(2)
}

fn fonts() -> FontBook {
    let path = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc";
    let data = Arc::new(std::fs::read(path).unwrap_or_else(|e| die(format!("{path}: {e}"))));
    let faces = FontFace::faces_in(data.clone(), path).unwrap_or_else(|e| die(e.to_string()));
    let index = faces.iter().find(|(_, f)| f == "Noto Serif CJK SC").map(|(i, _)| *i).unwrap_or(0);
    FontBook::new(vec![FontFace::new(data, index, path).unwrap_or_else(|e| die(e.to_string()))])
        .unwrap_or_else(|e| die(e.to_string()))
}

/// `n` hairline segments with xorshift coordinates, in a very light ink.
fn guilloche(n: usize, seed: u64) -> String {
    let mut s = seed | 1;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    let mut out = String::with_capacity(n * 40);
    out.push_str("q 0.93 0.90 0.84 RG 0.15 w\n");
    for _ in 0..n {
        let r = next();
        let (x, y) = ((r % 56_000) as f32 / 100.0 + 18.0, ((r >> 20) % 80_000) as f32 / 100.0 + 20.0);
        let (dx, dy) = (((r >> 40) % 900) as f32 / 100.0 - 4.5, ((r >> 50) % 900) as f32 / 100.0 - 4.5);
        out.push_str(&format!("{x:.2} {y:.2} m {:.2} {:.2} l S\n", x + dx, y + dy));
    }
    out.push_str("Q\n");
    out
}

fn issue(record: &CertificateRecord, book: &FontBook, pki: &str, at: i64, segments: Option<usize>) -> Vec<u8> {
    let registry = Registry::builtin();
    let issuer = registry.issuer(&record.issuer.id).unwrap_or_else(|| die("unknown issuer".into()));
    let dir = format!("{pki}/issuers/{}", record.issuer.id);
    // The seal whose use window holds the signing time.
    let mut chosen = None;
    for entry in std::fs::read_dir(format!("{dir}/seals")).unwrap_or_else(|e| die(e.to_string())).flatten() {
        let w: serde_json::Value =
            serde_json::from_slice(&std::fs::read(entry.path().join("window.json")).unwrap_or_default())
                .unwrap_or_default();
        let field = |k: &str| w.get(k).and_then(serde_json::Value::as_i64);
        if field("use_from").is_some_and(|f| f <= at) && field("use_until").is_some_and(|u| at < u) {
            chosen = Some(entry.path());
        }
    }
    let seal_dir = chosen.unwrap_or_else(|| die("no seal usable at the signing time".into()));
    let read =
        |p: std::path::PathBuf| std::fs::read_to_string(&p).unwrap_or_else(|e| die(format!("{}: {e}", p.display())));
    let key = SigningKeyPair::from_pkcs8_pem(&read(seal_dir.join("key.pem"))).unwrap_or_else(|e| die(e.to_string()));
    let cert = certificate_from_pem(&read(seal_dir.join("cert.pem"))).unwrap_or_else(|e| die(e.to_string()));
    let ca = certificate_from_pem(&read(std::path::PathBuf::from(format!("{dir}/ca-cert.pem"))))
        .unwrap_or_else(|e| die(e.to_string()));
    // The PKI's own time-stamping authority (`ecert keygen tsa`, made by `ecert demo`): it dates the seal.
    let tsa_dir = std::path::PathBuf::from(format!("{pki}/tsa"));
    let tsa_key = SigningKeyPair::from_pkcs8_pem(&read(tsa_dir.join("key.pem"))).unwrap_or_else(|e| die(e.to_string()));
    let tsa_cert = certificate_from_pem(&read(tsa_dir.join("cert.pem"))).unwrap_or_else(|e| die(e.to_string()));

    record.validate(registry).unwrap_or_else(|e| die(e.to_string()));
    let parsed = book.parsed().unwrap_or_else(|e| die(e.to_string()));
    let (page_content, seal_content) = match segments {
        // Bare: a frame on the page, an empty seal appearance, no glyphs (so no font is embedded).
        None => {
            let mut p = ecert_issue::content::Content::new();
            p.raw("q 0.8 0.2 0.2 RG 1 w 20 20 555 802 re S Q\n");
            (p, ecert_issue::content::Content::new())
        }
        Some(segments) => {
            let mut p = page::layout_page(&parsed, record, registry).unwrap_or_else(|e| die(e.to_string()));
            if segments > 0 {
                p.raw(&guilloche(segments, 0x9E37_79B9_7F4A_7C15));
            }
            let s = seal::draw_seal(&parsed, &issuer.seal_name_zh, &issuer.seal_center_zh)
                .unwrap_or_else(|e| die(e.to_string()));
            (p, s)
        }
    };
    let record_json = record.to_json();
    let mut document_id = [0u8; 16];
    let id_hash = <sha2::Sha256 as sha2::Digest>::digest(&record_json);
    for (d, s) in document_id.iter_mut().zip(id_hash.iter()) {
        *d = *s;
    }
    let pdf = document::assemble(
        book,
        document::Parts {
            page: page_content,
            seal: seal_content,
            seal_center: page::SEAL_CENTER,
            record_json,
            title: format!("{} {} 专业技术人员职业资格电子证书", record.holder.name, record.qualification.name_zh),
            signer_name: &issuer.seal_name_zh,
            signing_time_pdf: pdf_date(at).unwrap_or_else(|| die("bad time".into())),
            document_id,
        },
    )
    .unwrap_or_else(|e| die(e.to_string()));
    let prepared = signature::Prepared::new(pdf).unwrap_or_else(|e| die(e.to_string()));
    let tsa = LocalTsa { key: &tsa_key, certificate_der: &tsa_cert, gen_time_unix: at };
    let cms = ecert_pki::sign_detached_time_stamped(prepared.signed_digest(), at, &cert, &[&ca], &key, &tsa)
        .unwrap_or_else(|e| die(e.to_string()));
    prepared.finish(&cms).unwrap_or_else(|e| die(e.to_string()))
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let [_, pki, record_path, at, target, out] = a.as_slice() else {
        die("usage: bench_sample PKI_DIR RECORD_JSON SIGNING_UNIX TARGET_BYTES OUT".into())
    };
    let registry = Registry::builtin();
    let record =
        CertificateRecord::from_json(&std::fs::read(record_path).unwrap_or_else(|e| die(e.to_string())), registry)
            .unwrap_or_else(|e| die(e.to_string()));
    let at: i64 = at.parse().unwrap_or_else(|_| die("SIGNING_UNIX".into()));
    let book = fonts();
    if target == "bare" {
        let pdf = issue(&record, &book, pki, at, None);
        std::fs::write(out, &pdf).unwrap_or_else(|e| die(e.to_string()));
        println!("{out}: {} bytes (bare)", pdf.len());
        return;
    }
    let target: usize = target.parse().unwrap_or_else(|_| die("TARGET_BYTES".into()));
    // Grow the background until the sealed file is within 3 % of the target.
    let base = issue(&record, &book, pki, at, Some(0)).len();
    let mut segments = target.saturating_sub(base) / 12;
    let mut pdf = issue(&record, &book, pki, at, Some(segments));
    for _ in 0..6 {
        if pdf.len().abs_diff(target) * 33 < target || target <= base {
            break;
        }
        let per = (pdf.len().saturating_sub(base)).max(1) as f64 / segments.max(1) as f64;
        segments = ((target.saturating_sub(base)) as f64 / per) as usize;
        pdf = issue(&record, &book, pki, at, Some(segments));
    }
    std::fs::write(out, &pdf).unwrap_or_else(|e| die(e.to_string()));
    println!("{out}: {} bytes ({segments} background segments)", pdf.len());
}
