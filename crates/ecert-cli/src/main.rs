//! `ecert`: the issuing side of ecert — keys, trust list, certificate issuance, annotation, and a demo.

mod batch;
mod clock;
mod demo;
mod fonts;
mod issuing;
mod pki_store;
mod receipt_cmd;
mod register;
mod signer;
mod status_cmd;
mod status_snapshot_builder;
mod status_source;
mod time_stamping;
mod trust_list_builder;
mod verify_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use clap::{Args, Parser, Subcommand};
use ecert_format::{Date, Scenario};

use crate::batch::OnError;
use crate::issuing::IssueInput;
use crate::pki_store::PkiStore;

#[derive(Parser)]
#[command(
    name = "ecert",
    version,
    about = "专业技术人员职业资格电子证书：签发与验证工具 / issue and verify professional-qualification e-certificates"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// 生成密钥与证书（根、发证机构CA、印章） / generate keys and certificates (root, issuer CA, seal)
    Keygen {
        #[command(subcommand)]
        what: Keygen,
    },
    /// 生成并由根密钥签署信任列表 / build the trust list and sign it with the root key
    TrustList {
        #[arg(long)]
        pki: PathBuf,
        /// Output file (default <pki>/trust-list.json).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Sequence number (default: the existing list's + 1, or 1).
        #[arg(long)]
        sequence: Option<u64>,
        #[arg(long, default_value_t = 7)]
        next_update_days: i64,
        /// 加注 rule: longest window in days (1–90; default: the existing list's, else 90).
        #[arg(long)]
        max_window_days: Option<u16>,
        /// 加注 rule: most annotations within the trailing window (default: the existing list's, else 3).
        #[arg(long)]
        max_in_trailing_window: Option<u8>,
        /// 加注 rule: the trailing window in days (default: the existing list's, else 90).
        #[arg(long)]
        trailing_window_days: Option<u16>,
        /// How old a status snapshot may be, in seconds (60 to 604800; default: the existing list's, else 86400).
        #[arg(long)]
        max_status_age: Option<i64>,
    },
    /// 证书状态快照：构建、签名、发布 / status snapshots: build, sign, publish
    Status {
        #[command(subcommand)]
        what: StatusCommand,
    },
    /// 核验回执 / verification receipts
    Receipt {
        #[command(subcommand)]
        what: ReceiptCommand,
    },
    /// 签发证书：单张（参数）或批量（CSV） / issue one certificate from flags, or a batch from CSV
    Issue(IssueArgs),
    /// 为证书加注（使用场景与有效期）并生成加注件 / annotate a certificate and write the annotated copy
    Annotate(AnnotateArgs),
    /// 验证电子证书（可多个文件） / verify certificate PDFs (many at once)
    Verify(VerifyArgs),
    /// 签名方：从边缘领取加注任务，核对台账、盖章加时间戳并上传 / the 加注 signer: claim the edge's jobs,
    /// check the ledger, seal, time-stamp, upload (token in $ECERT_SIGNER_TOKEN)
    Signer(signer::SignerArgs),
    /// 生成演示PKI、信任列表与样例证书 / write a demo PKI, trust list and sample certificates
    Demo {
        #[arg(long)]
        out: PathBuf,
        /// The demo's "today" (YYYY-MM-DD, China time); default: the real today.
        #[arg(long)]
        today: Option<Date>,
        /// Font file(s) to embed, PATH or PATH#FACE-INDEX, primary first (default: system CJK fonts).
        #[arg(long)]
        font: Vec<String>,
    },
}

#[derive(Subcommand)]
pub(crate) enum StatusCommand {
    /// Build and sign a snapshot (or a delta on the last one) from the local register of copies (`<pki>/copies`)
    /// and revocations (`<pki>/revoked.json`).
    Snapshot {
        #[arg(long)]
        pki: PathBuf,
        /// Output file (default <pki>/status/snapshot.bin, or delta.bin with --delta).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Revoke every copy of this 管理号 first (repeatable; kept in <pki>/revoked.json).
        #[arg(long)]
        revoke: Vec<String>,
        /// A delta on top of the last snapshot instead of a full snapshot.
        #[arg(long)]
        delta: bool,
        /// The snapshot's time (`@unix`, `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM` China time; default now).
        #[arg(long)]
        at: Option<String>,
    },
    /// Read every issued copy from the edge (admin), build and sign a snapshot or delta, and upload it; with
    /// --every, keep doing so whenever the registry changed.
    Publish {
        #[arg(long)]
        pki: PathBuf,
        /// The edge's base URL (http://127.0.0.1:8787).
        #[arg(long)]
        edge: String,
        /// The admin bearer token (or $ECERT_ADMIN_TOKEN).
        #[arg(long, env = "ECERT_ADMIN_TOKEN", hide_env_values = true)]
        token: String,
        /// Poll interval in seconds; without it, publish once and exit.
        #[arg(long)]
        every: Option<u64>,
        /// A full snapshot at least this often (seconds); deltas in between.
        #[arg(long, default_value_t = 86_400)]
        full_every: i64,
    },
}

#[derive(Subcommand)]
pub(crate) enum ReceiptCommand {
    /// Re-check a receipt offline (and the file it names, if given): what it proves, and what it does not.
    Verify {
        /// The receipt (ecert.receipt/1 JSON).
        receipt: PathBuf,
        /// The certificate PDF the receipt is about.
        file: Option<PathBuf>,
        /// The pinned root: PEM PUBLIC KEY or CERTIFICATE.
        #[arg(long, env = "ECERT_ROOT")]
        root: PathBuf,
        /// The status snapshot (and delta) the receipt names, to re-check the revocation answer too.
        #[arg(long)]
        status: Option<PathBuf>,
        #[arg(long)]
        status_delta: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "zh")]
        lang: verify_cmd::Lang,
    },
}

#[derive(Subcommand)]
enum Keygen {
    /// The root key that signs issuer CAs and the trust list (verifiers pin it).
    Root {
        #[arg(long)]
        pki: PathBuf,
        #[arg(long, default_value = "ecert Root")]
        name: String,
        /// Start of validity (YYYY-MM-DD, YYYY-MM-DDTHH:MM China time, or @unix); default one day ago. Every
        /// certificate below the root is valid only inside the root's validity.
        #[arg(long)]
        valid_from: Option<String>,
        #[arg(long, default_value_t = 20)]
        valid_years: i64,
    },
    /// An issuer CA (one per seal authority: mohrss or an association id).
    Issuer {
        #[arg(long)]
        pki: PathBuf,
        /// Issuer id from the registry; `all` for every issuer.
        #[arg(long)]
        issuer: String,
        /// Start of validity; default one day ago (never before the root's).
        #[arg(long)]
        valid_from: Option<String>,
        #[arg(long, default_value_t = 15)]
        valid_years: i64,
    },
    /// The issuing side's own time-stamping authority (RFC 3161), certified by the root; the trust list names it.
    Tsa {
        #[arg(long)]
        pki: PathBuf,
        #[command(flatten)]
        window: UseWindowArgs,
    },
    /// The registry's status-snapshot signing key; the trust list names its public key.
    Status {
        #[arg(long)]
        pki: PathBuf,
        /// Start of use (default now).
        #[arg(long)]
        use_from: Option<String>,
        /// Years of use.
        #[arg(long, default_value_t = 5)]
        use_years: i64,
    },
    /// A seal key; an older seal still in use ends where the new one starts (rotation).
    Seal {
        #[arg(long)]
        pki: PathBuf,
        #[arg(long)]
        issuer: String,
        #[command(flatten)]
        window: UseWindowArgs,
    },
}

/// When a signing key (a seal, the TSA) is used, and how long its certificate is valid.
#[derive(Args)]
struct UseWindowArgs {
    /// Start of use (YYYY-MM-DD, YYYY-MM-DDTHH:MM China time, or @unix); default now.
    #[arg(long)]
    use_from: Option<String>,
    /// End of use; default five years after the start.
    #[arg(long)]
    use_until: Option<String>,
    #[arg(long, default_value_t = 10)]
    valid_years: i64,
}

impl UseWindowArgs {
    /// (use from, use until, certificate not after) in Unix seconds.
    fn resolve(&self, now: i64) -> Result<(i64, i64, i64)> {
        let from = self.use_from.as_deref().map(clock::parse_instant).transpose()?.unwrap_or(now);
        let until = self.use_until.as_deref().map(clock::parse_instant).transpose()?.unwrap_or(years(from, 5));
        Ok((from, until, years(now, self.valid_years)))
    }
}

#[derive(Args)]
struct IssueArgs {
    #[arg(long)]
    pki: PathBuf,
    /// Qualification code (Q01–Q31) or its Chinese name.
    #[arg(long, required_unless_present = "csv")]
    qualification: Option<String>,
    /// 姓名
    #[arg(long, required_unless_present = "csv")]
    name: Option<String>,
    /// 证件号码 (GB 11643)
    #[arg(long, required_unless_present = "csv")]
    id_number: Option<String>,
    /// 性别 男/女 (default: from the ID number)
    #[arg(long)]
    sex: Option<String>,
    /// 出生年月 YYYY-MM (default: from the ID number)
    #[arg(long)]
    birth: Option<String>,
    /// 批准日期 YYYY-MM-DD
    #[arg(long, required_unless_present = "csv")]
    approval_date: Option<String>,
    /// 制发日期 YYYY-MM-DD
    #[arg(long, required_unless_present = "csv")]
    issue_date: Option<String>,
    /// 管理号
    #[arg(long, required_unless_present = "csv")]
    management_number: Option<String>,
    /// 查询编号 (default: derived from the management number)
    #[arg(long)]
    query_number: Option<String>,
    /// Output PDF (single certificate).
    #[arg(long, conflicts_with = "csv")]
    out: Option<PathBuf>,
    /// Batch: a CSV with a header row (qualification,name,id_number,sex,birth,approval_date,issue_date,management_number,query_number).
    #[arg(long)]
    csv: Option<PathBuf>,
    /// Batch output directory.
    #[arg(long, requires = "csv")]
    out_dir: Option<PathBuf>,
    /// Batch: what to do with a bad row.
    #[arg(long, value_enum, default_value_t = OnError::Skip)]
    on_error: OnError,
    /// Batch: no progress bar.
    #[arg(long)]
    no_progress: bool,
    /// Signing time (YYYY-MM-DD, YYYY-MM-DDTHH:MM China time, or @unix); default now. Only with the store's
    /// own TSA: a TSA over HTTP dates the seal by its own clock.
    #[arg(long, conflicts_with = "tsa_url")]
    signing_time: Option<String>,
    /// An RFC 3161 time-stamping authority (http:// or https://) instead of the store's own (<pki>/tsa); its
    /// certificate must be in the trust list for the certificate to verify.
    #[arg(long)]
    tsa_url: Option<String>,
    #[arg(long)]
    font: Vec<String>,
}

#[derive(Args)]
struct AnnotateArgs {
    #[arg(long)]
    pki: PathBuf,
    /// 管理号 of a certificate in the register (<pki>/register).
    #[arg(long)]
    management_number: String,
    /// 使用场景 (only 本人调用 exists).
    #[arg(long, default_value = "本人调用")]
    scenario: String,
    /// Window length in days (1–90).
    #[arg(long)]
    days: i64,
    /// First valid day (default: the day of application).
    #[arg(long)]
    from: Option<Date>,
    /// The day of application (default: today, China time).
    #[arg(long)]
    today: Option<Date>,
    /// Annotation ledger (default <pki>/annotation-ledger.json).
    #[arg(long)]
    ledger: Option<PathBuf>,
    #[arg(long)]
    out: PathBuf,
    /// An RFC 3161 time-stamping authority (http:// or https://) instead of the store's own (<pki>/tsa).
    #[arg(long)]
    tsa_url: Option<String>,
    #[arg(long)]
    font: Vec<String>,
}

#[derive(Args)]
struct VerifyArgs {
    /// Certificate PDF files.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// The signed trust list (ecert.signed-trust-list/1 JSON).
    #[arg(long, env = "ECERT_TRUST_LIST")]
    trust_list: PathBuf,
    /// The pinned root: PEM PUBLIC KEY or CERTIFICATE (e.g. root-spki.pem from `ecert demo`).
    #[arg(long, env = "ECERT_ROOT")]
    root: PathBuf,
    /// Time of check: `@unix`, `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM` China time (default: now).
    #[arg(long)]
    at: Option<String>,
    /// Print the verdicts as JSON (an array of {file, verdict}).
    #[arg(long)]
    json: bool,
    /// Language of the summary.
    #[arg(long, value_enum, default_value = "zh")]
    lang: verify_cmd::Lang,
    /// Show full ID numbers instead of masked ones.
    #[arg(long)]
    reveal_id_number: bool,
    /// Rollback floor: the state file that keeps, per pinned root, the highest trust-list sequence accepted so
    /// far. A list older than that is refused (exit 2); a newer accepted one raises it. Default
    /// $XDG_STATE_HOME/ecert/trust-list-floor, else $HOME/.local/state/ecert/trust-list-floor.
    #[arg(long, value_name = "PATH")]
    state_file: Option<PathBuf>,
    /// Accept a trust list older than one already accepted (a deliberate rollback); the floor is not lowered.
    #[arg(long)]
    allow_rollback: bool,
    /// The signed status snapshot: a file, or the edge's base URL (fetches /v1/status/snapshot and its delta).
    /// Revocation is then checked offline, and the snapshot's signed time is the floor of the time of check.
    #[arg(long, env = "ECERT_STATUS", value_name = "FILE|URL")]
    status: Option<String>,
    /// A status delta file on top of --status FILE.
    #[arg(long, value_name = "FILE", requires = "status")]
    status_delta: Option<PathBuf>,
    /// Write a receipt (ecert.receipt/1 JSON) per file into this directory.
    #[arg(long, value_name = "DIR")]
    receipt_dir: Option<PathBuf>,
}

fn verify(args: VerifyArgs) -> Result<ExitCode> {
    use ecert_format::trust_list::TrustListError;
    use ecert_verify::TrustError;
    use verify_cmd::floor;

    let root = verify_cmd::read_root_spki(&args.root)?;
    let list = std::fs::read(&args.trust_list)
        .with_context(|| format!("无法读取信任列表 / cannot read the trust list {}", args.trust_list.display()))?;
    // The rollback floor of this root, from the state file (problems there are warnings, never a refusal).
    let root_key_id = ecert_format::trust_list::key_id_of_spki(&root);
    let state = args.state_file.clone().or_else(floor::default_path);
    let held = match &state {
        None => {
            eprintln!(
                "警告 warning: 无状态文件位置（未设置 HOME 或 XDG_STATE_HOME），不做回滚检查 / no state file location \
                 (neither HOME nor XDG_STATE_HOME is set; --state-file sets one): trust-list rollback is not checked"
            );
            0
        }
        Some(path) => floor::read(path, &root_key_id).unwrap_or_else(|e| {
            eprintln!("警告 warning: {e:#}；本次不做回滚检查 / trust-list rollback is not checked this time");
            0
        }),
    };
    let min_sequence = if args.allow_rollback { 0 } else { held };
    let trust = ecert_verify::VerifiedTrustList::from_signed_json(&list, &root, min_sequence).map_err(|e| match e {
        TrustError::List(TrustListError::Rollback { found, held }) => anyhow::anyhow!(
            "信任列表序号 {found} 早于此前已接受的序号 {held}（回滚），已拒绝；确需使用旧列表请加 --allow-rollback / \
             the trust list (sequence {found}) is older than one already accepted (sequence {held}): rollback \
             refused; pass --allow-rollback to accept it anyway [TRUST_LIST_ROLLBACK] (state: {})",
            state.as_deref().map(|p| p.display().to_string()).unwrap_or_default()
        ),
        e => anyhow::anyhow!("信任列表无效 / trust list refused [{}]: {e}", e.code()),
    })?;
    if let Some(path) = &state
        && trust.sequence() > held
        && let Err(e) = floor::raise(path, &root_key_id, trust.sequence())
    {
        eprintln!(
            "警告 warning: 无法记录信任列表序号 {} / cannot record trust-list sequence {} in {}: {e:#}",
            trust.sequence(),
            trust.sequence(),
            path.display()
        );
    }
    let at = match &args.at {
        Some(s) => clock::parse_instant(s)?,
        None => clock::now_unix(),
    };
    let options = ecert_verify::VerifyOptions { reveal_id_number: args.reveal_id_number, ..Default::default() };
    let snapshot = match &args.status {
        None => None,
        Some(source) => Some(status_source::load(&trust, source, args.status_delta.as_deref())?),
    };
    let evidence = ecert_verify::StatusEvidence { snapshot: snapshot.as_ref(), ..ecert_verify::StatusEvidence::none() };
    let results = verify_cmd::verify_files(&args.files, &trust, at, &evidence, &options);
    if let Some(dir) = &args.receipt_dir {
        receipt_cmd::write_receipts(dir, &args.files, &results, &list)?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&results)?);
    } else {
        for r in &results {
            print!("{}", verify_cmd::render(r, args.lang));
        }
    }
    let worst =
        results.iter().map(|r| r.verdict.as_ref().map_or(2, |v| verify_cmd::exit_code(v.code))).max().unwrap_or(0);
    Ok(ExitCode::from(worst))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误 error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn years(from: i64, n: i64) -> i64 {
    from + n * 365 * 86_400
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Keygen { what } => keygen(what),
        Command::TrustList {
            pki,
            out,
            sequence,
            next_update_days,
            max_window_days,
            max_in_trailing_window,
            trailing_window_days,
            max_status_age,
        } => {
            let store = PkiStore::new(&pki);
            let out = out.unwrap_or_else(|| pki.join("trust-list.json"));
            let root_spki = ecert_pki::ParsedCert::from_der(&store.root_cert()?)?.spki_der().to_vec();
            let previous = trust_list_builder::previous(&out, &root_spki);
            let prev = previous.as_ref().map(|l| l.sequence);
            let max_status_age = max_status_age.unwrap_or_else(|| {
                previous.as_ref().map_or(trust_list_builder::DEFAULT_MAX_STATUS_AGE, |l| l.max_status_age)
            });
            if !ecert_format::trust_list::STATUS_AGE_BOUNDS.contains(&max_status_age) {
                bail!("状态快照最长有效时间须在 60 秒至 7 天之间 / --max-status-age must be 60 to 604800 seconds");
            }
            let mut rule = previous.map_or_else(ecert_format::AnnotationRule::official, |l| l.annotation_rule);
            rule.max_window_days = max_window_days.unwrap_or(rule.max_window_days);
            rule.max_in_trailing_window = max_in_trailing_window.unwrap_or(rule.max_in_trailing_window);
            rule.trailing_window_days = trailing_window_days.unwrap_or(rule.trailing_window_days);
            if !rule.is_within_format() {
                bail!(
                    "加注规则超出格式允许范围（有效期 1–90 天） / the annotation rule is outside the format's bounds (window 1 to 90 days)"
                );
            }
            let sequence = sequence.unwrap_or(prev.map_or(1, |p| p + 1));
            if let Some(p) = prev.filter(|p| sequence <= *p) {
                bail!("序号 {sequence} 不大于现有信任列表的 {p} / sequence must exceed the existing list's {p}");
            }
            let now = clock::now_unix();
            let window = (now, now + next_update_days * 86_400);
            let list = trust_list_builder::build(&store, sequence, window, rule, max_status_age)?;
            let signed = trust_list_builder::sign(&store, &list)?;
            register::write_atomic(&out, signed.to_json_pretty().as_bytes())?;
            println!(
                "信任列表已签署 trust list signed: {} (sequence {sequence}, {} issuers)",
                out.display(),
                list.issuers.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Issue(args) => issue(args),
        Command::Annotate(args) => annotate(args),
        Command::Verify(args) => verify(args),
        Command::Signer(args) => signer::run(args),
        Command::Status { what } => status_cmd::run(what),
        Command::Receipt { what } => receipt_cmd::run(what),
        Command::Demo { out, today, font } => {
            let fonts = fonts::font_book(&font)?;
            let today = clock::today(today)?;
            let samples = demo::run(&out, today, &fonts)?;
            println!("演示数据已写入 demo written to {} (today = {today})", out.display());
            for s in &samples {
                println!("  {:<28} {:<26} {}", s.file, s.expected, s.description_zh);
            }
            println!("信任根 trust anchor: {}", out.join("root.pem").display());
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn keygen(what: Keygen) -> Result<ExitCode> {
    let now = clock::now_unix();
    match what {
        Keygen::Root { pki, name, valid_from, valid_years } => {
            let store = PkiStore::new(&pki);
            if store.root_cert_path().exists() {
                bail!("根密钥已存在 / a root already exists in {}", pki.display());
            }
            let from = valid_from.as_deref().map(clock::parse_instant).transpose()?.unwrap_or(now - 86_400);
            store.create_root(&name, from, years(now, valid_years))?;
            println!("根密钥已生成 root created: {}", store.root_cert_path().display());
        }
        Keygen::Issuer { pki, issuer, valid_from, valid_years } => {
            let from = valid_from.as_deref().map(clock::parse_instant).transpose()?.unwrap_or(now - 86_400);
            let store = PkiStore::new(&pki);
            let ids: Vec<String> = if issuer == "all" {
                ecert_format::Registry::builtin().issuers.iter().map(|i| i.id.clone()).collect()
            } else {
                vec![issuer]
            };
            for id in ids {
                store.create_issuer(&id, from, years(now, valid_years))?;
                println!("发证机构CA已生成 issuer CA created: {id}");
            }
        }
        Keygen::Seal { pki, issuer, window } => {
            let store = PkiStore::new(&pki);
            let (from, until, not_after) = window.resolve(now)?;
            let id = store.create_seal(&issuer, from, until, not_after)?;
            println!("印章密钥已生成 seal created: {issuer}/{id}");
        }
        Keygen::Status { pki, use_from, use_years } => {
            let store = PkiStore::new(&pki);
            let from = use_from.as_deref().map(clock::parse_instant).transpose()?.unwrap_or(now - 60);
            store.create_status_signer(from, years(from, use_years))?;
            println!("状态签名密钥已生成 status key created: {}", pki.join("status").display());
        }
        Keygen::Tsa { pki, window } => {
            let store = PkiStore::new(&pki);
            let (from, until, not_after) = window.resolve(now)?;
            store.create_tsa(from, until, not_after)?;
            println!("时间戳服务密钥已生成 TSA created: {}", pki.join("tsa").display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn issue(args: IssueArgs) -> Result<ExitCode> {
    let store = PkiStore::new(&args.pki);
    let tsa = time_stamping::Tsa::choose(&store, args.tsa_url.clone())?;
    let signing_time =
        args.signing_time.as_deref().map(clock::parse_instant).transpose()?.unwrap_or_else(clock::now_unix);
    if let Some(csv) = &args.csv {
        let out_dir = args.out_dir.clone().unwrap_or_else(|| PathBuf::from("."));
        let rows = batch::read_rows(csv)?;
        let names: Vec<&str> = rows.iter().filter_map(|(_, r)| r.as_ref().ok().map(|i| i.name.trim())).collect();
        let fonts = fonts::font_book_for(&args.font, Some(&names))?;
        let total = rows.len();
        let started = std::time::Instant::now();
        let report =
            batch::run(&store, &fonts, rows, &out_dir, (signing_time, &tsa), args.on_error, !args.no_progress)?;
        for (line, e) in &report.failed {
            eprintln!("第{line}行 line {line}: {e}");
        }
        let secs = started.elapsed().as_secs_f64();
        println!(
            "已签发 issued {}/{total}，失败 failed {}（{:.1} 张/秒 per second）→ {}",
            report.issued,
            report.failed.len(),
            report.issued as f64 / secs.max(1e-9),
            out_dir.display()
        );
        return Ok(if report.failed.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) });
    }
    let input = IssueInput {
        qualification: args.qualification.unwrap_or_default(),
        name: args.name.unwrap_or_default(),
        id_number: args.id_number.unwrap_or_default(),
        sex: args.sex,
        birth: args.birth,
        approval_date: args.approval_date.unwrap_or_default(),
        issue_date: args.issue_date.unwrap_or_default(),
        management_number: args.management_number.unwrap_or_default(),
        query_number: args.query_number,
    };
    let record = issuing::build_record(&input)?;
    let fonts = fonts::font_book_for(&args.font, Some(&[record.holder.name.as_str()]))?;
    let pdf = issuing::seal_record(&store, &fonts, &record, signing_time, &tsa)?;
    let out = args.out.unwrap_or_else(|| PathBuf::from(format!("{}.pdf", record.management_number)));
    std::fs::write(&out, pdf).with_context(|| format!("无法写入 / cannot write {}", out.display()))?;
    register::save_record(&args.pki, &record)?;
    println!("已签发 issued {} → {}", record.management_number, out.display());
    Ok(ExitCode::SUCCESS)
}

fn annotate(args: AnnotateArgs) -> Result<ExitCode> {
    let store = PkiStore::new(&args.pki);
    let scenario = Scenario::parse(&args.scenario).with_context(|| {
        format!(
            "不支持的使用场景“{}”，目前仅支持“本人调用” / unsupported scenario; only 本人调用 exists",
            args.scenario
        )
    })?;
    let today = clock::today(args.today)?;
    let from = args.from.unwrap_or(today);
    let ledger_path = args.ledger.unwrap_or_else(|| args.pki.join("annotation-ledger.json"));
    // Held until the ledger is saved: a signer on the same PKI cannot count the same history meanwhile.
    let _lock = register::LedgerLock::acquire(&ledger_path)?;
    let mut ledger = register::Ledger::load(&ledger_path)?;
    let base = register::load_record(&args.pki, &args.management_number)?;
    let rule = trust_list_builder::annotation_rule(&store)?;
    let history = ledger.history(&args.management_number);
    let record = issuing::annotate_record(&rule, &base, history, scenario, today, from, args.days)?;
    let fonts = fonts::font_book(&args.font)?;
    let tsa = time_stamping::Tsa::choose(&store, args.tsa_url.clone())?;
    // The annotated copy is sealed when the 加注 is made. A remote TSA dates it by its own clock: now.
    let signing_time = if tsa.is_remote() { clock::now_unix() } else { clock::instant_on(today) };
    let pdf = issuing::seal_record(&store, &fonts, &record, signing_time, &tsa)?;
    std::fs::write(&args.out, pdf).with_context(|| format!("无法写入 / cannot write {}", args.out.display()))?;
    let Some(a) = &record.annotation else { bail!("internal: annotation missing") };
    ledger.certificates.entry(args.management_number.clone()).or_default().push(ecert_format::LedgerEntry {
        number: a.number.clone(),
        applied_on: today,
        valid_from: a.valid_from,
        valid_until: a.valid_until,
    });
    ledger.save(&ledger_path)?;
    println!(
        "已加注 annotated {}：{} {}至{}（{}天）→ {}",
        args.management_number,
        a.scenario.zh(),
        a.valid_from.to_chinese(),
        a.valid_until.to_chinese(),
        a.window_days(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
