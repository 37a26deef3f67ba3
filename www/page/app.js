// The drag-and-drop verification page. Everything runs here and in the verifier's Web Worker; the PDF never
// leaves the machine. Status service ("edge"): `?edge=URL`, or `config.json` {"edge": "…"} of the build; revocation
// is checked against the bundled signed status snapshot, then the edge's newer ones (`?edge=` alone: bundled only,
// and the page says so).

import {
  EcertClient, prewarm, renderCard, h, annotationText, statusText, i18n, downloadReceipt, showReceipt,
} from './widget/ecert-verify.js';

const { UI, t, normLang, headline, chinaTime, AUTHENTIC_STATES } = i18n;
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
      `${t(client.trust.source === 'edge' ? UI.trustEdge : UI.trustBundled, lang)}（${t(UI.sequence, lang)} ${client.trust.sequence}）`));
  }
  parts.push(h('span', { class: client.edge ? 'pill' : 'pill pill-warn', 'data-edge': client.edge ? 'on' : 'off' },
    client.edge ? `${t(UI.edgeOn, lang)}：${client.edge}` : t(UI.edgeOff, lang)));
  // The status snapshot revocation is checked against: bundled or from the edge, and when it was signed.
  if (client.trust) {
    const st = client.status;
    if (!st) {
      const why = client.bundledStatusError ? `（${t(UI.snapshotBundledRefused, lang)}：${client.bundledStatusError.code}）` : '';
      parts.push(h('span', { class: 'pill pill-warn', role: 'alert', 'data-status-notice': 'none', 'data-code': client.bundledStatusError?.code },
        `${t(UI.snapshotNone, lang)}${why}`));
    } else if (client.statusStale()) {
      parts.push(h('span', { class: 'pill pill-warn', role: 'alert', 'data-status-notice': 'stale', 'data-code': 'STATUS_STALE' },
        `${t(UI.snapshotStale, lang, chinaTime(st.issued_at))}（STATUS_STALE）`));
    } else {
      parts.push(h('span', { class: 'pill', 'data-status-snapshot': st.origin, 'data-sequence': st.sequence },
        t(UI.snapshotPill, lang, st.sequence, chinaTime(st.issued_at), st.origin)));
    }
    const sn = client.statusNotice;
    if (sn) {
      parts.push(h('span', { class: `pill ${sn.kind === 'unavailable' ? 'pill-info' : 'pill-bad'}`, role: 'alert', 'data-status-notice': sn.kind, 'data-code': sn.code },
        `${t(sn.kind === 'refused' ? UI.statusRefused : UI.statusUnavailable, lang)}（${sn.code}）`));
    }
  }
  if (n) {
    const text = n.kind === 'refused' ? t(UI.trustRefused, lang) : n.kind === 'broken' ? t(UI.trustBroken, lang) : t(UI.trustUnavailable, lang);
    parts.push(h('span', { class: `pill ${n.kind === 'unavailable' ? 'pill-info' : 'pill-bad'}`, role: 'alert', 'data-trust-notice': n.kind, 'data-code': n.code }, `${text}（${n.code}）`));
  }
  // The list in use is past its next_update (bundled, and no newer one from an edge): every verdict is
  // TRUST_LIST_EXPIRED until it is updated.
  if (client.trustExpired()) {
    parts.push(h('span', { class: 'pill pill-warn', role: 'alert', 'data-trust-notice': 'expired', 'data-code': 'TRUST_LIST_EXPIRED' },
      `${t(UI.trustExpired, lang, chinaTime(client.trust.next_update).slice(0, 10))}（TRUST_LIST_EXPIRED）`));
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
  if (it.bytes && verdict.state !== 'broken') preview(it).catch(() => {});
}

// ---- cards -------------------------------------------------------------------------------------------------

/** The receipt of an item's verdict (the file verified again at the verdict's clock; see EcertClient.receipt). */
function receiptOf(it) {
  return client.receipt(it.bytes, it.verdict, { fileName: it.name });
}

function receiptError(it, err) {
  const p = h('p', { class: 'pill pill-bad', role: 'alert', 'data-receipt-error': err.code || 'RECEIPT_UNAVAILABLE' },
    `${t(UI.receiptFailed, lang)}（${err.code || 'RECEIPT_UNAVAILABLE'}）`);
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
  const card = renderCard(it.verdict, { fileName: it.name, lang, display: 'full', headingLevel: 3, actions });
  const failed = it.verdict.state !== 'pending' && !AUTHENTIC_STATES.has(it.verdict.state);
  const pv = h('figure', { class: `preview${failed ? ' preview-failed' : ''}`, 'aria-label': t(UI.preview, lang) },
    h('div', { class: 'preview-canvas' }),
    failed ? h('div', { class: 'preview-stamp' }, t(UI.previewFailed, lang)) : null,
    h('figcaption', {}, t(UI.previewNote, lang)));
  const el = h('div', { class: 'item', id: it.id, 'data-file': it.name, 'data-state': it.verdict.state, 'data-code': it.verdict.code || '' },
    card, pv);
  if (it.el && it.el.isConnected) {
    const old = it.el.querySelector('.preview-canvas canvas');
    if (old) { el.querySelector('.preview-canvas').append(old); el.classList.add('has-preview'); }
    it.el.replaceWith(el);
  } else {
    $('results').prepend(el);
  }
  it.el = el;
}

let pdfjs = null;
async function preview(it) {
  if (!pdfjs) {
    pdfjs = await import('./pdfjs/pdf.min.mjs');
    pdfjs.GlobalWorkerOptions.workerSrc = new URL('./pdfjs/pdf.worker.min.mjs', import.meta.url).href;
  }
  const doc = await pdfjs.getDocument({ data: it.bytes.slice(), isEvalSupported: false, useSystemFonts: false, stopAtErrors: false }).promise;
  try {
    const page = await doc.getPage(1);
    const base = page.getViewport({ scale: 1 });
    const cssWidth = 300;
    const ratio = Math.min(window.devicePixelRatio || 1, 2);
    const vp = page.getViewport({ scale: (cssWidth / base.width) * ratio });
    const canvas = document.createElement('canvas');
    canvas.width = Math.floor(vp.width);
    canvas.height = Math.floor(vp.height);
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', `${t(UI.preview, lang)}：${it.name}`);
    await page.render({ canvas, canvasContext: canvas.getContext('2d'), viewport: vp }).promise;
    const slot = it.el && it.el.querySelector('.preview-canvas');
    if (slot) { slot.replaceChildren(canvas); it.el.classList.add('has-preview'); }
  } finally {
    doc.destroy();
  }
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
        if (k === 'result') return h('td', {}, h('span', { class: `tag tag-${info.tone}` }, `${info.icon} ${vals.result}`));
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

function csvText() {
  // `state` and `code` are the verdict (only VALID / valid is a pass); `verdict_zh`/`verdict_en` its headline.
  const head = ['file', 'size', 'sha256', 'state', 'code', 'verdict_zh', 'verdict_en', 'summary_zh', 'summary_en',
    'holder_name', 'id_number_masked', 'qualification_code', 'qualification_zh', 'management_number', 'query_number',
    'issuer', 'issue_date', 'annotation_state', 'annotation_valid_from', 'annotation_valid_until', 'registry_status',
    'revoked_at', 'sealed_at', 'checked_at'];
  const lines = [head.join(',')];
  for (const it of items) {
    const v = it.verdict;
    if (v.state === 'pending') continue;
    const c = AUTHENTIC_STATES.has(v.state) ? v.certificate : null;
    const a = c ? v.annotation : null;
    lines.push([
      it.name, v.file ? v.file.size : it.size, v.file ? v.file.sha256 : '', v.state, v.code,
      t(headline(v), 'zh-CN'), t(headline(v), 'en'), v.summary && v.summary.zh, v.summary && v.summary.en,
      c && c.holder_name, c && c.id_number, c && c.qualification.code, c && c.qualification.name_zh,
      c && c.management_number, c && c.query_number, c && c.issuer && c.issuer.name_zh, c && c.issue_date,
      a && a.state, a && a.valid_from, a && a.valid_until,
      registryStatus(v), c && v.status && v.status.revoked_at ? chinaTime(v.status.revoked_at) : '',
      c && v.seal && typeof v.seal.sealed_at === 'number' ? chinaTime(v.seal.sealed_at) : '',
      chinaTime(v.checked_at),
    ].map(csvCell).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

function exportCsv() {
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
$('clear').addEventListener('click', () => {
  items.length = 0;
  $('results').replaceChildren();
  renderTable();
});

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
  /** The receipt object of the i-th file (in the order added). */
  receipt: (i) => receiptOf(items[i]),
  /** Resolves once files shown have been verified again after a newer snapshot. */
  settled: () => reverifying,
};
document.documentElement.dataset.ready = '1';
