//! The holder API (`/v1/holder/*`, docs/holder.md): register, log in and out, the session, my certificates, apply
//! for 加注, download, delete the account. Same origin only (no CORS headers); a session cookie; every
//! state-changing request checks `Origin` (when sent) and, with a session, `X-CSRF-Token` (`crate::holder::csrf`).
//!
//! IDOR: every route that names a 管理号 first checks `holder_index` for (this holder, 管理号); a job id is looked
//! up among that certificate's jobs only. Anything not the signed-in holder's is the same 404 `NOT_FOUND` as
//! something that does not exist.

use serde::{Deserialize, Serialize};
use worker::{Request, Response};

use ecert_format::{AnnotationRule, Date, IssuerKind, Registry, Scenario};
use ecert_verify::VerifiedTrustList;

use super::Ctx;
use crate::config;
use crate::error::{ApiError, ApiResult};
use crate::holder::account::{self, Identity, LoginRequest, NOTICE_VERSION, RegisterRequest};
use crate::holder::jobs::{self as rules, CanApply, JobView};
use crate::holder::session::{self, SessionCookie};
use crate::holder::{csrf, holder_key, holder_slot, password};
use crate::http;
use crate::rate_limit::{self, Limiter};
use crate::storage::certificates::{self, CertificateRow};
use crate::storage::holders::{self, Account, NewSession};
use crate::storage::jobs::{self, JobRow, NewJob};
use crate::storage::shards::Store;

/// The one answer for "not yours" and "does not exist".
fn not_found() -> ApiError {
    ApiError::new(404, "NOT_FOUND", "未找到该证书或加注记录", "no such certificate or annotation")
}

fn not_signed_in() -> ApiError {
    ApiError::new(401, "NOT_SIGNED_IN", "请先登录", "please sign in first")
}

fn login_failed() -> ApiError {
    ApiError::new(401, "LOGIN_FAILED", "姓名、证件号码或密码不正确", "wrong name, ID number or password")
}

/// The edge's own origin (the request URL's).
fn own_origin(req: &Request) -> Option<String> {
    req.url().ok().map(|u| u.origin().ascii_serialization())
}

fn header(req: &Request, name: &str) -> Option<String> {
    req.headers().get(name).ok().flatten()
}

/// `Origin`, when sent, must be the edge's own.
fn check_origin(req: &Request) -> ApiResult<()> {
    csrf::check_origin(header(req, "origin").as_deref(), own_origin(req).as_deref())
}

/// A JSON body is required on the POSTs (a cross-origin JSON POST needs a preflight, which is never granted).
fn require_json(req: &Request) -> ApiResult<()> {
    match http::content_type(req).as_deref() {
        Some("application/json") => Ok(()),
        _ => Err(ApiError::unsupported_media_type("application/json")),
    }
}

/// Today's day in China time by the edge's clock.
fn today(ctx: &Ctx) -> ApiResult<Date> {
    Date::in_china_at(ctx.now).ok_or_else(|| ApiError::internal("clock", "out of range"))
}

/// A signed-in request.
struct Session {
    cookie: SessionCookie,
    holder_key: [u8; 32],
    name: String,
    id_tail: String,
    notice_version: String,
    expires_at: i64,
}

/// The session of the request's cookie, alive; else 401 `NOT_SIGNED_IN` (an expired session row is deleted).
async fn signed_in(req: &Request, ctx: &Ctx, store: &Store) -> ApiResult<Session> {
    let cookie = header(req, "cookie").as_deref().and_then(session::from_header).ok_or_else(not_signed_in)?;
    let hash = cookie.token_hash();
    let row = holders::session(store, cookie.slot, &hash).await?.ok_or_else(not_signed_in)?;
    let holder_key = holders::key_from_hex(&row.holder_key).ok_or_else(not_signed_in)?;
    if holder_slot(&holder_key) != cookie.slot {
        return Err(not_signed_in());
    }
    if !session::alive(row.expires_at, row.last_seen, ctx.now) {
        holders::delete_session(store, cookie.slot, &hash).await?;
        return Err(not_signed_in());
    }
    if ctx.now - row.last_seen >= session::TOUCH_EVERY {
        holders::touch_session(store, cookie.slot, &hash, ctx.now).await?;
    }
    Ok(Session {
        cookie,
        holder_key,
        name: row.name,
        id_tail: row.id_tail,
        notice_version: row.notice_version,
        expires_at: row.expires_at,
    })
}

/// A state-changing request with a session: Origin, then the session, then its CSRF token.
async fn signed_in_for_change(req: &Request, ctx: &Ctx, store: &Store) -> ApiResult<Session> {
    check_origin(req)?;
    let s = signed_in(req, ctx, store).await?;
    let pepper = config::password_pepper(&ctx.env)?;
    csrf::check_token(header(req, "x-csrf-token").as_deref(), &session::csrf_token(&pepper, &s.cookie))?;
    Ok(s)
}

#[derive(Serialize)]
struct SessionView {
    name: String,
    id_tail: String,
    csrf_token: String,
    notice_version: String,
    expires_at: i64,
}

fn session_view(ctx: &Ctx, s: &Session) -> ApiResult<SessionView> {
    let pepper = config::password_pepper(&ctx.env)?;
    Ok(SessionView {
        name: s.name.clone(),
        id_tail: s.id_tail.clone(),
        csrf_token: session::csrf_token(&pepper, &s.cookie),
        notice_version: s.notice_version.clone(),
        expires_at: s.expires_at,
    })
}

fn no_store(mut r: Response) -> Response {
    http::set_header(&mut r, "cache-control", "no-store");
    r
}

/// A new session for this holder: cookie, stored hash.
fn new_session(ctx: &Ctx, holder_key: &[u8; 32]) -> ApiResult<(SessionCookie, NewSession)> {
    let cookie = SessionCookie { slot: holder_slot(holder_key), token: crate::webcrypto::random32()? };
    let row =
        NewSession { token_hash: cookie.token_hash(), created_at: ctx.now, expires_at: ctx.now + session::MAX_AGE };
    Ok((cookie, row))
}

/// Count a login-class request per client (before the body is read) — the per-account count follows once the
/// account is known.
async fn limit_client(req: &Request, ctx: &Ctx) -> ApiResult<()> {
    rate_limit::check(&ctx.env, Limiter::LoginClient, ctx.client(req)).await
}

async fn limit_account(ctx: &Ctx, holder_key: &[u8; 32]) -> ApiResult<()> {
    rate_limit::check(&ctx.env, Limiter::LoginAccount, ecert_format::trust_list::hex(holder_key)).await
}

fn signed_in_response(ctx: &Ctx, status: u16, s: &Session) -> ApiResult<Response> {
    let mut r = no_store(http::json(status, &session_view(ctx, s)?)?);
    http::set_header(&mut r, "set-cookie", &session::set_cookie(&s.cookie));
    Ok(r)
}

/// `POST /v1/holder/register`.
pub async fn register(req: &mut Request, ctx: &Ctx) -> ApiResult<Response> {
    check_origin(req)?;
    require_json(req)?;
    limit_client(req, ctx).await?;
    let body: RegisterRequest = http::read_json(req).await?;
    let who = body.validate()?;
    let key = config::lookup_key(&ctx.env)?;
    let pepper = config::password_pepper(&ctx.env)?;
    let hk = holder_key(&key, &who.name, &who.id_number);
    limit_account(ctx, &hk).await?;
    let store = ctx.store().await?;
    if holders::account(&store, &hk).await?.is_some() {
        return Err(account_exists());
    }
    let salt = crate::webcrypto::random_bytes(password::SALT_BYTES)?;
    let hash = password::derive(&pepper, &body.password, &salt, password::ITERATIONS).await?;
    let account = Account {
        name: who.name.clone(),
        id_tail: who.id_tail(),
        salt,
        hash: hash.to_vec(),
        scheme: password::SCHEME.to_owned(),
        iterations: password::ITERATIONS,
        notice_version: NOTICE_VERSION.to_owned(),
        created_at: ctx.now,
    };
    let (cookie, row) = new_session(ctx, &hk)?;
    if !holders::create(&store, &hk, &account, &row).await? {
        return Err(account_exists());
    }
    let s = Session {
        cookie,
        holder_key: hk,
        name: account.name,
        id_tail: account.id_tail,
        notice_version: account.notice_version,
        expires_at: row.expires_at,
    };
    signed_in_response(ctx, 201, &s)
}

fn account_exists() -> ApiError {
    ApiError::new(
        409,
        "ACCOUNT_EXISTS",
        "该姓名和证件号码已注册，请直接登录",
        "an account for this name and ID number exists; please sign in",
    )
}

/// Check a password against an account (or, for no account, spend the same work and fail).
async fn password_ok(pepper: &[u8], account: Option<&Account>, password: &str) -> ApiResult<bool> {
    match account {
        Some(a) if a.scheme == password::SCHEME && a.hash.len() == 32 => {
            let derived = password::derive(pepper, password, &a.salt, a.iterations).await?;
            let stored = <[u8; 32]>::try_from(a.hash.as_slice()).unwrap_or([0; 32]);
            Ok(password::digest_eq(&derived, &stored))
        }
        _ => {
            let _ = password::derive(pepper, password, &password::DUMMY_SALT, password::ITERATIONS).await?;
            Ok(false)
        }
    }
}

/// `POST /v1/holder/login`: one answer (401 `LOGIN_FAILED`) for an unknown account and a wrong password, after the
/// same work.
pub async fn login(req: &mut Request, ctx: &Ctx) -> ApiResult<Response> {
    check_origin(req)?;
    require_json(req)?;
    limit_client(req, ctx).await?;
    let body: LoginRequest = http::read_json(req).await?;
    if body.password.len() > account::MAX_PASSWORD_BYTES {
        return Err(login_failed());
    }
    let who: Identity = account::identity(&body.name, &body.id_number)?;
    let key = config::lookup_key(&ctx.env)?;
    let pepper = config::password_pepper(&ctx.env)?;
    let hk = holder_key(&key, &who.name, &who.id_number);
    limit_account(ctx, &hk).await?;
    let store = ctx.store().await?;
    let account = holders::account(&store, &hk).await?;
    if !password_ok(&pepper, account.as_ref(), &body.password).await? {
        return Err(login_failed());
    }
    let Some(account) = account else { return Err(login_failed()) };
    let (cookie, row) = new_session(ctx, &hk)?;
    holders::add_session(&store, &hk, &row).await?;
    let s = Session {
        cookie,
        holder_key: hk,
        name: account.name,
        id_tail: account.id_tail,
        notice_version: account.notice_version,
        expires_at: row.expires_at,
    };
    signed_in_response(ctx, 200, &s)
}

/// `POST /v1/holder/logout`: the session row deleted, the cookie cleared.
pub async fn logout(req: &mut Request, ctx: &Ctx) -> ApiResult<Response> {
    let store = ctx.store().await?;
    let s = signed_in_for_change(req, ctx, &store).await?;
    holders::delete_session(&store, s.cookie.slot, &s.cookie.token_hash()).await?;
    let mut r = no_store(http::empty(204)?);
    http::set_header(&mut r, "set-cookie", &session::clear_cookie());
    Ok(r)
}

/// `GET /v1/holder/session`.
pub async fn session_info(req: &mut Request, ctx: &Ctx) -> ApiResult<Response> {
    let store = ctx.store().await?;
    let s = signed_in(req, ctx, &store).await?;
    Ok(no_store(http::json(200, &session_view(ctx, &s)?)?))
}

#[derive(Serialize)]
struct NameView {
    code: String,
    zh: String,
    en: String,
}

#[derive(Serialize)]
struct IssuerNameView {
    id: String,
    zh: String,
    en: String,
}

#[derive(Serialize)]
struct StatusView {
    /// `valid` | `revoked`.
    state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    revoked_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

/// A certificate as the holder sees it (docs/holder.md `CertificateView`).
#[derive(Serialize)]
struct CertificateView {
    management_number: String,
    query_number: String,
    qualification: NameView,
    issuer: IssuerNameView,
    approval_date: String,
    issue_date: String,
    status: StatusView,
    annotation_required: bool,
    base_download: bool,
    annotations: Vec<JobView>,
    can_apply: CanApply,
}

/// Whether a certificate needs a 加注: the trust list's rule with the issuer's kind — as the verifier decides it
/// (`ecert-verify`: `annotation_rule.requires_annotation(issue_date, issuer.kind)`).
pub(crate) fn annotation_required(trust: &VerifiedTrustList, cert: &CertificateRow) -> ApiResult<bool> {
    let issue = cert.issue_date.parse::<Date>().map_err(|_| ApiError::internal("certificate", "issue date"))?;
    let kind = trust
        .list()
        .issuers
        .iter()
        .find(|i| i.id == cert.issuer_id)
        .map(|i| i.kind)
        .or_else(|| Registry::builtin().issuer(&cert.issuer_id).map(|i| i.kind))
        // An issuer nobody knows: fail closed — a 加注 is required.
        .unwrap_or(IssuerKind::Ministry);
    Ok(trust.list().annotation_rule.requires_annotation(issue, kind))
}

fn rule(trust: &VerifiedTrustList) -> &AnnotationRule {
    &trust.list().annotation_rule
}

fn certificate_view(
    ctx: &Ctx,
    trust: &VerifiedTrustList,
    cert: &CertificateRow,
    jobs: &[JobRow],
    has_base: bool,
) -> ApiResult<CertificateView> {
    let registry = Registry::builtin();
    let q = registry.qualification(&cert.qualification_code);
    let i = registry.issuer(&cert.issuer_id);
    let today = today(ctx)?;
    let required = annotation_required(trust, cert)?;
    let revoked = cert.revoked_at.is_some();
    let issue = cert.issue_date.parse::<Date>().map_err(|_| ApiError::internal("certificate", "issue date"))?;
    Ok(CertificateView {
        management_number: cert.management_number.clone(),
        query_number: cert.query_number.clone(),
        qualification: NameView {
            code: cert.qualification_code.clone(),
            zh: q.map(|q| q.name_zh.clone()).unwrap_or_default(),
            en: q.map(|q| q.name_en.clone()).unwrap_or_default(),
        },
        issuer: IssuerNameView {
            id: cert.issuer_id.clone(),
            zh: i.map(|i| i.name_zh.clone()).unwrap_or_default(),
            en: i.map(|i| i.name_en.clone()).unwrap_or_default(),
        },
        approval_date: cert.approval_date.clone(),
        issue_date: cert.issue_date.clone(),
        status: match (cert.revoked_at, &cert.revocation_reason) {
            (Some(at), reason) => StatusView { state: "revoked", revoked_at: Some(at), reason: reason.clone() },
            _ => StatusView { state: "valid", revoked_at: None, reason: None },
        },
        annotation_required: required,
        base_download: !required && !revoked && has_base,
        annotations: jobs
            .iter()
            .map(|j| {
                let mut v = rules::view(j, today, ctx.now);
                v.download &= !revoked;
                v
            })
            .collect(),
        can_apply: rules::can_apply(rule(trust), revoked, required, issue, jobs, today),
    })
}

/// `GET /v1/holder/certificates`: the certificates registered to this holder (one indexed read in the holder's
/// shard, then each certificate, its jobs and its file in its own shard).
pub async fn certificates(req: &mut Request, ctx: &Ctx) -> ApiResult<Response> {
    let store = ctx.store().await?;
    let s = signed_in(req, ctx, &store).await?;
    let (_, trust) = super::verify::trust_list(ctx).await?;
    let mut out = Vec::new();
    for m in holders::certificates_of(&store, &s.holder_key).await? {
        let Some(cert) = certificates::by_number(&store, &m).await? else { continue };
        let jobs = jobs::of_certificate(&store, &m).await?;
        let has_base = jobs::base_file(&store, &m).await?.is_some();
        out.push(certificate_view(ctx, &trust, &cert, &jobs, has_base)?);
    }
    Ok(no_store(http::json(200, &serde_json::json!({ "certificates": out }))?))
}

/// The certificate with this 管理号 if it is the holder's; else 404 (the same as one that does not exist).
async fn own_certificate(store: &Store, s: &Session, management_number: &str) -> ApiResult<CertificateRow> {
    if !ecert_format::record::valid_number(management_number)
        || !holders::owns(store, &s.holder_key, management_number).await?
    {
        return Err(not_found());
    }
    certificates::by_number(store, management_number).await?.ok_or_else(not_found)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ApplyRequest {
    scenario: String,
    valid_from: String,
    #[serde(deserialize_with = "http::integral")]
    days: i64,
}

/// `POST /v1/holder/certificates/{管理号}/annotations`: a 加注 job, if the rules allow it (checked and inserted in
/// one statement for the 3-in-90 count).
pub async fn apply(req: &mut Request, ctx: &Ctx, management_number: &str) -> ApiResult<Response> {
    let store = ctx.store().await?;
    let s = signed_in_for_change(req, ctx, &store).await?;
    let cert = own_certificate(&store, &s, management_number).await?;
    require_json(req)?;
    let body: ApplyRequest = http::read_json(req).await?;
    let scenario = Scenario::parse(&body.scenario).ok_or_else(|| {
        ApiError::new(400, "UNSUPPORTED_SCENARIO", "使用场景仅支持“本人调用”", "the only usage scenario is 本人调用")
    })?;
    let valid_from = body.valid_from.trim().parse::<Date>().map_err(|_| {
        ApiError::new(400, "INVALID_INPUT", "valid_from：日期格式应为YYYY-MM-DD", "valid_from: not a YYYY-MM-DD date")
            .with("field", "valid_from")
    })?;
    let (_, trust) = super::verify::trust_list(ctx).await?;
    let today = today(ctx)?;
    let required = annotation_required(&trust, &cert)?;
    let issue = cert.issue_date.parse::<Date>().map_err(|_| ApiError::internal("certificate", "issue date"))?;
    let jobs = jobs::of_certificate(&store, management_number).await?;
    let rule = rule(&trust);
    let valid_until =
        rules::check(rule, cert.revoked_at.is_some(), required, issue, &jobs, today, valid_from, body.days)?;
    let job_id = ecert_format::trust_list::hex(&crate::webcrypto::random_bytes(16)?);
    let window_start = today
        .add_days(-(i64::from(rule.trailing_window_days) - 1))
        .ok_or_else(|| ApiError::internal("date", "range"))?
        .to_string();
    let (applied_on, from, until) = (today.to_string(), valid_from.to_string(), valid_until.to_string());
    let job = NewJob {
        job_id: &job_id,
        management_number,
        scenario: scenario.zh(),
        applied_on: &applied_on,
        valid_from: &from,
        valid_until: &until,
        created_at: ctx.now,
    };
    if !jobs::insert_counted(&store, &cert, &job, &window_start, i64::from(rule.max_in_trailing_window)).await? {
        // A concurrent application took the last place: the rule's refusal, from the jobs as they are now.
        let jobs = jobs::of_certificate(&store, management_number).await?;
        rules::check(rule, false, true, issue, &jobs, today, valid_from, body.days)?;
        return Err(ApiError::new(409, "ANNOTATION_TOO_MANY", "加注次数已达上限", "too many annotations"));
    }
    let row = jobs::of_certificate(&store, management_number)
        .await?
        .into_iter()
        .find(|j| j.job_id == job_id)
        .ok_or_else(|| ApiError::internal("apply", "job not read back"))?;
    Ok(no_store(http::json(202, &serde_json::json!({ "job": rules::view(&row, today, ctx.now) }))?))
}

fn pdf_response(bytes: Vec<u8>, filename: &str) -> ApiResult<Response> {
    let mut r = no_store(http::bytes(200, "application/pdf", bytes)?);
    http::set_header(&mut r, "content-disposition", &format!("attachment; filename=\"{filename}\""));
    Ok(r)
}

async fn r2_get(ctx: &Ctx, key: &str) -> ApiResult<Option<Vec<u8>>> {
    let bucket = config::certs_bucket(&ctx.env)?;
    let Some(object) = bucket.get(key).execute().await.map_err(|e| ApiError::internal("r2 get", e))? else {
        return Ok(None);
    };
    let Some(body) = object.body() else { return Ok(None) };
    body.bytes().await.map(Some).map_err(|e| ApiError::internal("r2 body", e))
}

fn revoked_download() -> ApiError {
    ApiError::new(
        409,
        "CERTIFICATE_REVOKED",
        "证书已撤销，不能查看或下载",
        "the certificate has been revoked and cannot be viewed or downloaded",
    )
}

/// `GET /v1/holder/certificates/{管理号}/annotations/{job_id}/pdf`: only inside the window.
pub async fn annotation_pdf(
    req: &mut Request,
    ctx: &Ctx,
    management_number: &str,
    job_id: &str,
) -> ApiResult<Response> {
    let store = ctx.store().await?;
    let s = signed_in(req, ctx, &store).await?;
    let cert = own_certificate(&store, &s, management_number).await?;
    let job = jobs::of_certificate(&store, management_number)
        .await?
        .into_iter()
        .find(|j| j.job_id == job_id)
        .ok_or_else(not_found)?;
    match rules::state_of(&job, today(ctx)?) {
        "generating" => {
            return Err(ApiError::new(
                409,
                "ANNOTATION_GENERATING",
                "证书生成中…",
                "the certificate is being generated…",
            ));
        }
        "failed" => {
            return Err(ApiError::new(
                409,
                "ANNOTATION_FAILED",
                "加注未能完成，请重新申请加注",
                "the annotation could not be made; please apply again",
            ));
        }
        "not_yet_valid" => {
            return Err(ApiError::new(
                409,
                "ANNOTATION_NOT_YET_VALID",
                format!("加注件尚未生效（{}起）", job.valid_from),
                format!("the annotated copy is not valid yet (from {})", job.valid_from),
            ));
        }
        "expired" => {
            return Err(ApiError::new(
                410,
                "ANNOTATION_EXPIRED",
                "加注件已过期，请重新申请加注",
                "the annotated copy has expired; please apply again",
            ));
        }
        _ => {}
    }
    if cert.revoked_at.is_some() {
        return Err(revoked_download());
    }
    if job.pdf_deleted != 0 {
        return Err(not_found());
    }
    let sha = job.pdf_sha256.as_deref().ok_or_else(|| ApiError::internal("annotated pdf", "done without a file"))?;
    let bytes = r2_get(ctx, &jobs::pdf_key(&job.job_id, sha)).await?.ok_or_else(|| {
        ApiError::internal("annotated pdf", format!("job {} is done but its file is missing", job.job_id))
    })?;
    let number = job.annotation_number.as_deref().unwrap_or("annotated");
    pdf_response(bytes, &format!("{management_number}-{number}.pdf"))
}

/// `GET /v1/holder/certificates/{管理号}/pdf`: the base PDF, only for a certificate that needs no 加注.
pub async fn base_pdf(req: &mut Request, ctx: &Ctx, management_number: &str) -> ApiResult<Response> {
    let store = ctx.store().await?;
    let s = signed_in(req, ctx, &store).await?;
    let cert = own_certificate(&store, &s, management_number).await?;
    let (_, trust) = super::verify::trust_list(ctx).await?;
    if annotation_required(&trust, &cert)? {
        return Err(ApiError::new(
            403,
            "ANNOTATION_REQUIRED",
            "该证书须加注后方可查看和下载，请申请加注",
            "this certificate must be annotated before it can be viewed or downloaded; apply for an annotation",
        ));
    }
    if cert.revoked_at.is_some() {
        return Err(revoked_download());
    }
    let missing = || {
        ApiError::new(
            404,
            "PDF_NOT_AVAILABLE",
            "该证书的电子文件暂未提供",
            "this certificate's file is not available yet",
        )
    };
    jobs::base_file(&store, management_number).await?.ok_or_else(missing)?;
    let bytes = r2_get(ctx, &jobs::base_pdf_key(management_number)).await?.ok_or_else(missing)?;
    pdf_response(bytes, &format!("{management_number}.pdf"))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeleteRequest {
    password: String,
}

/// `POST /v1/holder/account/delete`: the password again; then the holder's annotated PDFs (R2), every session and
/// the account. The registry (certificates, holder index, copies) and the 加注 history (jobs, for the 3-in-90 rule)
/// stay.
pub async fn delete_account(req: &mut Request, ctx: &Ctx) -> ApiResult<Response> {
    let store = ctx.store().await?;
    let s = signed_in_for_change(req, ctx, &store).await?;
    require_json(req)?;
    let body: DeleteRequest = http::read_json(req).await?;
    limit_account(ctx, &s.holder_key).await?;
    let pepper = config::password_pepper(&ctx.env)?;
    let account = holders::account(&store, &s.holder_key).await?;
    if body.password.len() > account::MAX_PASSWORD_BYTES
        || !password_ok(&pepper, account.as_ref(), &body.password).await?
    {
        return Err(ApiError::new(403, "PASSWORD_INCORRECT", "密码不正确", "wrong password"));
    }
    let bucket = config::certs_bucket(&ctx.env)?;
    let mut deleted = 0usize;
    for m in holders::certificates_of(&store, &s.holder_key).await? {
        for key in jobs::forget_pdfs(&store, &m).await? {
            bucket.delete(key).await.map_err(|e| ApiError::internal("r2 delete", e))?;
            deleted += 1;
        }
    }
    holders::delete_account(&store, &s.holder_key).await?;
    crate::error::worker_info(&format!(
        "request {}: holder account deleted ({deleted} annotated PDFs)",
        ctx.request_id
    ));
    let mut r = no_store(http::empty(204)?);
    http::set_header(&mut r, "set-cookie", &session::clear_cookie());
    Ok(r)
}
