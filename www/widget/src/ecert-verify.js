// <ecert-verify> — the embeddable certificate check. One tag:
//   <script type="module" src="/ecert/ecert-verify.js"></script>
//   <ecert-verify lang="zh-CN" edge="https://edge.example" display="full"></ecert-verify>
// Fires `ecert-verdict` (bubbles, composed) with the verdict (docs/verdict.md) as `detail`.
// JS API: `import { verify } from '…/ecert-verify.js'; const verdict = await verify(bytes, { edge })`.
// The PDF is verified in a Web Worker on this device; it is never sent anywhere.

import cardCss from './card.css';
import widgetCss from './widget.css';
import { clientVerdict, sharedClient } from './client.js';
import { UI, chinaTime, normLang, t } from './i18n.js';
import { h, renderCard } from './render.js';

export { EcertClient, sharedClient, clientVerdict, prewarm, compileSpan } from './client.js';
export { renderCard, h, annotationText, statusText, fieldRows } from './render.js';
export * as i18n from './i18n.js';

/**
 * Verify PDF bytes; resolves to the verdict. Never rejects for a bad file.
 * @param {ArrayBuffer|Uint8Array} bytes
 * @param {{edge?: string, now?: number|Date, revealIdNumber?: boolean}} [options]
 */
export function verify(bytes, options = {}) {
  return sharedClient(options.edge).verify(bytes, options);
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
  static get observedAttributes() { return ['lang', 'edge', 'display']; }

  constructor() {
    super();
    this.root = this.attachShadow({ mode: 'open' });
    this.results = [];
    this.unsubscribe = null;
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
    this.unsubscribe = this.client.onChange(() => this.renderNotice());
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
      button, h('span', { class: 'hint' }, t(UI.dropHint, lang)), input);
    drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
    drop.addEventListener('dragleave', () => drop.classList.remove('over'));
    drop.addEventListener('drop', (e) => {
      e.preventDefault();
      drop.classList.remove('over');
      this.takeFiles(e.dataTransfer && e.dataTransfer.files);
    });
    this.noticeEl = h('div', { class: 'notice-slot' });
    this.resultsEl = h('div', { class: 'results', role: 'status', 'aria-live': 'polite', part: 'results' });
    this.root.append(h('div', { class: 'wrap', lang: lang === 'en' ? 'en' : 'zh-CN' }, drop, this.noticeEl, this.resultsEl));
    for (const r of this.results) this.resultsEl.append(this.cardFor(r));
    this.renderNotice();
  }

  renderNotice() {
    if (!this.noticeEl) return;
    const lang = this.lang;
    const n = this.client.trustNotice;
    this.noticeEl.replaceChildren();
    if (n) {
      const text = n.kind === 'refused' ? t(UI.trustRefused, lang)
        : n.kind === 'broken' ? t(UI.trustBroken, lang) : t(UI.trustUnavailable, lang);
      this.noticeEl.append(h('p', { class: `notice${n.kind === 'unavailable' ? ' info' : ''}`, role: 'alert', 'data-trust-notice': n.kind, 'data-code': n.code }, `${text}（${n.code}）`));
    }
    if (this.client.trustExpired()) {
      const day = chinaTime(this.client.trust.next_update).slice(0, 10);
      this.noticeEl.append(h('p', { class: 'notice warn', role: 'alert', 'data-trust-notice': 'expired', 'data-code': 'TRUST_LIST_EXPIRED' },
        `${t(UI.trustExpired, lang, day)}（TRUST_LIST_EXPIRED）`));
    }
  }

  cardFor(r) {
    return renderCard(r.verdict, { fileName: r.fileName, lang: this.lang, display: this.display, headingLevel: 3 });
  }

  async takeFiles(files) {
    for (const f of Array.from(files || [])) {
      // The cap applies before the file is even read.
      if (f.size > this.client.maxBytes) await this.verify(null, { fileName: f.name, oversize: f.size });
      else await this.verify(new Uint8Array(await f.arrayBuffer()), { fileName: f.name });
    }
  }

  /**
   * Verify bytes, show the result and fire `ecert-verdict`. Resolves to the verdict.
   * @param {ArrayBuffer|Uint8Array} bytes
   * @param {{fileName?: string, now?: number|Date, revealIdNumber?: boolean}} [options]
   */
  async verify(bytes, options = {}) {
    const entry = { fileName: options.fileName || '', verdict: { state: 'pending' } };
    this.results.unshift(entry);
    let card = this.cardFor(entry);
    this.resultsEl?.prepend(card);
    let verdict;
    if (options.oversize) {
      const mb = (this.client.maxBytes / 1024 / 1024).toFixed(0);
      verdict = clientVerdict('FILE_TOO_LARGE', `文件过大（超过 ${mb} MB），未进行验证。`,
        `The file is larger than ${mb} MB and was not checked.`, options.oversize);
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

  /** Forget shown results. */
  clear() {
    this.results = [];
    this.resultsEl?.replaceChildren();
  }
}

if (!customElements.get('ecert-verify')) customElements.define('ecert-verify', EcertVerifyElement);
