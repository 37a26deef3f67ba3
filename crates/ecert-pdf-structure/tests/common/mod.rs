//! Test helpers: a tiny PDF writer (objects, classic xref or xref stream, trailer,
//! `%%EOF`, incremental updates) and hostile-input builders.
#![allow(dead_code)]

use ecert_pdf_structure::{Budget, Document, StructureError, walk};

/// How the trailer's /Prev is written.
#[derive(Debug, Clone, Copy)]
pub enum Prev {
    /// The previous section's offset (none for the first revision).
    Auto,
    /// No /Prev at all.
    Omit,
    /// This exact value, zero-padded to 10 digits (so it can be patched later).
    Value(usize),
    /// This section's own offset.
    SelfOffset,
}

/// Trailer options for one revision.
#[derive(Debug, Clone)]
pub struct TrailerOpts {
    pub prev: Prev,
    pub extra: String,
    /// Override /Size.
    pub size: Option<u32>,
}

impl Default for TrailerOpts {
    fn default() -> Self {
        Self { prev: Prev::Auto, extra: String::new(), size: None }
    }
}

/// Writes PDFs revision by revision.
pub struct PdfWriter {
    pub buf: Vec<u8>,
    /// In-use entries of the revision being written: (number, generation, offset).
    pub pending: Vec<(u32, u16, usize)>,
    /// Free entries of the revision being written: (number, generation).
    pub pending_free: Vec<(u32, u16)>,
    /// Offsets of finished xref sections, oldest first.
    pub xrefs: Vec<usize>,
    /// Highest object number + 1 seen so far.
    pub size: u32,
    /// EOL used after each 20-byte table entry.
    pub entry_eol: &'static [u8; 2],
}

impl Default for PdfWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl PdfWriter {
    pub fn new() -> Self {
        Self {
            buf: b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec(),
            pending: Vec::new(),
            pending_free: Vec::new(),
            xrefs: Vec::new(),
            size: 1,
            entry_eol: b"\r\n",
        }
    }

    pub fn pos(&self) -> usize {
        self.buf.len()
    }

    pub fn raw(&mut self, bytes: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(bytes);
        self
    }

    fn bump_size(&mut self, num: u32) {
        self.size = self.size.max(num + 1);
    }

    /// Writes `num gen obj\n{body}\nendobj\n` without listing it.
    pub fn unlisted_object(&mut self, num: u32, generation: u16, body: &[u8]) -> usize {
        let at = self.pos();
        self.buf.extend_from_slice(format!("{num} {generation} obj\n").as_bytes());
        self.buf.extend_from_slice(body);
        self.buf.extend_from_slice(b"\nendobj\n");
        at
    }

    /// Writes and lists an object (generation 0).
    pub fn object(&mut self, num: u32, body: &str) -> usize {
        self.object_gen(num, 0, body.as_bytes())
    }

    /// Writes and lists an object.
    pub fn object_gen(&mut self, num: u32, generation: u16, body: &[u8]) -> usize {
        let at = self.unlisted_object(num, generation, body);
        self.entry(num, generation, at);
        at
    }

    /// Writes and lists a stream object with `/Length` and extra dictionary entries.
    pub fn stream(&mut self, num: u32, dict_extra: &str, data: &[u8]) -> usize {
        let mut body = format!("<< /Length {}{} >>\nstream\n", data.len(), dict_extra).into_bytes();
        body.extend_from_slice(data);
        body.extend_from_slice(b"\nendstream");
        self.object_gen(num, 0, &body)
    }

    /// Lists (or re-lists) an in-use entry by hand.
    pub fn entry(&mut self, num: u32, generation: u16, offset: usize) {
        self.bump_size(num);
        self.pending.retain(|e| e.0 != num);
        self.pending.push((num, generation, offset));
    }

    /// Lists a free entry.
    pub fn free(&mut self, num: u32, generation: u16) {
        self.bump_size(num);
        self.pending_free.push((num, generation));
    }

    fn prev_text(&self, opts: &TrailerOpts, own: usize) -> String {
        match opts.prev {
            Prev::Auto => self.xrefs.last().map(|p| format!(" /Prev {p}")).unwrap_or_default(),
            Prev::Omit => String::new(),
            Prev::Value(v) => format!(" /Prev {v:010}"),
            Prev::SelfOffset => format!(" /Prev {own}"),
        }
    }

    /// Entries of the current revision, sorted: (number, generation, Some(offset) | None for free).
    fn take_entries(&mut self, extra: Option<(u32, usize)>) -> Vec<(u32, u16, Option<usize>)> {
        let mut entries: Vec<(u32, u16, Option<usize>)> =
            self.pending.drain(..).map(|(n, g, o)| (n, g, Some(o))).collect();
        entries.extend(self.pending_free.drain(..).map(|(n, g)| (n, g, None)));
        if let Some((n, o)) = extra {
            entries.push((n, 0, Some(o)));
        }
        if self.xrefs.is_empty() {
            entries.push((0, 65535, None));
        }
        entries.sort_by_key(|e| e.0);
        entries
    }

    /// Closes the revision with a classic xref table and default trailer.
    pub fn finish_table(&mut self) -> usize {
        self.finish_table_opts(&TrailerOpts::default())
    }

    /// Closes the revision with a classic xref table.
    pub fn finish_table_opts(&mut self, opts: &TrailerOpts) -> usize {
        let at = self.pos();
        let entries = self.take_entries(None);
        let mut out = b"xref\n".to_vec();
        let mut i = 0;
        while i < entries.len() {
            let mut j = i + 1;
            while j < entries.len() && entries[j].0 == entries[j - 1].0 + 1 {
                j += 1;
            }
            out.extend_from_slice(format!("{} {}\n", entries[i].0, j - i).as_bytes());
            for &(_, g, o) in &entries[i..j] {
                let (field, kind) = match o {
                    Some(o) => (o, 'n'),
                    None => (0, 'f'),
                };
                out.extend_from_slice(format!("{field:010} {g:05} {kind}").as_bytes());
                out.extend_from_slice(self.entry_eol);
            }
            i = j;
        }
        let size = opts.size.unwrap_or(self.size);
        let prev = self.prev_text(opts, at);
        out.extend_from_slice(
            format!("trailer\n<< /Size {size} /Root 1 0 R{prev}{} >>\nstartxref\n{at}\n%%EOF\n", opts.extra).as_bytes(),
        );
        self.buf.extend_from_slice(&out);
        self.xrefs.push(at);
        at
    }

    /// Closes the revision with a Flate xref stream (object `num`, /W [1 4 2]), with the
    /// PNG Up predictor if `predictor`.
    pub fn finish_stream(&mut self, num: u32, opts: &TrailerOpts, predictor: bool) -> usize {
        let at = self.pos();
        self.bump_size(num);
        let entries = self.take_entries(Some((num, at)));
        let mut rows: Vec<[u8; 7]> = Vec::new();
        let mut index = Vec::new();
        let mut i = 0;
        while i < entries.len() {
            let mut j = i + 1;
            while j < entries.len() && entries[j].0 == entries[j - 1].0 + 1 {
                j += 1;
            }
            index.push(format!("{} {}", entries[i].0, j - i));
            i = j;
        }
        for &(_, g, o) in &entries {
            let (t, f) = match o {
                Some(o) => (1u8, o as u32),
                None => (0u8, 0u32),
            };
            let f = f.to_be_bytes();
            let g = g.to_be_bytes();
            rows.push([t, f[0], f[1], f[2], f[3], g[0], g[1]]);
        }
        let mut data = Vec::new();
        let mut prev_row = [0u8; 7];
        for row in &rows {
            if predictor {
                data.push(2);
                for k in 0..7 {
                    data.push(row[k].wrapping_sub(prev_row[k]));
                }
                prev_row = *row;
            } else {
                data.extend_from_slice(row);
            }
        }
        let compressed = zlib(&data);
        let parms = if predictor { " /DecodeParms << /Predictor 12 /Columns 7 >>" } else { "" };
        let size = opts.size.unwrap_or(self.size);
        let prev = self.prev_text(opts, at);
        let mut out = format!(
            "{num} 0 obj\n<< /Type /XRef /Size {size} /W [1 4 2] /Index [{}] /Root 1 0 R /Filter /FlateDecode{parms} /Length {}{prev}{} >>\nstream\n",
            index.join(" "),
            compressed.len(),
            opts.extra
        )
        .into_bytes();
        out.extend_from_slice(&compressed);
        out.extend_from_slice(format!("\nendstream\nendobj\nstartxref\n{at}\n%%EOF\n").as_bytes());
        self.buf.extend_from_slice(&out);
        self.xrefs.push(at);
        at
    }
}

/// zlib-compresses `data`.
pub fn zlib(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 6)
}

/// The first four objects of a one-page document (catalog 1, pages 2, page 3,
/// Flate content stream 4), not yet closed.
pub fn base_objects() -> PdfWriter {
    let mut w = PdfWriter::new();
    w.object(1, "<< /Type /Catalog /Pages 2 0 R >>");
    w.object(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    w.object(3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>");
    w.stream(4, " /Filter /FlateDecode", &zlib(b"0 0 m 100 100 l S\n"));
    w
}

/// A valid one-revision document with a classic xref table.
pub fn minimal_pdf() -> PdfWriter {
    let mut w = base_objects();
    w.finish_table();
    w
}

/// Replaces the single occurrence of `old` by `new` (same length).
pub fn replace_once(buf: &mut [u8], old: &[u8], new: &[u8]) {
    assert_eq!(old.len(), new.len(), "replacement must keep the length");
    let hits: Vec<usize> = buf.windows(old.len()).enumerate().filter(|(_, w)| *w == old).map(|(i, _)| i).collect();
    assert_eq!(hits.len(), 1, "expected exactly one occurrence of {:?}", String::from_utf8_lossy(old));
    buf[hits[0]..hits[0] + old.len()].copy_from_slice(new);
}

/// The 20-byte table entry the writer produces for an in-use object.
pub fn entry_text(offset: usize, generation: u16) -> Vec<u8> {
    format!("{offset:010} {generation:05} n\r\n").into_bytes()
}

/// Walks with the default budget.
pub fn walk_default(bytes: &[u8]) -> Result<Document, StructureError> {
    walk(bytes, &Budget::default())
}

/// Asserts that walking fails with `code`.
#[track_caller]
pub fn assert_code(bytes: &[u8], code: &str) {
    match walk_default(bytes) {
        Ok(_) => panic!("expected {code}, walk succeeded"),
        Err(e) => assert_eq!(e.code(), code, "got {e}"),
    }
}

/// A zlib stream inflating to `1 + 258 * matches` zero bytes, built with fixed-Huffman
/// codes: one literal 0, then `matches` copies of (length 258, distance 1). 13 bits per
/// 258 output bytes, so 1 GiB of zeros costs about 6.5 MiB.
pub fn zero_bomb(matches: u64) -> Vec<u8> {
    fn rev(code: u32, len: u32) -> u64 {
        let mut r = 0u64;
        for i in 0..len {
            if code & (1 << i) != 0 {
                r |= 1 << (len - 1 - i);
            }
        }
        r
    }
    let mut out = Vec::with_capacity((matches * 13 / 8 + 64) as usize);
    out.extend_from_slice(&[0x78, 0x01]);
    let mut acc: u64 = 0;
    let mut nbits: u32 = 0;
    let put = |out: &mut Vec<u8>, value: u64, len: u32, acc: &mut u64, nbits: &mut u32| {
        *acc |= value << *nbits;
        *nbits += len;
        while *nbits >= 8 {
            out.push(*acc as u8);
            *acc >>= 8;
            *nbits -= 8;
        }
    };
    put(&mut out, 1, 1, &mut acc, &mut nbits); // BFINAL
    put(&mut out, 1, 2, &mut acc, &mut nbits); // BTYPE = fixed Huffman
    put(&mut out, rev(0x30, 8), 8, &mut acc, &mut nbits); // literal 0
    let matched = rev(0xC5, 8) | (rev(0, 5) << 8); // length 258 (symbol 285), distance 1
    for _ in 0..matches {
        put(&mut out, matched, 13, &mut acc, &mut nbits);
    }
    put(&mut out, rev(0, 7), 7, &mut acc, &mut nbits); // end of block
    if nbits > 0 {
        out.push(acc as u8);
    }
    let total = 1 + 258 * matches;
    let a: u32 = 1;
    let b: u32 = (total % 65521) as u32;
    out.extend_from_slice(&((b << 16) | a).to_be_bytes());
    out
}

/// Is the external tool `name` (e.g. `qpdf`) on PATH? When ECERT_REQUIRE_VALIDATORS is set (the test script
/// sets it to 1 after installing the tools) a missing tool fails the test; otherwise the caller skips its check
/// and a SKIPPED line is printed.
pub fn tool(name: &str) -> bool {
    let found = std::process::Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !found {
        if validators_required() {
            panic!("{name} is required (ECERT_REQUIRE_VALIDATORS=1) but not installed");
        }
        eprintln!("SKIPPED: {name} not installed");
    }
    found
}

/// Whether ECERT_REQUIRE_VALIDATORS is set (to anything but empty or `0`).
fn validators_required() -> bool {
    std::env::var_os("ECERT_REQUIRE_VALIDATORS").is_some_and(|v| !v.is_empty() && v != "0")
}
