//! `ecert verify --receipt-dir` writes receipts; `ecert receipt verify` re-checks one offline (the core's
//! `check_receipt`) and prints what it proves and what it does not.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use ecert_verify::Receipt;

use crate::ReceiptCommand;
use crate::verify_cmd::{FileVerdict, Lang, read_root_spki};

/// Who made a receipt.
fn made_by() -> String {
    format!("ecert-cli {}", env!("CARGO_PKG_VERSION"))
}

/// One receipt per verified file: `<dir>/<file stem>.receipt.json`.
pub fn write_receipts(dir: &Path, files: &[PathBuf], results: &[FileVerdict], trust_list: &[u8]) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    for (path, result) in files.iter().zip(results) {
        let Some(verdict) = &result.verdict else { continue };
        let pdf = std::fs::read(path).with_context(|| format!("无法读取 / cannot read {}", path.display()))?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let receipt = Receipt::new(verdict, &name, &pdf, trust_list, &made_by());
        let stem = path.file_stem().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "file".into());
        crate::register::write_atomic(&dir.join(format!("{stem}.receipt.json")), receipt.to_json_pretty().as_bytes())?;
    }
    Ok(())
}

pub fn run(what: ReceiptCommand) -> Result<ExitCode> {
    let ReceiptCommand::Verify { receipt, file, root, status, status_delta, lang } = what;
    let root = read_root_spki(&root)?;
    let json = std::fs::read(&receipt).with_context(|| format!("无法读取 / cannot read {}", receipt.display()))?;
    let pdf = file.as_deref().map(std::fs::read).transpose().context("无法读取证书文件 / cannot read the PDF")?;
    let snapshot =
        status.as_deref().map(std::fs::read).transpose().context("无法读取状态快照 / cannot read --status")?;
    let delta = status_delta
        .as_deref()
        .map(std::fs::read)
        .transpose()
        .context("无法读取状态增量 / cannot read --status-delta")?;
    let check =
        ecert_verify::check_receipt(&json, &root, pdf.as_deref(), snapshot.as_deref().map(|s| (s, delta.as_deref())));
    let zh = lang == Lang::Zh;
    for f in &check.findings {
        println!("{} {} [{}]", if f.ok { "✔" } else { "✘" }, if zh { &f.zh } else { &f.en }, f.code);
    }
    println!("{}", if zh { "回执不能证明：" } else { "What the receipt does not prove:" });
    for l in &check.limits {
        println!("  · {}", if zh { &l.zh } else { &l.en });
    }
    if file.is_none() {
        println!(
            "{}",
            if zh {
                "（未给出证书文件：文件身份与结论未复核。）"
            } else {
                "(No PDF given: the file's identity and the verdict were not re-checked.)"
            }
        );
    }
    Ok(if check.ok { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
