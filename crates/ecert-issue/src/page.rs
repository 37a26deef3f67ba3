//! The certificate page, laid out after the style sheets of 人社厅发〔2021〕97号 (样式1 / 样式2): header,
//! qualification name in Chinese and English, the body sentence, the seven fields, the 加注 box and footer.

use ecert_format::{CertificateRecord, Qualification, Registry, Style};

use crate::content::{Content, FRAME, FontPart, INK, Rgb, Weight, num};
use crate::font::{FontError, Glyph, ParsedBook, run_width};

/// A4 portrait, in points.
pub const PAGE_WIDTH: f32 = 595.28;
pub const PAGE_HEIGHT: f32 = 841.89;
/// Where the seal's centre sits: over the 制发日期 line, right of centre.
pub const SEAL_CENTER: (f32, f32) = (415.0, 262.0);

const LEFT: f32 = 92.0;
const RIGHT: f32 = PAGE_WIDTH - 92.0;
const MUTED: Rgb = Rgb(0.35, 0.35, 0.38);

/// Characters the numbers, dates and sex on a page are written with. Their glyphs always go into the
/// shared font subset, so it depends only on the qualification and the style sheet, not on the holder's
/// numbers (and one built subset serves a whole batch).
pub const FIELD_ALPHABET: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-男女年月日";

/// The qualification as titled: `××××职业资格` unless the name already ends in a qualification word.
pub fn qualification_title(q: &Qualification) -> String {
    if q.name_zh.contains("资格") { q.name_zh.clone() } else { format!("{}职业资格", q.name_zh) }
}

/// The body sentence of the style sheet for this qualification.
pub fn body_text(q: &Qualification, registry: &Registry) -> String {
    let mut approvers = String::from("中华人民共和国人力资源和社会保障部");
    for a in &q.authorities_zh {
        approvers.push('、');
        approvers.push_str(a);
    }
    let title = qualification_title(q);
    match q.style {
        Style::Ministry => format!("本证书由{approvers}批准颁发，表明持证人通过国家统一组织的考试，取得{title}。"),
        Style::Association => {
            let issuer = registry.issuer(&q.issuer).map(|i| i.name_zh.as_str()).unwrap_or("");
            let level = q.name_zh.trim_end_matches("职业资格");
            format!(
                "本证书由{approvers}监制，{issuer}颁发，表明持证人通过国家统一组织的考试，具有{level}的职业水平和能力。"
            )
        }
    }
}

struct Writer<'a, 'b> {
    book: &'a ParsedBook<'b>,
    c: Content,
}

impl Writer<'_, '_> {
    fn line(&mut self, text: &str, size: f32, x: f32, y: f32, color: Rgb, weight: Weight) -> Result<f32, FontError> {
        let g = self.book.glyphs(text)?;
        let w = run_width(&g, size);
        self.c.text(g, size, x, y, 0.0, color, weight);
        Ok(w)
    }

    /// A line of the holder's own text (the name), drawn from the personal font part.
    fn personal_line(&mut self, text: &str, size: f32, x: f32, y: f32) -> Result<(), FontError> {
        let g = self.book.glyphs(text)?;
        self.c.personal_text(g, size, x, y, 0.0, INK, Weight::Regular);
        Ok(())
    }

    /// Centre a line, shrinking it to fit `max_width`.
    fn centered(
        &mut self,
        text: &str,
        size: f32,
        y: f32,
        max_width: f32,
        color: Rgb,
        weight: Weight,
    ) -> Result<(), FontError> {
        let g = self.book.glyphs(text)?;
        let w = run_width(&g, size);
        let size = if w > max_width { size * max_width / w } else { size };
        let w = run_width(&g, size);
        self.c.text(g, size, (PAGE_WIDTH - w) / 2.0, y, 0.0, color, weight);
        Ok(())
    }

    /// Wrap CJK text to a width (break anywhere, but keep closing punctuation off line starts).
    fn paragraph(
        &mut self,
        text: &str,
        size: f32,
        top: f32,
        leading: f32,
        indent_chars: f32,
    ) -> Result<f32, FontError> {
        let glyphs = self.book.glyphs(text)?;
        let width = RIGHT - LEFT;
        let mut lines: Vec<Vec<Glyph>> = vec![Vec::new()];
        let mut x = indent_chars * size;
        for g in glyphs {
            let adv = g.advance * size / 1000.0;
            let closing = matches!(g.ch, '，' | '。' | '、' | '）' | '；' | '：' | '」' | '》');
            if x + adv > width && !closing {
                lines.push(Vec::new());
                x = 0.0;
            }
            x += adv;
            if let Some(l) = lines.last_mut() {
                l.push(g);
            }
        }
        let mut y = top;
        for (i, l) in lines.into_iter().enumerate() {
            let start = if i == 0 { LEFT + indent_chars * size } else { LEFT };
            self.c.text(l, size, start, y, 0.0, INK, Weight::Regular);
            y -= leading;
        }
        Ok(y)
    }
}

fn frame() -> String {
    let (w, h) = (PAGE_WIDTH, PAGE_HEIGHT);
    let mut s = format!("q {} {} {} RG ", num(FRAME.0), num(FRAME.1), num(FRAME.2));
    s.push_str(&format!("2.4 w 26 26 {} {} re S ", num(w - 52.0), num(h - 52.0)));
    s.push_str(&format!("0.8 w 33 33 {} {} re S ", num(w - 66.0), num(h - 66.0)));
    // Corner ornaments: small filled diamonds.
    for (x, y) in [(33.0, 33.0), (w - 33.0, 33.0), (33.0, h - 33.0), (w - 33.0, h - 33.0)] {
        s.push_str(&format!(
            "{} {} {} rg {} {} m {} {} l {} {} l {} {} l h f ",
            num(FRAME.0),
            num(FRAME.1),
            num(FRAME.2),
            num(x - 6.0),
            num(y),
            num(x),
            num(y + 6.0),
            num(x + 6.0),
            num(y),
            num(x),
            num(y - 6.0)
        ));
    }
    // A thin rule under the header block.
    s.push_str(&format!("0.6 w {} 662 m {} 662 l S Q", num(LEFT + 40.0), num(RIGHT - 40.0)));
    s
}

/// Lay out the page for a record. Returns the page content.
pub fn layout_page(
    book: &ParsedBook<'_>,
    record: &CertificateRecord,
    registry: &Registry,
) -> Result<Content, FontError> {
    let q = registry
        .qualification(&record.qualification.code)
        .ok_or_else(|| FontError::Parse(format!("unknown qualification {}", record.qualification.code)))?;
    let mut w = Writer { book, c: Content::new() };
    w.c.reserve(FIELD_ALPHABET.chars().filter_map(|ch| book.glyph(ch).ok()));
    w.c.raw(&frame());

    let full = RIGHT - LEFT;
    w.centered("中华人民共和国", 24.0, 752.0, full, INK, Weight::Bold)?;
    w.centered("专业技术人员职业资格证书", 27.0, 714.0, full, INK, Weight::Bold)?;
    w.centered("（电子证书）", 14.0, 684.0, full, MUTED, Weight::Regular)?;

    w.centered(&qualification_title(q), 20.0, 624.0, full, INK, Weight::Bold)?;
    w.centered(&q.name_en, 11.5, 602.0, full, MUTED, Weight::Regular)?;

    let after_body = w.paragraph(&body_text(q, registry), 13.5, 560.0, 25.0, 2.0)?;

    let a = &record.approval_date;
    // The name is the only field whose characters are open-ended; the others use FIELD_ALPHABET.
    let fields: [(&str, String, FontPart); 7] = [
        ("姓名", record.holder.name.clone(), FontPart::Personal),
        ("证件号码", record.holder.id_number.clone(), FontPart::Shared),
        ("性别", record.holder.sex.zh().to_owned(), FontPart::Shared),
        ("出生年月", record.holder.birth.to_chinese(), FontPart::Shared),
        ("批准日期", a.to_chinese(), FontPart::Shared),
        ("管理号", record.management_number.clone(), FontPart::Shared),
        ("制发日期", record.issue_date.to_chinese(), FontPart::Shared),
    ];
    let mut y = (after_body - 22.0).min(440.0);
    for (label, value, part) in &fields {
        w.line(&format!("{label}："), 14.0, LEFT + 30.0, y, INK, Weight::Regular)?;
        match part {
            FontPart::Personal => w.personal_line(value, 14.0, LEFT + 130.0, y)?,
            FontPart::Shared => {
                w.line(value, 14.0, LEFT + 130.0, y, INK, Weight::Regular)?;
            }
        }
        y -= 29.0;
    }

    // 加注 box.
    let box_top = 150.0;
    w.c.raw(&format!(
        "q {} {} {} RG 0.6 w [3 2] 0 d {} 92 {} {} re S Q",
        num(FRAME.0),
        num(FRAME.1),
        num(FRAME.2),
        num(LEFT),
        num(full),
        num(box_top - 92.0)
    ));
    match &record.annotation {
        Some(ann) => {
            w.line("加注 Annotation", 11.0, LEFT + 12.0, box_top - 20.0, INK, Weight::Bold)?;
            w.line(
                &format!("使用场景：{}    加注编号：{}", ann.scenario.zh(), ann.number),
                11.0,
                LEFT + 12.0,
                box_top - 38.0,
                INK,
                Weight::Regular,
            )?;
            w.line(
                &format!(
                    "加注有效期：{}至{}（共{}天）",
                    ann.valid_from.to_chinese(),
                    ann.valid_until.to_chinese(),
                    ann.window_days()
                ),
                11.0,
                LEFT + 12.0,
                box_top - 54.0,
                INK,
                Weight::Regular,
            )?;
        }
        None => {
            w.line("加注 Annotation", 11.0, LEFT + 12.0, box_top - 20.0, INK, Weight::Bold)?;
            w.line("本件未加注 / not annotated", 11.0, LEFT + 12.0, box_top - 38.0, MUTED, Weight::Regular)?;
        }
    }
    w.centered(
        &format!("查询编号：{}    本证书为电子证书，内容以电子签章验证结果为准。", record.query_number),
        8.5,
        66.0,
        full,
        MUTED,
        Weight::Regular,
    )?;
    Ok(w.c)
}
