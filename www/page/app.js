// The drag-and-drop verification page. Everything runs here and in the verifier's Web Worker; the PDF never
// leaves the machine. Status service ("edge"): `?edge=URL`, or `config.json` {"edge": "…"} of the build; revocation
// is checked against the bundled signed status snapshot, then the edge's newer ones (`?edge=` alone: bundled only,
// and the page says so).

import {
  EcertClient, prewarm, renderCard, h, annotationText, statusText, i18n, downloadReceipt, showReceipt,
} from './widget/ecert-verify.js';

const { UI, t, normLang, headline, chinaTime, AUTHENTIC_STATES, paren, colon } = i18n;
const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

let lang = normLang(params.get('lang') || safeGet('ecert.lang') || 'zh-CN');
const items = []; // {id, name, size, bytes, verdict, el}
let client = null;
let counter = 0;

function safeGet(k) { try { return localStorage.getItem(k); } catch { return null; } }
function safeSet(k, v) { try { localStorage.setItem(k, v); } catch { /* private mode */ } }

async function edgeFromConfig() {
  if (params.has('edge')) return params.get('edge') || null;
  try {
    const r = await fetch('./config.json', { cache: 'no-store' });
    if (r.ok) { const c = await r.json(); return c && c.edge ? c.edge : null; }
  } catch { /* no config: no edge */ }
  return null;
}

// ---- static text and language ------------------------------------------------------------------------------

function applyStaticText() {
  document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
  document.title = `${t(UI.title, lang)} · ecert`;
  for (const el of document.querySelectorAll('[data-i18n]')) {
    const key = el.getAttribute('data-i18n');
    if (key === 'skip') el.textContent = lang === 'en' ? 'Skip to content' : '跳到主要内容';
    else if (UI[key]) el.textContent = t(UI[key], lang);
  }
  $('results').setAttribute('aria-label', t(UI.results, lang));
  $('table-wrap').setAttribute('aria-label', t(UI.tableRegion, lang));
  const b = $('lang');
  b.textContent = t(UI.lang, lang);
  b.setAttribute('lang', lang === 'en' ? 'zh-CN' : 'en');
  b.setAttribute('aria-label', t(UI.langLabel, lang));
}

function renderTrust() {
  const el = $('trust');
  el.replaceChildren();
  el.className = 'trust';
  if (!client) return;
  const n = client.trustNotice;
  const parts = [];
  if (client.trust) {
    parts.push(h('span', { class: 'pill' },
      `${t(client.trust.source === 'edge' ? UI.trustEdge : UI.trustBundled, lang)}${paren(`${t(UI.sequence, lang)} ${client.trust.sequence}`, lang)}`));
  }
  parts.push(h('span', { class: client.edge ? 'pill' : 'pill pill-warn', 'data-edge': client.edge ? 'on' : 'off' },
    client.edge ? `${t(UI.edgeOn, lang)}${colon(lang)}${client.edge}` : t(UI.edgeOff, lang)));
  // The status snapshot revocation is checked against: bundled or from the edge, and when it was signed.
  if (client.trust) {
    const st = client.status;
    if (!st) {
      const why = client.bundledStatusError ? paren(`${t(UI.snapshotBundledRefused, lang)}${colon(lang)}${client.bundledStatusError.code}`, lang) : '';
      parts.push(h('span', { class: 'pill pill-warn', role: 'alert', 'data-status-notice': 'none', 'data-code': client.bundledStatusError?.code },
        `${t(UI.snapshotNone, lang)}${why}`));
    } else if (client.statusStale()) {
      parts.push(h('span', { class: 'pill pill-warn', role: 'alert', 'data-status-notice': 'stale', 'data-code': 'STATUS_STALE' },
        `${t(UI.snapshotStale, lang, chinaTime(st.issued_at))}${paren('STATUS_STALE', lang)}`));
    } else {
      parts.push(h('span', { class: 'pill', 'data-status-snapshot': st.origin, 'data-sequence': st.sequence },
        t(UI.snapshotPill, lang, st.sequence, chinaTime(st.issued_at), st.origin)));
    }
    const sn = client.statusNotice;
    if (sn) {
      parts.push(h('span', { class: `pill ${sn.kind === 'unavailable' ? 'pill-info' : 'pill-bad'}`, role: 'alert', 'data-status-notice': sn.kind, 'data-code': sn.code },
        `${t(sn.kind === 'refused' ? UI.statusRefused : UI.statusUnavailable, lang)}${paren(sn.code, lang)}`));
    }
  }
  if (n) {
    const text = n.kind === 'refused' ? t(UI.trustRefused, lang) : n.kind === 'broken' ? t(UI.trustBroken, lang) : t(UI.trustUnavailable, lang);
    parts.push(h('span', { class: `pill ${n.kind === 'unavailable' ? 'pill-info' : 'pill-bad'}`, role: 'alert', 'data-trust-notice': n.kind, 'data-code': n.code }, `${text}${paren(n.code, lang)}`));
  }
  // The list in use is past its next_update (bundled, and no newer one from an edge): every verdict is
  // TRUST_LIST_EXPIRED until it is updated.
  if (client.trustExpired()) {
    parts.push(h('span', { class: 'pill pill-warn', role: 'alert', 'data-trust-notice': 'expired', 'data-code': 'TRUST_LIST_EXPIRED' },
      `${t(UI.trustExpired, lang, chinaTime(client.trust.next_update).slice(0, 10))}${paren('TRUST_LIST_EXPIRED', lang)}`));
  }
  el.append(...parts);
}

$('lang').addEventListener('click', () => {
  lang = lang === 'en' ? 'zh-CN' : 'en';
  safeSet('ecert.lang', lang);
  applyStaticText();
  renderTrust();
  for (const it of items) renderItem(it);
  renderTable();
});

// ---- files in ----------------------------------------------------------------------------------------------

const fileInput = $('file');
$('pick').addEventListener('click', () => fileInput.click());
fileInput.addEventListener('change', () => { addFiles(fileInput.files); fileInput.value = ''; });

const zone = $('dropzone');
zone.addEventListener('click', (e) => { if (e.target === zone || e.target.closest('.drop-inner') && e.target.tagName !== 'BUTTON') fileInput.click(); });
// Dropping anywhere on the page counts; the browser must never navigate to the PDF.
for (const type of ['dragenter', 'dragover']) {
  window.addEventListener(type, (e) => { e.preventDefault(); zone.classList.add('over'); });
}
window.addEventListener('dragleave', (e) => { if (!e.relatedTarget) zone.classList.remove('over'); });
window.addEventListener('drop', (e) => {
  e.preventDefault();
  zone.classList.remove('over');
  if (e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files.length) addFiles(e.dataTransfer.files);
});

let chain = Promise.resolve();
function addFiles(fileList) {
  const files = Array.from(fileList || []);
  for (const f of files) {
    const it = { id: `f${++counter}`, name: f.name, size: f.size, bytes: null, verdict: { state: 'pending' }, el: null };
    items.push(it);
    renderItem(it);
    chain = chain.then(() => verifyItem(it, f)).catch(() => {});
  }
  renderTable();
}

async function verifyItem(it, file) {
  const { clientVerdict } = await import('./widget/ecert-verify.js');
  let verdict;
  try {
    if (file.size > client.maxBytes) {
      // Capped before reading or parsing.
      const mb = (client.maxBytes / 1024 / 1024).toFixed(0);
      verdict = clientVerdict('FILE_TOO_LARGE', `文件过大（超过 ${mb} MB），未进行验证。`, `The file is larger than ${mb} MB and was not checked.`, file.size);
    } else {
      it.bytes = new Uint8Array(await file.arrayBuffer());
      verdict = await client.verify(it.bytes, { fileName: it.name });
    }
  } catch (err) {
    verdict = clientVerdict('VERIFIER_CRASHED', '验证程序出错，文件无法验证。', 'The verifier failed; the file could not be verified.', file.size);
  }
  it.verdict = verdict;
  renderItem(it);
  renderTable();
  renderTrust();
  renderClearAll();
  if (it.bytes && verdict.state !== 'broken') preview(it).catch(() => {});
}

/** The one "clear all" (全部清除), above the results as soon as there is one; each card has its own 移除. */
function renderClearAll() {
  const b = $('clear-all');
  b.hidden = items.length === 0;
}

// ---- cards -------------------------------------------------------------------------------------------------

/** The receipt of an item's verdict (the file verified again at the verdict's clock; see EcertClient.receipt). */
function receiptOf(it) {
  return client.receipt(it.bytes, it.verdict, { fileName: it.name });
}

function receiptError(it, err) {
  const p = h('p', { class: 'pill pill-bad', role: 'alert', 'data-receipt-error': err.code || 'RECEIPT_UNAVAILABLE' },
    `${t(UI.receiptFailed, lang)}${paren(err.code || 'RECEIPT_UNAVAILABLE', lang)}`);
  it.el?.querySelector('.ec-actions')?.append(p);
}

function renderItem(it) {
  const v = it.verdict;
  const actions = it.bytes && v.state !== 'pending' && !v.client_error ? [
    h('button', { type: 'button', class: 'ec-btn', 'data-action': 'receipt-view',
      onclick: () => receiptOf(it).then((r) => showReceipt(r, { lang }), (e) => receiptError(it, e)) }, t(UI.receiptView, lang)),
    h('button', { type: 'button', class: 'ec-btn', 'data-action': 'receipt-json',
      onclick: () => receiptOf(it).then(downloadReceipt, (e) => receiptError(it, e)) }, t(UI.receiptJson, lang)),
  ] : [];
  if (v.state !== 'pending') {
    actions.push(h('button', { type: 'button', class: 'ec-btn', 'data-action': 'remove', 'aria-label': t(UI.removeLabel, lang, it.name),
      onclick: () => removeItem(it) }, t(UI.remove, lang)));
  }
  const card = renderCard(it.verdict, { fileName: it.name, lang, display: 'full', headingLevel: 3, actions });
  // Anything but a plain VALID is marked on its preview: dimmed, with the verdict's words over it.
  const info = headline(it.verdict);
  const marked = it.verdict.state !== 'pending' && info.tone !== 'ok';
  const failed = marked && !AUTHENTIC_STATES.has(it.verdict.state);
  const stamp = failed ? `${t(info, lang)} · ${t(UI.previewFailed, lang)}` : t(info, lang);
  const open = h('button', { type: 'button', class: 'preview-open', 'data-action': 'zoom', 'aria-label': `${t(UI.zoom, lang)}${colon(lang)}${it.name}`,
    onclick: () => openZoom(it) }, h('span', { class: 'preview-canvas' }));
  const pv = h('figure', { class: `preview${marked ? ' preview-marked' : ''}${failed ? ' preview-failed' : ''}`, 'data-tone': info.tone },
    open,
    marked ? h('div', { class: 'preview-stamp', 'aria-hidden': 'true' }, stamp) : null,
    h('figcaption', {}, `${t(UI.previewSigned, lang)} · ${t(UI.previewNote, lang)}`));
  const el = h('div', { class: 'item', id: it.id, 'data-file': it.name, 'data-state': it.verdict.state, 'data-code': it.verdict.code || '' },
    card, pv);
  if (it.el && it.el.isConnected) {
    const old = it.el.querySelector('.preview-canvas canvas');
    if (old) {
      old.setAttribute('aria-label', `${t(UI.preview, lang)}${colon(lang)}${it.name}`);
      el.querySelector('.preview-canvas').append(old);
      el.classList.add('has-preview');
    }
    it.el.replaceWith(el);
  } else {
    $('results').prepend(el);
  }
  it.el = el;
}

function removeItem(it) {
  const i = items.indexOf(it);
  if (i >= 0) items.splice(i, 1);
  it.el?.remove();
  it.bytes = null;
  renderTable();
  renderClearAll();
  $('main').focus();
}

/**
 * The sealed revision of the file: the bytes up to the end of the seal's /ByteRange (what the signature covers),
 * so the preview shows what was sealed, not what was appended after it. The whole file when there is none.
 */
function signedRevision(bytes) {
  const text = new TextDecoder('latin1').decode(bytes);
  const m = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(text);
  if (!m) return bytes;
  const end = Number(m[3]) + Number(m[4]);
  return end > 0 && end <= bytes.length ? bytes.subarray(0, end) : bytes;
}

let pdfjs = null;
async function renderPage1(bytes, cssWidth) {
  if (!pdfjs) {
    pdfjs = await import('./pdfjs/pdf.min.mjs');
    pdfjs.GlobalWorkerOptions.workerSrc = new URL('./pdfjs/pdf.worker.min.mjs', import.meta.url).href;
  }
  const task = pdfjs.getDocument({ data: signedRevision(bytes).slice(), isEvalSupported: false, useSystemFonts: false, stopAtErrors: false });
  const doc = await task.promise;
  try {
    const page = await doc.getPage(1);
    const base = page.getViewport({ scale: 1 });
    const ratio = Math.min(window.devicePixelRatio || 1, 2);
    const vp = page.getViewport({ scale: (cssWidth / base.width) * ratio });
    const canvas = document.createElement('canvas');
    canvas.width = Math.floor(vp.width);
    canvas.height = Math.floor(vp.height);
    canvas.setAttribute('role', 'img');
    await page.render({ canvas, canvasContext: canvas.getContext('2d'), viewport: vp }).promise;
    return canvas;
  } finally {
    // pdf.js 6: the loading task owns the document (PDFDocumentProxy has no destroy()).
    task.destroy();
  }
}

async function preview(it) {
  const canvas = await renderPage1(it.bytes, 300);
  canvas.setAttribute('aria-label', `${t(UI.preview, lang)}${colon(lang)}${it.name}`);
  const slot = it.el && it.el.querySelector('.preview-canvas');
  if (slot) { slot.replaceChildren(canvas); it.el.classList.add('has-preview'); }
}

/** Full size: page 1 of the sealed revision rendered large in a dialog; zoom with the buttons, Ctrl + wheel or pinch. */
async function openZoom(it) {
  if (!it.bytes) return;
  let zoom = 1;
  const info = headline(it.verdict);
  const marked = it.verdict.state !== 'pending' && info.tone !== 'ok';
  const area = h('div', { class: 'zoom-area', tabindex: '0', role: 'region', 'aria-label': `${t(UI.preview, lang)}${colon(lang)}${it.name}` });
  const sheet = h('div', { class: `zoom-sheet${marked ? ' preview-marked' : ''}${marked && !AUTHENTIC_STATES.has(it.verdict.state) ? ' preview-failed' : ''}` });
  area.append(sheet);
  const apply = () => { sheet.style.width = `${Math.round(zoom * 100)}%`; dlg.dataset.zoom = zoom.toFixed(2); };
  // Zoom to z keeping the point under (x, y) — the cursor, the fingers' midpoint — where it is; the centre by default.
  const set = (z, x, y) => {
    const r = area.getBoundingClientRect();
    const px = x === undefined ? r.width / 2 : x - r.left;
    const py = y === undefined ? r.height / 2 : y - r.top;
    const before = zoom;
    zoom = Math.min(Math.max(z, 0.5), 6);
    apply();
    const k = zoom / before;
    area.scrollLeft = (area.scrollLeft + px) * k - px;
    area.scrollTop = (area.scrollTop + py) * k - py;
  };
  const close = () => { dlg.close(); dlg.remove(); };
  const dlg = h('dialog', { class: 'zoom-dialog', 'aria-label': `${t(UI.zoom, lang)}${colon(lang)}${it.name}` },
    h('div', { class: 'zoom-bar' },
      h('span', { class: 'zoom-title' }, it.name),
      h('span', { class: 'zoom-hint' }, t(UI.zoomHint, lang)),
      h('button', { type: 'button', class: 'ec-btn', 'data-action': 'zoom-out', onclick: () => set(zoom / 1.25) }, t(UI.zoomOut, lang)),
      h('button', { type: 'button', class: 'ec-btn', 'data-action': 'zoom-fit', onclick: () => set(1) }, t(UI.zoomFit, lang)),
      h('button', { type: 'button', class: 'ec-btn', 'data-action': 'zoom-in', onclick: () => set(zoom * 1.25) }, t(UI.zoomIn, lang)),
      h('button', { type: 'button', class: 'ec-btn ec-btn-primary', 'data-action': 'zoom-close', onclick: close }, t(UI.receiptClose, lang))),
    area);
  area.addEventListener('wheel', (e) => {
    if (!e.ctrlKey) return; // Ctrl + wheel, and a trackpad's pinch (which the browser reports as Ctrl + wheel)
    e.preventDefault();
    set(zoom * Math.exp(-e.deltaY / 300), e.clientX, e.clientY);
  }, { passive: false });
  // Two fingers on a touch screen: the sheet itself is zoomed (re-laid out from the large rendering, so it stays
  // sharp, and the bar stays where it is); one finger pans. The area's touch-action (pan-x pan-y) leaves the pinch
  // to this handler instead of zooming the whole page.
  let pinch = null;
  const spread = (t) => Math.hypot(t[0].clientX - t[1].clientX, t[0].clientY - t[1].clientY);
  area.addEventListener('touchstart', (e) => {
    if (e.touches.length === 2) pinch = { d: spread(e.touches) || 1, z: zoom };
  }, { passive: true });
  area.addEventListener('touchmove', (e) => {
    if (!pinch || e.touches.length !== 2) return;
    e.preventDefault();
    const [a, b] = e.touches;
    set(pinch.z * (spread(e.touches) / pinch.d), (a.clientX + b.clientX) / 2, (a.clientY + b.clientY) / 2);
  }, { passive: false });
  const endPinch = (e) => { if (e.touches.length < 2) pinch = null; };
  area.addEventListener('touchend', endPinch);
  area.addEventListener('touchcancel', endPinch);
  dlg.addEventListener('close', () => dlg.remove());
  document.body.append(dlg);
  dlg.showModal();
  apply();
  const canvas = await renderPage1(it.bytes, Math.min(Math.max(area.clientWidth, 600), 1400) * 2);
  canvas.setAttribute('aria-label', `${t(UI.preview, lang)}${colon(lang)}${it.name}`);
  sheet.append(canvas);
  if (marked) sheet.append(h('div', { class: 'preview-stamp', 'aria-hidden': 'true' }, t(info, lang)));
  dlg.dataset.ready = '1';
}

// ---- table and CSV -----------------------------------------------------------------------------------------

const COLS = [
  ['file', UI.file], ['result', UI.result], ['code', UI.code],
  ['holder_name', { zh: '姓名', en: 'Name' }], ['qualification', { zh: '职业资格', en: 'Qualification' }],
  ['management_number', { zh: '管理号', en: 'Management no.' }], ['annotation', { zh: '加注', en: 'Annotation' }],
  ['summary', UI.summary],
];

function rowValues(it) {
  const v = it.verdict;
  const c = AUTHENTIC_STATES.has(v.state) ? v.certificate : null;
  const q = c && c.qualification;
  return {
    file: it.name,
    result: t(headline(v), lang),
    code: v.code || '',
    holder_name: c ? c.holder_name : '',
    qualification: q ? (lang === 'en' ? q.name_en : q.name_zh) : '',
    management_number: c ? c.management_number : '',
    annotation: c && v.annotation ? annotationText(v.annotation, lang) : '',
    summary: v.summary ? (lang === 'en' ? v.summary.en : v.summary.zh) : '',
  };
}

function renderTable() {
  const sec = $('summary');
  sec.hidden = items.length < 2;
  const thead = $('table').tHead;
  thead.replaceChildren(h('tr', {}, COLS.map(([, label]) => h('th', { scope: 'col' }, t(label, lang)))));
  const tbody = $('table').tBodies[0];
  tbody.replaceChildren();
  const counts = new Map(); // headline words → how many
  for (const it of items) {
    const vals = rowValues(it);
    const info = headline(it.verdict);
    if (it.verdict.state !== 'pending') counts.set(vals.result, (counts.get(vals.result) || 0) + 1);
    tbody.append(h('tr', { 'data-state': it.verdict.state, 'data-code': it.verdict.code || '' },
      COLS.map(([k]) => {
        if (k === 'file') return h('td', {}, h('a', { href: `#${it.id}` }, vals.file));
        // The icon and the words stay together (no-break space); the words wrap only where a phrase does.
        if (k === 'result') return h('td', {}, h('span', { class: `tag tag-${info.tone}` }, `${info.icon}\u00a0${vals.result}`));
        if (k === 'code') return h('td', {}, h('code', {}, vals.code));
        return h('td', {}, vals[k]);
      })));
  }
  const done = items.filter((i) => i.verdict.state !== 'pending').length;
  $('counts').textContent = `${done} / ${items.length} ${t(UI.files, lang)}` +
    [...counts].map(([words, n]) => ` · ${words} ${n}`).join('');
}

function csvCell(v) {
  let s = v == null ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`; // no formulas in spreadsheets
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The registry's answer for a CSV row, in words that cannot be read as the verdict: `not_revoked` (the registry
 * knows it and has not revoked it; whether the certificate is valid is `code`/`state`), `revoked`,
 * `not_registered`, `stale` (the snapshot held is older than the trust list allows), `not_covered` (sealed after the
 * snapshot), `unavailable` (asked, no answer), `not_checked` (no snapshot); and `not_applicable` when
 * the verdict carries no authentic record to ask about (a failure, or a record the seal may not vouch for).
 */
function registryStatus(v) {
  if (!AUTHENTIC_STATES.has(v.state) || !v.certificate) return 'not_applicable';
  switch (v.status && v.status.state) {
    case 'valid': return 'not_revoked';
    case 'revoked': return 'revoked';
    case 'not_registered': return 'not_registered';
    case 'stale': return 'stale';
    case 'not_covered': return 'not_covered';
    case 'unknown': return 'unavailable';
    default: return 'not_checked';
  }
}

/** ISO 8601 in China time (the format's dates are UTC+8): `2026-12-07T04:15:00+08:00`. */
function isoChina(unix) {
  if (typeof unix !== 'number' || !Number.isFinite(unix)) return '';
  return `${new Date((unix + 8 * 3600) * 1000).toISOString().slice(0, 19)}+08:00`;
}

// The CSV's columns: a key (stable, for programs: `window.ecert.csvColumns`) and the header in each language.
const CSV_COLUMNS = [
  ['file', '文件', 'File'], ['size', '大小（字节）', 'Size (bytes)'], ['sha256', 'SHA-256', 'SHA-256'],
  ['verdict', '结论', 'Verdict'], ['code', '代码', 'Code'], ['state', '类别', 'Category'], ['summary', '说明', 'Reason'],
  ['holder_name', '姓名', 'Holder'], ['id_number_masked', '证件号码（已遮盖）', 'ID number (masked)'],
  ['qualification_code', '资格代码', 'Qualification code'], ['qualification', '职业资格', 'Qualification'],
  ['management_number', '管理号', 'Management no.'], ['query_number', '查询编号', 'Query no.'], ['issuer', '发证机构', 'Issuer'],
  ['issue_date', '发证日期', 'Issue date'], ['annotation_state', '加注', 'Annotation'],
  ['annotation_valid_from', '加注生效日', 'Annotation valid from'], ['annotation_valid_until', '加注截止日', 'Annotation valid until'],
  ['registry_status', '撤销核验', 'Revocation check'], ['revoked_at', '撤销时间', 'Revoked at'],
  ['sealed_at', '盖章时间（可信时间戳）', 'Sealed at (time-stamp)'], ['checked_at', '核验时间', 'Checked at'],
  ['verdict_id', '核验编号', 'Verdict id'],
];
const ANNOTATION_WORDS = {
  valid: ['有效', 'valid'], expired: ['已过期', 'expired'], not_yet_valid: ['尚未生效', 'not yet valid'],
  missing: ['缺少', 'missing'], not_required: ['无需加注', 'not required'], invalid: ['无效', 'not valid'],
};
// The revocation check in words that cannot be read as the verdict ("not revoked" is not "valid").
const REGISTRY_WORDS = {
  not_revoked: ['未撤销', 'not revoked'], revoked: ['已撤销', 'revoked'], not_registered: ['未登记', 'not registered'],
  stale: ['状态快照过期', 'status snapshot too old'], not_covered: ['快照未覆盖', 'not covered by the snapshot'],
  unavailable: ['无法核验', 'unavailable'], not_checked: ['未核验', 'not checked'], not_applicable: ['不适用', 'not applicable'],
};

/** One row per file, headers and words in `l` (default: the page's language); codes stay codes; ISO dates. */
function csvRows(l = lang) {
  const en = normLang(l) === 'en';
  const pick = (pair) => (pair ? pair[en ? 1 : 0] : '');
  const rows = [CSV_COLUMNS.map((c) => (en ? c[2] : c[1]))];
  for (const it of items) {
    const v = it.verdict;
    if (v.state === 'pending') continue;
    const c = AUTHENTIC_STATES.has(v.state) ? v.certificate : null;
    const a = c ? v.annotation : null;
    const q = c && c.qualification;
    const val = {
      file: it.name, size: v.file && v.file.size != null ? v.file.size : it.size, sha256: v.file ? v.file.sha256 : '',
      verdict: t(headline(v), l), code: v.code, state: t(i18n.stateInfo(v.state), l), summary: v.summary ? (en ? v.summary.en : v.summary.zh) : '',
      holder_name: c && c.holder_name, id_number_masked: c && c.id_number, qualification_code: q && q.code,
      qualification: q && (en ? q.name_en || q.name_zh : q.name_zh), management_number: c && c.management_number,
      query_number: c && c.query_number, issuer: c && c.issuer && (en ? c.issuer.name_en || c.issuer.name_zh : c.issuer.name_zh),
      issue_date: c && c.issue_date, annotation_state: a && pick(ANNOTATION_WORDS[a.state]), annotation_valid_from: a && a.valid_from,
      annotation_valid_until: a && a.valid_until, registry_status: pick(REGISTRY_WORDS[registryStatus(v)]),
      revoked_at: c && v.status && v.status.revoked_at ? isoChina(v.status.revoked_at) : '',
      sealed_at: c && v.seal && typeof v.seal.sealed_at === 'number' ? isoChina(v.seal.sealed_at) : '',
      checked_at: isoChina(v.checked_at), verdict_id: v.id || '',
    };
    rows.push(CSV_COLUMNS.map(([k]) => val[k]));
  }
  return rows;
}

function csvText(l = lang) {
  return `${csvRows(l).map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

function exportCsv() {
  // With a BOM, so Excel reads it as UTF-8.
  const blob = new Blob(['\ufeff', csvText()], { type: 'text/csv;charset=utf-8' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  const d = new Date();
  a.download = `ecert-verdicts-${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}.csv`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}
$('csv').addEventListener('click', exportCsv);
function clearAll() {
  for (const it of items) it.bytes = null;
  items.length = 0;
  $('results').replaceChildren();
  renderTable();
  renderClearAll();
}
$('clear-all').addEventListener('click', clearAll);

// ---- start -------------------------------------------------------------------------------------------------

// Start the verifier right away (wasm, worker, bundled trust list, idle preparation), before the edge config is
// known and long before a file is dropped.
prewarm();
applyStaticText();
const edge = await edgeFromConfig();
client = new EcertClient({ edge });
// A newer status snapshot held: every file shown is verified again (a certificate may have been revoked).
let statusKeySeen = null;
let reverifying = Promise.resolve();
client.onChange(() => {
  renderTrust();
  const key = client.statusKey();
  if (statusKeySeen === null || key === statusKeySeen) { if (client.trust) statusKeySeen = key; return; }
  statusKeySeen = key;
  reverifying = reverifying.then(async () => {
    for (const it of items) {
      if (!it.bytes || it.verdict.state === 'pending' || it.verdict.client_error) continue;
      it.verdict = await client.verify(it.bytes, { fileName: it.name });
      renderItem(it);
    }
    renderTable();
  }).catch(() => {});
});
renderTrust();
client.ready().catch(() => {}).finally(renderTrust);

// For tests and power users: `window.ecert.verify(bytes)` resolves to the verdict (also rendered as a card).
window.ecert = {
  client,
  items,
  async verifyBytes(name, bytes) {
    const file = new File([bytes], name, { type: 'application/pdf' });
    addFiles([file]);
    await chain;
    return items[items.length - 1].verdict;
  },
  exportCsv,
  csvText,
  /** The CSV's columns: [key, header zh, header en]. */
  csvColumns: CSV_COLUMNS,
  /** The receipt object of the i-th file (in the order added). */
  receipt: (i) => receiptOf(items[i]),
  /** Resolves once files shown have been verified again after a newer snapshot. */
  settled: () => reverifying,
};
document.documentElement.dataset.ready = '1';
