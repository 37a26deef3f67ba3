// The demo recruitment site. The widget's verdict is a PREVIEW for the applicant (computed in their browser,
// which they control); on submit the PDF itself goes to this site's server, which verifies it again with
// @ecert/verify-widget/server and stores the application with the server's verdict (www/recruit/server/).
const w = document.getElementById('verifier');
const got = document.getElementById('got');
const submit = document.getElementById('submit');
const outcome = document.getElementById('outcome');
const form = document.getElementById('apply');
window.recruitVerdicts = [];
let preview = null; // the browser's verdict of the file that would be submitted

w.addEventListener('ecert-verdict', (e) => {
  window.recruitVerdicts.push(e.detail);
  // A newer snapshot re-checks every result shown: what is submitted is the newest one's file.
  show(w.verdict(0) || e.detail);
});

// The applicant took a result off (移除): the newest remaining one is what would be submitted, or none.
w.addEventListener('ecert-remove', () => {
  const v = w.verdict(0);
  if (v && v.state !== 'pending') { show(v); return; }
  preview = null;
  delete got.dataset.code;
  got.className = 'got';
  got.textContent = '尚未选择证书';
  submit.disabled = !w.file(0);
});

function show(v) {
  preview = v;
  const ok = v.code === 'VALID' && !!v.status && v.status.state === 'valid';
  got.dataset.code = v.code;
  got.className = `got ${ok ? 'ok' : 'bad'}`;
  got.textContent = ok
    ? `预检通过：${v.certificate.holder_name} · ${v.certificate.qualification.name_zh} · 管理号 ${v.certificate.management_number}（提交后由本站服务器复核）`
    : v.code === 'VALID' ? `证书真实，但撤销状态未核验（${v.status ? v.status.state : 'not_checked'}）；提交后由本站服务器复核`
      : `预检未通过（${v.code}）：${v.summary.zh}`;
  // Any certificate may be submitted: the server decides, not this page.
  submit.disabled = !w.file(0);
  outcome.replaceChildren();
}

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  const file = w.file(0);
  if (!file) return;
  const data = new FormData(form);
  data.set('certificate', file, file.name);
  // What the browser showed, for the record; the server never relies on it.
  if (preview) data.set('client_verdict', JSON.stringify({ id: preview.id, code: preview.code, state: preview.state }));
  submit.disabled = true;
  outcome.className = 'outcome';
  outcome.textContent = '正在提交…';
  try {
    const r = await fetch('/api/applications', { method: 'POST', body: data });
    if (r.status === 404) {
      outcome.textContent = '（演示：此处没有后端，未提交。运行 node www/recruit/server/server.mjs 可体验完整流程）';
      return;
    }
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    const { application: a } = await r.json();
    const v = a.server_verdict;
    outcome.dataset.code = v.code;
    outcome.dataset.accepted = String(a.accepted);
    outcome.className = `outcome ${a.accepted ? 'ok' : 'bad'}`;
    outcome.textContent = a.accepted
      ? `申请已提交（编号 ${a.application_id.slice(0, 8)}）。本站服务器核验：证书有效。`
      : `申请已提交（编号 ${a.application_id.slice(0, 8)}），但本站服务器核验未通过（${v.code}）：${v.summary.zh}`;
  } catch (err) {
    outcome.className = 'outcome bad';
    outcome.textContent = `提交失败：${err.message}`;
  } finally {
    submit.disabled = !w.file(0);
  }
});
