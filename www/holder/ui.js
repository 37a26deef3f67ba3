// Shared by the holder's pages (www/holder/) and the 证书查验 page (www/lookup/): language (zh-CN first, `?lang=en`,
// remembered like the verify page's), the header, calls to the edge's API on the same origin (the session cookie
// is HttpOnly; every POST carries X-CSRF-Token from GET /v1/holder/session), dates in China time.

export const params = new URLSearchParams(location.search);
const LANG_KEY = 'ecert.lang';

function safeGet(k) { try { return localStorage.getItem(k); } catch { return null; } }
function safeSet(k, v) { try { localStorage.setItem(k, v); } catch { /* private mode */ } }
const norm = (l) => (String(l || '').toLowerCase().startsWith('en') ? 'en' : 'zh-CN');

let lang = norm(params.get('lang') || safeGet(LANG_KEY) || 'zh-CN');
// `?lang=` is remembered, like the verify page's.
if (params.get('lang')) safeSet(LANG_KEY, lang);
const listeners = [];

export const getLang = () => lang;
export const isEn = () => lang === 'en';
/** `{zh, en}` (strings or functions) → the current language's text. */
export function t(entry, ...args) {
  if (entry === undefined || entry === null) return '';
  if (typeof entry === 'string') return entry;
  const v = isEn() ? entry.en : entry.zh;
  return typeof v === 'function' ? v(...args) : v;
}
export const paren = (s) => (isEn() ? ` (${s})` : `（${s}）`);
export const colon = () => (isEn() ? ': ' : '：');

export const COMMON = {
  brand: { zh: '电子证书', en: 'e-certificates' },
  navVerify: { zh: '验证证书', en: 'Verify a file' },
  navHolder: { zh: '我的证书', en: 'My certificates' },
  navLookup: { zh: '证书查验', en: 'Certificate lookup' },
  nav: { zh: '网站导航', en: 'Site' },
  lang: { zh: 'English', en: '中文' },
  langLabel: { zh: 'Switch to English', en: '切换到中文' },
  skip: { zh: '跳到主要内容', en: 'Skip to content' },
  name: { zh: '姓名', en: 'Name' },
  idNumber: { zh: '证件号码', en: 'ID number' },
  footer: {
    zh: '专业技术人员职业资格电子证书。证件号码只用于匹配您的证书，系统不保存其明文。',
    en: 'Professional qualification e-certificates. Your ID number is used only to match your certificates; it is not stored in plain text.',
  },
  network: { zh: '无法连接服务器，请检查网络后重试。', en: 'The server could not be reached; check the connection and try again.' },
  busy: { zh: '请稍候…', en: 'Please wait…' },
};

/** Fill every `[data-i18n]` from `dict` (falling back to COMMON), the title, `<html lang>`, the switch. */
export function applyText(dict, titleKey) {
  document.documentElement.lang = lang;
  const all = { ...COMMON, ...dict };
  for (const el of document.querySelectorAll('[data-i18n]')) {
    const e = all[el.getAttribute('data-i18n')];
    if (e) el.textContent = t(e);
  }
  for (const el of document.querySelectorAll('[data-i18n-label]')) {
    const e = all[el.getAttribute('data-i18n-label')];
    if (e) el.setAttribute('aria-label', t(e));
  }
  if (titleKey) document.title = `${t(all[titleKey])} · ecert`;
  const b = document.getElementById('lang');
  if (b) {
    b.textContent = t(COMMON.lang);
    b.setAttribute('lang', isEn() ? 'zh-CN' : 'en');
    b.setAttribute('aria-label', t(COMMON.langLabel));
  }
}

/** The language switch: `render()` is called after every change (and once now). */
export function initLang(render) {
  listeners.push(render);
  const b = document.getElementById('lang');
  if (b && !b.dataset.wired) {
    b.dataset.wired = '1';
    b.addEventListener('click', () => {
      lang = isEn() ? 'zh-CN' : 'en';
      safeSet(LANG_KEY, lang);
      for (const f of listeners) f();
    });
  }
  render();
}

// ---- the edge's API ---------------------------------------------------------------------------------------

let csrf = null;

/** The edge's error body, either shape: `{code, message: {zh, en}}` or `{error: {code, message_zh, message_en}}`. */
export function errorOf(json, status) {
  const e = json && (json.error && typeof json.error === 'object' ? json.error : json) || {};
  const zh = e.message_zh || (e.message && e.message.zh) || (typeof e.message === 'string' ? e.message : '');
  const en = e.message_en || (e.message && e.message.en) || zh;
  return { ...e, code: e.code || `HTTP_${status}`, message_zh: zh, message_en: en };
}
/** An error's text in the page's language (the edge's own words). */
export const errorText = (e) => (isEn() ? e.message_en || e.message_zh || e.code : e.message_zh || e.message_en || e.code);

/** `{ok, status, json, error}`; never throws for HTTP errors (a network failure: status 0, code NETWORK). */
export async function api(method, path, body) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD') {
    if (!csrf && path.startsWith('/v1/holder/') && !/\/(login|register)$/.test(path)) await session();
    if (csrf) headers['x-csrf-token'] = csrf;
  }
  let r;
  try {
    r = await fetch(path, { method, headers, credentials: 'same-origin', cache: 'no-store', body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    return { ok: false, status: 0, json: null, error: { code: 'NETWORK', message_zh: COMMON.network.zh, message_en: COMMON.network.en } };
  }
  let json = null;
  const text = await r.text();
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  return { ok: r.ok, status: r.status, json, error: r.ok ? null : errorOf(json, r.status) };
}

/** GET /v1/holder/session: the session view (and its CSRF token, kept for POSTs), or null when not signed in. */
export async function session() {
  const r = await fetch('/v1/holder/session', { credentials: 'same-origin', cache: 'no-store', headers: { accept: 'application/json' } }).catch(() => null);
  if (!r || !r.ok) { csrf = null; return null; }
  const s = await r.json().catch(() => null);
  csrf = s && s.csrf_token ? s.csrf_token : null;
  return s;
}
export function setSession(s) { if (s && s.csrf_token) csrf = s.csrf_token; }

// ---- dates ------------------------------------------------------------------------------------------------

/** Today in China time, YYYY-MM-DD (the day the edge judges 加注 windows by). */
export function chinaToday(ms = Date.now()) { return new Date(ms + 8 * 3600e3).toISOString().slice(0, 10); }
/** Unix seconds → 'YYYY-MM-DD HH:MM' China time. */
export function chinaTime(unix) {
  if (unix === undefined || unix === null) return '';
  return new Date(unix * 1000 + 8 * 3600e3).toISOString().slice(0, 16).replace('T', ' ');
}

// ---- DOM --------------------------------------------------------------------------------------------------

export function h(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  e.append(...kids.flat(Infinity).filter((k) => k !== null && k !== undefined && k !== false));
  return e;
}

/** Show an error (or clear it with null) in a `role=alert` element. */
export function showError(el, e) {
  el.replaceChildren();
  el.hidden = !e;
  if (!e) return;
  const text = errorText(e);
  el.append(h('span', { 'data-code': e.code }, text));
  if (e.next_allowed) {
    el.dataset.nextAllowed = e.next_allowed;
    // The rule's message names the date already; said again only when it does not.
    if (!text.includes(e.next_allowed)) el.append(h('span', { class: 'next' }, `${isEn() ? ' Next possible application: ' : ' 下次可申请日期：'}${e.next_allowed}`));
  } else delete el.dataset.nextAllowed;
}
