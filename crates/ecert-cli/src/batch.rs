//! Batch issuance from CSV: rows are validated, sealed in parallel, and reported by row number.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context as _, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use ecert_issue::FontBook;

use crate::issuing::{IssueInput, build_record, seal_record};
use crate::pki_store::PkiStore;
use crate::register::save_record;
use crate::time_stamping::Tsa;

/// What to do with a bad row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OnError {
    /// Report the row and continue with the others (exit status 1 at the end).
    Skip,
    /// Stop at the first bad row (rows already sealed stay written).
    Stop,
}

/// The summary of a batch.
pub struct BatchReport {
    pub issued: usize,
    pub failed: Vec<(usize, String)>,
}

/// Read rows: header `qualification,name,id_number,sex,birth,approval_date,issue_date,management_number,query_number`
/// (sex, birth, query_number may be empty). Rows that cannot be parsed are reported with their line number.
pub fn read_rows(path: &Path) -> Result<Vec<(usize, Result<IssueInput, String>)>> {
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_path(path)
        .with_context(|| format!("无法读取 CSV / cannot read {}", path.display()))?;
    let headers = rdr.headers().context("CSV 缺少表头 / CSV has no header row")?.clone();
    for required in ["qualification", "name", "id_number", "approval_date", "issue_date", "management_number"] {
        if !headers.iter().any(|h| h == required) {
            bail!("CSV 缺少列 {required} / CSV lacks the column {required}");
        }
    }
    let mut rows = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = rec.as_ref().ok().and_then(|r| r.position()).map(|p| p.line() as usize).unwrap_or(i + 2);
        let parsed = rec
            .map_err(|e| e.to_string())
            .and_then(|r| r.deserialize::<IssueInput>(Some(&headers)).map_err(|e| e.to_string()));
        rows.push((line, parsed));
    }
    Ok(rows)
}

/// Issue every row into `out_dir/<管理号>.pdf`.
pub fn run(
    store: &PkiStore,
    fonts: &FontBook,
    rows: Vec<(usize, Result<IssueInput, String>)>,
    out_dir: &Path,
    (signing_time, tsa): (i64, &Tsa),
    on_error: OnError,
    progress: bool,
) -> Result<BatchReport> {
    std::fs::create_dir_all(out_dir)?;
    // Subset every name's glyphs from one copy of the fonts narrowed to this batch's names (one slow subset
    // of the full faces instead of one per certificate).
    let names = rows.iter().filter_map(|(_, row)| row.as_ref().ok().map(|input| input.name.as_str()));
    let fonts = &fonts.narrowed_to(names)?;
    let bar = if progress { ProgressBar::new(rows.len() as u64) } else { ProgressBar::hidden() };
    bar.set_style(
        ProgressStyle::with_template("{spinner} 签发中 issuing [{bar:40}] {pos}/{len} ({per_sec}, 剩余 {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let stop = AtomicBool::new(false);
    let results: Vec<(usize, Result<(), String>)> = rows
        .into_par_iter()
        .map(|(line, row)| {
            if stop.load(Ordering::Relaxed) {
                return (
                    line,
                    Err("未处理（此前出错已停止） / not processed: stopped after an earlier error".to_owned()),
                );
            }
            let r = row.and_then(|input| {
                (|| -> Result<()> {
                    let record = build_record(&input)?;
                    let pdf = seal_record(store, fonts, &record, signing_time, tsa)?;
                    std::fs::write(out_dir.join(format!("{}.pdf", record.management_number)), pdf)?;
                    save_record(&store.dir, &record)?;
                    Ok(())
                })()
                .map_err(|e| format!("{e:#}"))
            });
            if r.is_err() && on_error == OnError::Stop {
                stop.store(true, Ordering::Relaxed);
            }
            bar.inc(1);
            (line, r)
        })
        .collect();
    bar.finish_and_clear();
    let mut report = BatchReport { issued: 0, failed: Vec::new() };
    for (line, r) in results {
        match r {
            Ok(()) => report.issued += 1,
            Err(e) => report.failed.push((line, e)),
        }
    }
    report.failed.sort_by_key(|(l, _)| *l);
    if on_error == OnError::Stop {
        // Report the first real failure; rows skipped because of it are not errors of their own.
        let first = report.failed.iter().position(|(_, e)| !e.starts_with("未处理"));
        if let Some(i) = first {
            let keep = report.failed.remove(i);
            report.failed.retain(|_| false);
            report.failed.push(keep);
        }
    }
    Ok(report)
}
