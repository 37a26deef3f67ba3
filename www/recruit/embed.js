// Inside the iframe: configure the widget from the iframe URL (?edge=…&lang=…&display=…), and hand each verdict
// to the embedding site (same origin only) so it can record it.
const w = document.getElementById('w');
const q = new URLSearchParams(location.search);
for (const a of ['edge', 'lang', 'display']) if (q.get(a)) w.setAttribute(a, q.get(a));
w.addEventListener('ecert-verdict', (e) => {
  if (window.parent !== window) window.parent.postMessage({ type: 'ecert-verdict', verdict: e.detail }, location.origin);
  resize();
});
function resize() {
  if (window.parent !== window) window.parent.postMessage({ type: 'ecert-height', height: document.documentElement.scrollHeight }, location.origin);
}
new ResizeObserver(resize).observe(document.body);
