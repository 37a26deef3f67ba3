// The hosted iframe mode: <iframe src="https://EDGE/embed/?origin=https://your.site[&lang=en][&display=compact][&edge=…][&send-file=1]">.
// Who may frame this page is the build's allow-list (ECERT_EMBED_ORIGINS → _headers frame-ancestors); the same list
// is in ./config.json, and this page posts the verdict (and its height) ONLY to the origin named by ?origin=, and
// only when that origin is on the list — with that origin as postMessage's targetOrigin, so a page of any other
// origin that frames it receives nothing. ?send-file=1 also posts the PDF (a File) so the site's server can verify
// it again (the verdict here is a preview).
const w = document.getElementById('w');
const notice = document.getElementById('embed-notice');
const q = new URLSearchParams(location.search);
for (const a of ['edge', 'lang', 'display']) if (q.get(a)) w.setAttribute(a, q.get(a));
if (q.get('lang')) document.documentElement.lang = q.get('lang').startsWith('en') ? 'en' : 'zh-CN';

let origins = [];
try {
  const r = await fetch('./config.json', { cache: 'no-cache' });
  if (r.ok) origins = (await r.json()).origins || [];
} catch { /* no list: only this origin */ }
const allowed = new Set([location.origin, ...origins]);
const asked = q.get('origin');
const target = asked && allowed.has(asked) ? asked : null;
const framed = window.parent !== window;
if (framed && !target) {
  notice.hidden = false;
  notice.dataset.code = 'EMBED_ORIGIN_NOT_ALLOWED';
  notice.textContent = asked
    ? `未配置向 ${asked} 报告验证结果（EMBED_ORIGIN_NOT_ALLOWED）。 Verdicts are not reported to ${asked}: not on this verifier's allow-list.`
    : '嵌入页未指定 ?origin=，验证结果不会报告给所在网站。 No ?origin= given: verdicts are not reported to the embedding site.';
}
const post = (msg) => { if (framed && target) window.parent.postMessage(msg, target); };
w.addEventListener('ecert-verdict', (e) => {
  const msg = { type: 'ecert-verdict', verdict: e.detail };
  if (q.get('send-file') === '1') msg.file = w.file(0);
  post(msg);
  resize();
});
function resize() { post({ type: 'ecert-height', height: document.documentElement.scrollHeight }); }
new ResizeObserver(resize).observe(document.body);
