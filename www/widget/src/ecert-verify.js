// <ecert-verify> — the embeddable certificate check. One tag:
//   <script type="module" src="/ecert/ecert-verify.js"></script>
//   <ecert-verify lang="zh-CN" edge="https://edge.example" display="full"></ecert-verify>
// Fires `ecert-verdict` (bubbles, composed) with the verdict (docs/verdict.md) as `detail` — again when a newer
// status snapshot changes a verdict shown; `ecert-remove` when the user takes a result off (its 移除 button).
// `element.receipt(i)` gives the receipt of the i-th result (newest 0), `element.file(i)` its file.
// JS API: `import { verify, receipt } from '…/ecert-verify.js'; const verdict = await verify(bytes, { edge })`.
// The PDF is verified in a Web Worker on this device; it is never sent anywhere.

import cardCss from './card.css';
import widgetCss from './widget.css';
import { sharedClient } from './client.js';
import { UI, chinaTime, colon, normLang, paren, t } from './i18n.js';
import { readInput } from './identity.js';
import { downloadReceipt, showReceipt } from './receipt.js';
import { h, renderCard } from './render.js';

export { EcertClient, sharedClient, clientVerdict, prewarm, compileSpan, STATUS_REFRESH_MS } from './client.js';
export { renderCard, renderReceipt, h, annotationText, statusText, snapshotText, fieldRows } from './render.js';
export { downloadReceipt, printReceipt, receiptFileName, showReceipt } from './receipt.js';
export * as i18n from './i18n.js';

/**
 * Verify a certificate; resolves to the verdict, with the client's `file.name`, `file.sha256` and stable `id`.
 * Never rejects for a bad file.
 * @param {File|Blob|ArrayBuffer|Uint8Array|URL} input  a URL is fetched (your CSP's connect-src must allow it)
 * @param {{edge?: string, fileName?: string, now?: number|Date, revealIdNumber?: boolean}} [options]
 */
export function verify(input, options = {}) {
  return sharedClient(options.edge).verify(input, options);
}

/**
 * The receipt (`ecert.receipt/1`) of `verdict`, which `verify(bytes, options)` gave. Rejects with a coded error
 * (`RECEIPT_UNAVAILABLE`, `RECEIPT_VERDICT_CHANGED`) when there is none to make.
 * @param {ArrayBuffer|Uint8Array} bytes
 * @param {object} verdict
 * @param {{edge?: string, fileName?: string, revealIdNumber?: boolean}} [options]
 */
export function receipt(bytes, verdict, options = {}) {
  return sharedClient(options.edge).receipt(bytes, verdict, options);
}

let sheets = null;
function styleSheets() {
  if (sheets) return sheets;
  try {
    const a = new CSSStyleSheet();
    a.replaceSync(cardCss);
    const b = new CSSStyleSheet();
    b.replaceSync(widgetCss);
    sheets = [a, b];
  } catch {
    sheets = [];
  }
  return sheets;
}

export class EcertVerifyElement extends HTMLElement {
  static get observedAttributes() { return ['lang', 'edge', 'display', 'heading-level', 'hint']; }

  constructor() {
    super();
    this.root = this.attachShadow({ mode: 'open' });
    this.results = [];
    this.unsubscribe = null;
    this.statusKeySeen = null;
  }

  get lang() { return normLang(this.getAttribute('lang') || document.documentElement.lang || 'zh-CN'); }
  set lang(v) { this.setAttribute('lang', v); }
  get edge() { return this.getAttribute('edge') || null; }
  set edge(v) { if (v) this.setAttribute('edge', v); else this.removeAttribute('edge'); }
  get display() { return this.getAttribute('display') === 'compact' ? 'compact' : 'full'; }
  set display(v) { this.setAttribute('display', v); }
  get client() { return sharedClient(this.edge); }

  connectedCallback() {
    const s = styleSheets();
    if (s.length) this.root.adoptedStyleSheets = s;
    this.render();
    this.client.ready().catch(() => {}).finally(() => this.renderNotice());
    this.unsubscribe?.();
    this.unsubscribe = this.client.onChange(() => {
      this.renderNotice();
      this.statusMaybeChanged();
    });
  }

  /** A newer status snapshot held: verify the files shown again (a verdict may have changed, e.g. revoked). */
  async statusMaybeChanged() {
    const key = this.client.statusKey();
    if (this.statusKeySeen === null || key === this.statusKeySeen) { this.statusKeySeen = key; return; }
    this.statusKeySeen = key;
    for (const entry of [...this.results]) {
      if (!entry.bytes || entry.verdict.client_error) continue;
      const verdict = await this.client.verify(entry.bytes, entry.options);
      const changed = verdict.code !== entry.verdict.code || (verdict.status && verdict.status.state) !== (entry.verdict.status && entry.verdict.status.state);
      entry.verdict = verdict;
      const idx = this.results.indexOf(entry);
      const old = this.resultsEl && this.resultsEl.children[idx];
      if (old) old.replaceWith(this.cardFor(entry));
      if (changed) this.dispatchEvent(new CustomEvent('ecert-verdict', { detail: verdict, bubbles: true, composed: true }));
    }
  }

  disconnectedCallback() {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  attributeChangedCallback(name, oldV, newV) {
    if (oldV === newV || !this.isConnected) return;
    if (name === 'edge') this.connectedCallback();
    else this.render();
  }

  render() {
    const lang = this.lang;
    this.root.replaceChildren();
    const input = h('input', { type: 'file', accept: 'application/pdf,.pdf', multiple: true, tabindex: '-1', 'aria-hidden': 'true' });
    input.addEventListener('change', () => { this.takeFiles(input.files); input.value = ''; });
    const button = h('button', { type: 'button', class: 'pick', part: 'button' }, t(UI.pickOne, lang));
    button.addEventListener('click', () => input.click());
    const drop = h('div', { class: 'drop', part: 'dropzone' },
      button, h('span', { class: 'hint' }, this.getAttribute('hint') || t(UI.dropHint, lang)), input);
    drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
    drop.addEventListener('dragleave', () => drop.classList.remove('over'));
    drop.addEventListener('drop', (e) => {
      e.preventDefault();
      drop.classList.remove('over');
      this.takeFiles(e.dataTransfer && e.dataTransfer.files);
    });
    this.noticeEl = h('div', { class: 'notice-slot' });
    this.resultsEl = h('div', { class: 'results', role: 'status', 'aria-live': 'polite', part: 'results' });
    // Says what 移除 did (a removed card is otherwise gone in silence for a screen reader).
    this.announceEl = h('p', { class: 'sr', role: 'status', 'aria-live': 'polite', 'data-role': 'announce' });
    this.root.append(h('div', { class: 'wrap', lang: lang === 'en' ? 'en' : 'zh-CN' }, drop, this.noticeEl, this.resultsEl, this.announceEl));
    for (const r of this.results) this.resultsEl.append(this.cardFor(r));
    this.renderNotice();
  }

  renderNotice() {
    if (!this.noticeEl) return;
    const lang = this.lang;
    const n = this.client.trustNotice;
    this.noticeEl.replaceChildren();
    if (n) {
      const text = n.kind === 'refused' ? t(UI.trustRefused, lang) : n.kind === 'load' ? t(UI.verifierUnavailable, lang)
        : n.kind === 'broken' ? t(UI.trustBroken, lang) : t(UI.trustUnavailable, lang);
      this.noticeEl.append(h('p', { class: `notice${n.kind === 'unavailable' ? ' info' : ''}`, role: 'alert', 'data-trust-notice': n.kind, 'data-code': n.code }, `${text}${paren(n.code, lang)}`));
    }
    if (this.client.trustExpired()) {
      const day = chinaTime(this.client.trust.next_update).slice(0, 10);
      this.noticeEl.append(h('p', { class: 'notice warn', role: 'alert', 'data-trust-notice': 'expired', 'data-code': 'TRUST_LIST_EXPIRED' },
        `${t(UI.trustExpired, lang, day)}${paren('TRUST_LIST_EXPIRED', lang)}`));
    }
    // The status snapshot: which one (bundled or from the edge), and whether it is too old or missing.
    const c = this.client;
    if (c.trust) {
      const st = c.status;
      if (!st) {
        const why = c.bundledStatusError ? paren(`${t(UI.snapshotBundledRefused, lang)}${colon(lang)}${c.bundledStatusError.code}`, lang) : '';
        this.noticeEl.append(h('p', { class: 'notice warn', role: 'alert', 'data-status-notice': 'none', 'data-code': c.bundledStatusError?.code },
          `${t(UI.snapshotNone, lang)}${why}`));
      } else if (c.statusStale()) {
        this.noticeEl.append(h('p', { class: 'notice warn', role: 'alert', 'data-status-notice': 'stale', 'data-code': 'STATUS_STALE' },
          `${t(UI.snapshotStale, lang, chinaTime(st.issued_at))}${paren('STATUS_STALE', lang)}`));
      } else {
        this.noticeEl.append(h('p', { class: 'notice info', 'data-status-snapshot': st.origin, 'data-sequence': st.sequence },
          t(UI.snapshotPill, lang, st.sequence, chinaTime(st.issued_at), st.origin)));
      }
      const sn = c.statusNotice;
      if (sn) {
        this.noticeEl.append(h('p', { class: `notice${sn.kind === 'unavailable' ? ' info' : ''}`, role: 'alert', 'data-status-notice': sn.kind, 'data-code': sn.code },
          `${t(sn.kind === 'refused' ? UI.statusRefused : UI.statusUnavailable, lang)}${paren(sn.code, lang)}`));
      }
    }
    if (this.statusKeySeen === null && c.trust) this.statusKeySeen = c.statusKey();
  }

  cardFor(r) {
    const lang = this.lang;
    const index = () => this.results.indexOf(r);
    const actions = r.bytes && r.verdict && r.verdict.state !== 'pending' && !r.verdict.client_error ? [
      h('button', { type: 'button', class: 'ec-btn', part: 'receipt-button', 'data-action': 'receipt-view', onclick: () => this.showReceipt(index()).catch(() => {}) }, t(UI.receiptView, lang)),
      h('button', { type: 'button', class: 'ec-btn', part: 'receipt-button', 'data-action': 'receipt-json', onclick: () => this.downloadReceipt(index()).catch(() => {}) }, t(UI.receiptJson, lang)),
    ] : [];
    // Every finished result can be taken off the list on its own (移除 / Remove), named for screen readers.
    if (r.verdict && r.verdict.state !== 'pending') {
      actions.push(h('button', { type: 'button', class: 'ec-btn', part: 'remove-button', 'data-action': 'remove',
        'aria-label': t(UI.removeLabel, lang, r.fileName || t(UI.removeUnnamed, lang)), onclick: () => this.removeResult(index(), { focus: true }) },
      t(UI.remove, lang)));
    }
    // Card headings are <h2> by default (they never skip a level below a page's <h1>); `heading-level="3"` etc.
    const level = Number(this.getAttribute('heading-level')) || 2;
    return renderCard(r.verdict, { fileName: r.fileName, lang, display: this.display, headingLevel: level, actions });
  }

  /**
   * The receipt (`ecert.receipt/1` object) of the `index`-th result shown (0: the newest). Rejects with a coded
   * error when that result has no core verdict (`RECEIPT_UNAVAILABLE`) or changed since (`RECEIPT_VERDICT_CHANGED`).
   */
  async receipt(index = 0) {
    const r = this.results[index];
    if (!r || !r.bytes) throw Object.assign(new Error('RECEIPT_UNAVAILABLE: no such result'), { code: 'RECEIPT_UNAVAILABLE' });
    return this.client.receipt(r.bytes, r.verdict, { fileName: r.fileName, revealIdNumber: !!(r.options && r.options.revealIdNumber) });
  }

  /** Save the `index`-th result's receipt as JSON. */
  async downloadReceipt(index = 0) {
    const rc = await this.receipt(index);
    downloadReceipt(rc);
    return rc;
  }

  /** Show the `index`-th result's receipt in its printable view (a dialog with print / download / close). */
  async showReceipt(index = 0) {
    const rc = await this.receipt(index);
    showReceipt(rc, { host: this.root, lang: this.lang });
    return rc;
  }

  async takeFiles(files) {
    for (const f of Array.from(files || [])) await this.verify(f);
  }

  /**
   * Verify a certificate, show the result and fire `ecert-verdict` (its detail: the verdict, with `file.name`,
   * `file.size`, `file.sha256` and the stable `id`). Resolves to the verdict.
   * @param {File|Blob|ArrayBuffer|Uint8Array|URL} input
   * @param {{fileName?: string, now?: number|Date, revealIdNumber?: boolean}} [options]
   */
  async verify(input, options = {}) {
    let bytes = null;
    options = { ...options };
    // The cap applies before a File is even read.
    if (typeof Blob !== 'undefined' && input instanceof Blob && input.size > this.client.maxBytes) {
      options.oversize = input.size;
      options.fileName = options.fileName || input.name || '';
    } else if (input !== null && input !== undefined) {
      try {
        const got = await readInput(input, { fileName: options.fileName });
        bytes = got.bytes;
        options.fileName = got.name;
      } catch (err) {
        if (err instanceof TypeError && !/fetch/i.test(err.message)) throw err;
        bytes = null;
        options.fetchError = err;
      }
    }
    // The bytes are kept (in this page only) to verify again under a newer snapshot and to make a receipt.
    const entry = {
      fileName: options.fileName || '', verdict: { state: 'pending' },
      bytes: bytes ? toBytesCopy(bytes) : null, options: { fileName: options.fileName, now: options.now, revealIdNumber: options.revealIdNumber },
    };
    this.results.unshift(entry);
    let card = this.cardFor(entry);
    this.resultsEl?.prepend(card);
    let verdict;
    if (options.oversize) {
      verdict = await this.client.tooLarge(options.oversize, options.fileName);
    } else if (options.fetchError) {
      verdict = await this.client.clientMade('FETCH_FAILED', '无法读取该文件（下载失败）。',
        `The file could not be read (download failed): ${options.fetchError.message}`, null, options.fileName);
    } else {
      verdict = await this.client.verify(bytes, options);
    }
    entry.verdict = verdict;
    const fresh = this.cardFor(entry);
    if (card.isConnected) card.replaceWith(fresh);
    card = fresh;
    this.dispatchEvent(new CustomEvent('ecert-verdict', { detail: verdict, bubbles: true, composed: true }));
    return verdict;
  }

  /**
   * The file behind the `index`-th result shown (0: the newest) as a `File`, or null — what a form sends to its
   * server, which verifies it again (`@ecert/verify-widget/server`): the verdict here is a preview.
   */
  file(index = 0) {
    const r = this.results[index];
    if (!r || !r.bytes) return null;
    return new File([r.bytes], r.fileName || 'certificate.pdf', { type: 'application/pdf' });
  }

  /** The verdict of the `index`-th result shown (0: the newest), or null. */
  verdict(index = 0) {
    const r = this.results[index];
    return r ? r.verdict : null;
  }

  /**
   * Take the `index`-th result (0: the newest) off the list and forget its file; fires `ecert-remove` (bubbles,
   * composed; detail: its verdict). With `{focus: true}` (the card's own 移除 button) the keyboard focus moves to
   * the next result's 移除, else to the file button, and the removal is announced. Returns whether one was removed.
   */
  removeResult(index = 0, { focus = false } = {}) {
    const r = this.results[index];
    if (!r) return false;
    this.results.splice(index, 1);
    const card = this.resultsEl && this.resultsEl.children[index];
    card?.remove();
    r.bytes = null;
    if (this.announceEl) this.announceEl.textContent = t(UI.removed, this.lang, r.fileName || t(UI.removeUnnamed, this.lang));
    if (focus) {
      const next = this.resultsEl && (this.resultsEl.children[index] || this.resultsEl.children[index - 1]);
      const target = (next && next.querySelector('[data-action=remove]')) || this.root.querySelector('.pick');
      target?.focus();
    }
    this.dispatchEvent(new CustomEvent('ecert-remove', { detail: r.verdict, bubbles: true, composed: true }));
    return true;
  }

  /** Forget shown results. */
  clear() {
    this.results = [];
    this.resultsEl?.replaceChildren();
  }
}

function toBytesCopy(b) {
  if (b instanceof ArrayBuffer) return new Uint8Array(b.slice(0));
  return new Uint8Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

if (!customElements.get('ecert-verify')) customElements.define('ecert-verify', EcertVerifyElement);
