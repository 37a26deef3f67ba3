// Receipts in the browser (docs/verdict.md "Receipts"): download the `ecert.receipt/1` JSON, show its printable
// view in a dialog, print only that view. Used by the page and the <ecert-verify> widget.

import cardCss from './card.css';
import { UI, t } from './i18n.js';
import { h, renderReceipt } from './render.js';

/** `ecert-receipt-<管理号 or first 12 hex of the file's SHA-256>-<YYYYMMDD of the check>.json` */
export function receiptFileName(r) {
  const id = (r.certificate && r.certificate.management_number) || String(r.file.sha256 || '').slice(0, 12) || 'file';
  const d = new Date((r.verdict.checked_at + 8 * 3600) * 1000).toISOString().slice(0, 10).replace(/-/g, '');
  return `ecert-receipt-${id.replace(/[^0-9A-Za-z_-]/g, '_')}-${d}.json`;
}

/** Save the receipt as JSON (what `ecert receipt verify` re-checks). */
export function downloadReceipt(r) {
  const blob = new Blob([`${JSON.stringify(r, null, 2)}\n`], { type: 'application/json' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = receiptFileName(r);
  (document.body || document.documentElement).append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

/**
 * Print the receipt alone: its view in a hidden same-origin frame (styles as a constructed sheet, so a strict
 * CSP without 'unsafe-inline' allows them), printed from there; `host` is where the frame goes (a shadow root
 * or the body).
 */
export function printReceipt(r, host = document.body) {
  const frame = h('iframe', { class: 'ec-print-frame', title: t(UI.receiptTitle, 'zh-CN'), 'aria-hidden': 'true', tabindex: '-1' });
  frame.style.cssText = 'position:fixed;width:0;height:0;border:0;left:-9999px;top:0';
  host.append(frame);
  const win = frame.contentWindow;
  const doc = frame.contentDocument;
  try {
    const sheet = new win.CSSStyleSheet();
    sheet.replaceSync(cardCss);
    doc.adoptedStyleSheets = [sheet];
  } catch { /* printed unstyled */ }
  doc.documentElement.lang = 'zh-CN';
  doc.title = receiptFileName(r).replace(/\.json$/, '');
  doc.body.append(renderReceipt(r, { headingLevel: 1 }));
  const done = () => setTimeout(() => frame.remove(), 1000);
  win.addEventListener('afterprint', done, { once: true });
  win.focus();
  win.print();
  setTimeout(done, 60000);
}

/**
 * Show the receipt's printable view in a modal dialog appended to `host`, with print, download and close.
 * Returns the dialog (removed from the DOM when closed).
 */
export function showReceipt(r, { host = document.body, lang = 'zh-CN' } = {}) {
  const dialog = h('dialog', { class: 'ec-receipt-dialog', 'aria-label': t(UI.receiptTitle, lang) });
  const close = h('button', { type: 'button', class: 'ec-btn', 'data-action': 'close' }, t(UI.receiptClose, lang));
  const print = h('button', { type: 'button', class: 'ec-btn ec-btn-primary', 'data-action': 'print' }, t(UI.receiptPrint, lang));
  const json = h('button', { type: 'button', class: 'ec-btn', 'data-action': 'download' }, t(UI.receiptJson, lang));
  close.addEventListener('click', () => dialog.close());
  print.addEventListener('click', () => printReceipt(r, host));
  json.addEventListener('click', () => downloadReceipt(r));
  dialog.addEventListener('close', () => dialog.remove());
  dialog.append(h('div', { class: 'ec-receipt-bar' }, print, json, close), renderReceipt(r, { headingLevel: 2 }));
  host.append(dialog);
  dialog.showModal();
  return dialog;
}
