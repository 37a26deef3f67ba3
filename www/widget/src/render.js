// Renders a verdict (docs/verdict.md) as a card. Pure DOM building with textContent only: nothing from a file
// is ever parsed as HTML. Used by the page (light DOM) and the widget (shadow DOM).

import {
  AUTHENTIC_STATES, CHECK_NAMES, FIELDS, OUTCOMES, UI, VERDICT_CODES, chinaTime, formatSize, headline, paren as par, t, vt,
} from './i18n.js';

let seq = 0;

/** `h('div', {class: 'x'}, child, 'text')` */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** The annotation line: window and days left / ago / until. */
export function annotationText(a, lang) {
  if (!a) return '';
  if (a.state === 'not_required') return t(UI.annNotRequired, lang);
  if (a.state === 'missing') return t(UI.annMissing, lang);
  const win = a.valid_from && a.valid_until ? `${a.valid_from} – ${a.valid_until}` : '';
  let rel = '';
  if (a.state === 'valid' && typeof a.days_left === 'number') {
    rel = a.days_left === 0 ? t(UI.lastDay, lang) : t(UI.daysLeft, lang, a.days_left);
  } else if (a.state === 'expired' && typeof a.days_ago === 'number') {
    rel = t(UI.daysAgo, lang, a.days_ago);
  } else if (a.state === 'not_yet_valid' && typeof a.days_until === 'number') {
    rel = t(UI.daysUntil, lang, a.days_until);
  } else if (a.state === 'invalid') {
    rel = t(UI.annInvalid, lang);
  }
  return [win, rel].filter(Boolean).join(lang === 'en' ? ' · ' : '，');
}

/** Which snapshot a status answer rests on: "per the bundled status snapshot no. 3 (signed …)". */
export function snapshotText(snap, lang) {
  if (!snap || typeof snap.sequence !== 'number') return '';
  return t(UI.snapshotFrom, lang, snap.sequence, chinaTime(snap.issued_at), snap.origin);
}

/** The status line. Reads as a pass only when a signed snapshot (or the registry) said not revoked. */
export function statusText(s, lang) {
  const st = s || { state: 'not_checked' };
  const from = snapshotText(st.snapshot, lang);
  const paren = (x) => (x ? (lang === 'en' ? ` (${x})` : `（${x}）`) : '');
  switch (st.state) {
    case 'valid':
      return t(UI.statusValid, lang) + paren(from || (st.as_of ? `${t(UI.asOf, lang)} ${chinaTime(st.as_of)}` : ''));
    case 'revoked': {
      // The registry's answer carries the time of revocation; a signed status snapshot only says "revoked" (it
      // holds one bit per copy): said so, rather than showing no time as if there were none.
      const when = st.revoked_at ? ` ${chinaTime(st.revoked_at)}` : '';
      const why = st.reason ? (lang === 'en' ? ` — ${t(UI.reason, lang)}: ${st.reason}` : `，${t(UI.reason, lang)}：${st.reason}`) : '';
      const noTime = st.revoked_at ? '' : t(UI.revokedAtUnknown, lang);
      return `${t(UI.statusRevoked, lang)}${when}${why}${paren([from, noTime].filter(Boolean).join(lang === 'en' ? '; ' : '；'))}`;
    }
    case 'not_registered': return t(UI.statusNotRegistered, lang) + paren(from);
    case 'stale': return t(UI.statusStale, lang) + paren(from);
    case 'not_covered': return t(UI.statusNotCovered, lang) + paren(from);
    case 'unknown': return t(UI.statusUnknown, lang) + paren(from);
    default: return t(UI.statusNotChecked, lang);
  }
}

function sexText(sex, lang) {
  if (sex === 'male') return t(UI.male, lang);
  if (sex === 'female') return t(UI.female, lang);
  return sex || '';
}

/** Field rows `[key, label, value]` from an authentic verdict. */
export function fieldRows(v, lang) {
  const c = v.certificate;
  if (!c) return [];
  const q = c.qualification || {};
  const rows = [
    ['holder_name', c.holder_name],
    ['id_number', c.id_number],
    ['sex', sexText(c.sex, lang)],
    ['birth', c.birth],
    ['qualification', lang === 'en'
      ? `${q.name_en || q.name_zh} (${q.code}${q.style ? `, ${t(UI.style, lang)} ${q.style}` : ''})`
      : `${q.name_zh}（${q.code}${q.style ? `，${t(UI.style, lang)}${q.style}` : ''}）`],
    ['approval_date', c.approval_date],
    ['issue_date', c.issue_date],
    ['management_number', c.management_number],
    ['query_number', c.query_number],
    ['issuer', c.issuer ? (lang === 'en' ? c.issuer.name_en || c.issuer.name_zh : c.issuer.name_zh) : ''],
  ];
  if (v.seal) {
    rows.push(['seal', v.seal.seal_name_zh || v.seal.subject_cn]);
    // When the seal was made, as its trusted RFC 3161 time-stamp proves (not the signer's own claim).
    if (typeof v.seal.sealed_at === 'number') {
      rows.push(['sealed_at', [chinaTime(v.seal.sealed_at), v.seal.tsa_name_zh].filter(Boolean).join(' · ')]);
    }
  }
  if (v.annotation) rows.push(['annotation', annotationText(v.annotation, lang)]);
  rows.push(['status', statusText(v.status, lang)]);
  return rows.map(([k, val]) => [k, t(FIELDS[k], lang), val ?? '']);
}

/**
 * A verdict card.
 * @param {object} v verdict (or `{state:'pending'}`)
 * @param {object} o {fileName, lang, display: 'full'|'compact', headingLevel}
 */
export function renderCard(v, o = {}) {
  const lang = o.lang || 'zh-CN';
  const display = o.display === 'compact' ? 'compact' : 'full';
  const hl = Math.min(Math.max(o.headingLevel || 3, 2), 5);
  const info = headline(v);
  const id = `ec-card-${++seq}`;
  const authentic = AUTHENTIC_STATES.has(v.state) && !!v.certificate;
  const card = h('article', {
    class: `ec-card ec-tone-${info.tone} ec-${display}`,
    'data-state': v.state,
    'data-code': v.code || '',
    'aria-labelledby': `${id}-state`,
    'aria-busy': v.state === 'pending' ? 'true' : null,
  });

  const stateWord = t(info, lang);
  const head = h('header', { class: 'ec-head' },
    h('span', { class: 'ec-badge', 'aria-hidden': 'true' }, info.icon),
    h('div', { class: 'ec-head-text' },
      h(`h${hl}`, { class: 'ec-state', id: `${id}-state` }, stateWord),
      o.fileName ? h('p', { class: 'ec-file' }, o.fileName, v.file && v.file.size != null ? ` · ${formatSize(v.file.size)}` : '') : null),
    v.code ? h('code', { class: 'ec-code', title: 'code' }, v.code) : null);
  card.append(head);
  if (v.state === 'pending') return card;

  // The reason first, in one sentence.
  card.append(h('p', { class: 'ec-summary', 'data-role': 'summary' }, vt(v.summary, lang)));
  // A device clock behind the snapshot's signed time: said on the card itself (the verdict was made at the latter).
  const clock = Array.isArray(v.checks) ? v.checks.find((c) => c.id === 'clock' && c.code === 'CLOCK_BEHIND') : null;
  if (clock) {
    card.append(h('p', { class: 'ec-clock', role: 'note', 'data-role': 'clock', 'data-code': 'CLOCK_BEHIND' },
      h('strong', {}, `${t(UI.clockBehind, lang)}${lang === 'en' ? ': ' : '：'}`), vt(clock, lang)));
  }
  const actions = Array.isArray(o.actions) && o.actions.length ? h('div', { class: 'ec-actions' }, o.actions) : null;

  if (display === 'compact') {
    if (authentic) {
      const c = v.certificate;
      const q = c.qualification || {};
      card.append(h('p', { class: 'ec-compact-line' },
        h('strong', {}, c.holder_name), ' · ', lang === 'en' ? q.name_en || q.name_zh : q.name_zh,
        ' · ', c.management_number,
        v.annotation ? ` · ${annotationText(v.annotation, lang)}` : ''));
    }
    if (actions) card.append(actions);
    return card;
  }

  if (authentic) {
    const dl = h('dl', { class: 'ec-fields' });
    for (const [key, label, value] of fieldRows(v, lang)) {
      const masked = key === 'id_number' && v.certificate.id_number_masked
        ? h('span', { class: 'ec-masked' }, t(UI.masked, lang)) : null;
      dl.append(h('div', { class: `ec-field ec-field-${key}`, 'data-field': key },
        h('dt', {}, label), h('dd', {}, value, masked)));
    }
    // A labelled group, not a <section>: a labelled section is a landmark, and every card has this one.
    card.append(h('div', { class: 'ec-section', role: 'group', 'aria-label': t(UI.fields, lang) },
      h(`h${hl + 1}`, { class: 'ec-section-title' }, t(UI.fields, lang)), dl));
  }

  if (Array.isArray(v.modifications) && v.modifications.length) {
    const ul = h('ul', { class: 'ec-mods' });
    for (const m of v.modifications) {
      ul.append(h('li', {}, m.revision != null ? `#${m.revision} ` : '', vt(m, lang)));
    }
    card.append(h('section', { class: 'ec-section' },
      h(`h${hl + 1}`, { class: 'ec-section-title' }, t(UI.modifications, lang)), ul));
  }

  if (Array.isArray(v.checks) && v.checks.length) {
    const ol = h('ol', { class: 'ec-checks' });
    for (const c of v.checks) {
      const oc = OUTCOMES[c.outcome] || OUTCOMES.fail;
      ol.append(h('li', { class: `ec-check ec-check-${c.outcome}`, 'data-check': c.id, 'data-outcome': c.outcome },
        h('span', { class: 'ec-check-icon', 'aria-hidden': 'true' }, oc.icon),
        h('span', { class: 'ec-check-name' }, t(CHECK_NAMES[c.id] || { zh: c.id, en: c.id }, lang)),
        h('span', { class: 'ec-sr' }, par(t(oc, lang), lang)),
        h('span', { class: 'ec-check-text' }, vt(c, lang)),
        c.code && c.code !== 'OK' ? h('code', { class: 'ec-check-code' }, c.code) : null));
    }
    const det = h('details', { class: 'ec-section ec-checks-box', open: v.state !== 'valid' ? true : null },
      h('summary', { class: 'ec-section-title' }, `${t(UI.checks, lang)}${par(v.checks.length, lang)}`), ol);
    card.append(det);
  }
  if (actions) card.append(actions);
  return card;
}

function dlRows(rows) {
  const dl = h('dl', { class: 'ec-receipt-fields' });
  for (const [key, label, value, mono] of rows) {
    if (value === undefined || value === null || value === '') continue;
    dl.append(h('div', { class: 'ec-field', 'data-field': key }, h('dt', {}, label), h('dd', { class: mono ? 'ec-mono' : null }, value)));
  }
  return dl;
}

/**
 * The printable view of a receipt (`ecert.receipt/1`): Chinese first, then English — both, so a printed copy
 * serves either reader. Pure DOM (textContent only).
 */
export function renderReceipt(r, o = {}) {
  const hl = Math.min(Math.max(o.headingLevel || 2, 1), 5);
  const both = (entry, ...args) => `${t(entry, 'zh-CN', ...args)} / ${t(entry, 'en', ...args)}`;
  const words = VERDICT_CODES[r.verdict.code] || { zh: r.verdict.code, en: r.verdict.code };
  const st = r.status || {};
  const snap = st.snapshot;
  const c = r.certificate;
  const stateWords = UI.statusStates[st.state] || { zh: st.state, en: st.state };
  const notChecked = r.verdict.code === 'VALID' && (!st.state || st.state === 'not_checked');
  const verdictLine = notChecked ? '真实，状态未核验 / Authentic — status not checked' : `${words.zh} / ${words.en}`;
  const art = h('article', { class: 'ec-receipt', 'data-code': r.verdict.code, lang: 'zh-CN' },
    h(`h${hl}`, { class: 'ec-receipt-title' }, both(UI.receiptTitle)),
    h('p', { class: 'ec-receipt-verdict' }, h('strong', {}, verdictLine), ' ', h('code', {}, r.verdict.code)),
    h('p', { class: 'ec-receipt-summary' }, r.verdict.summary.zh),
    h('p', { class: 'ec-receipt-summary', lang: 'en' }, r.verdict.summary.en));
  art.append(h(`h${hl + 1}`, {}, both(UI.receiptFile)), dlRows([
    ['file_name', both(UI.receiptFileName), r.file.name],
    ['file_size', both(UI.receiptSize), `${r.file.size} ${t(UI.bytes, 'zh-CN')} / bytes`],
    ['file_sha256', both(UI.receiptSha), r.file.sha256, true],
    ['checked_at', both(UI.receiptCheckedAt), `${chinaTime(r.verdict.checked_at)}（UTC+8）`],
    ['clock', both(UI.receiptClock), r.verdict.clock !== r.verdict.checked_at ? `${chinaTime(r.verdict.clock)}（UTC+8）` : ''],
  ]));
  if (c) {
    art.append(h(`h${hl + 1}`, {}, both(UI.receiptCert)), dlRows([
      ['management_number', both(FIELDS.management_number), c.management_number, true],
      ['query_number', both(FIELDS.query_number), c.query_number, true],
      ['holder_name', both(FIELDS.holder_name), c.holder_name],
      ['id_number', both(FIELDS.id_number), c.id_number, true],
      ['qualification', both(FIELDS.qualification), `${c.qualification_name_zh}（${c.qualification_code}）`],
      ['issue_date', both(FIELDS.issue_date), c.issue_date],
      ['sealed_at', both(FIELDS.sealed_at), `${chinaTime(c.sealed_at)}（UTC+8）`],
      ['annotation_number', both(UI.receiptAnnotationNo), c.annotation_number],
      ['status_id', both(UI.receiptStatusId), c.status_id, true],
    ]));
  }
  art.append(h(`h${hl + 1}`, {}, both(UI.receiptSnapshot)), dlRows([
    ['status', both(FIELDS.status), `${stateWords.zh} / ${stateWords.en}`],
    ['trust_list', both(UI.receiptTrust), `${t(UI.sequence, 'zh-CN')} ${r.trust_list.sequence} / sequence ${r.trust_list.sequence}`],
    ['snapshot', both(UI.receiptSnapshot), snap ? `第 ${snap.sequence} 号，${chinaTime(snap.issued_at)} 签发 / no. ${snap.sequence}, signed ${chinaTime(snap.issued_at)} (UTC+8)` : both(UI.receiptSnapshotNone)],
    ['snapshot_signer', both(UI.receiptSigner), snap ? snap.signer : ''],
    ['snapshot_signature', both(UI.receiptSignature), snap ? snap.signature : '', true],
    ['made_by', both(UI.receiptMadeBy), r.made_by],
  ]));
  const list = (items) => h('ul', {}, items.map((x) => h('li', {}, x)));
  art.append(
    h('section', { class: 'ec-receipt-proves' }, h(`h${hl + 1}`, {}, both(UI.receiptProves)),
      list(t(UI.receiptProvesList, 'zh-CN')), h('div', { lang: 'en' }, list(t(UI.receiptProvesList, 'en')))),
    h('section', { class: 'ec-receipt-limits' }, h(`h${hl + 1}`, {}, both(UI.receiptNotProves)),
      list(t(UI.receiptNotProvesList, 'zh-CN')), h('div', { lang: 'en' }, list(t(UI.receiptNotProvesList, 'en')))));
  return art;
}
