// The demo recruitment site: records the verdict the embedded <ecert-verify> reports.
const frame = document.getElementById('verifier');
const got = document.getElementById('got');
const submit = document.getElementById('submit');
const q = new URLSearchParams(location.search);
if (q.toString()) frame.src = `./embed.html?${q}`;
window.recruitVerdicts = [];
window.addEventListener('message', (e) => {
  if (e.origin !== location.origin || e.source !== frame.contentWindow || !e.data) return;
  if (e.data.type === 'ecert-height') frame.style.height = `${Math.min(Math.max(e.data.height + 8, 160), 6000)}px`;
  if (e.data.type !== 'ecert-verdict') return;
  const v = e.data.verdict;
  window.recruitVerdicts.push(v);
  // Valid, and checked against a signed status snapshot: a VALID whose status was not checked is not accepted.
  const ok = v.code === 'VALID' && !!v.status && v.status.state === 'valid';
  got.dataset.code = v.code;
  got.className = `got ${ok ? 'ok' : 'bad'}`;
  got.textContent = ok
    ? `已验证：${v.certificate.holder_name} · ${v.certificate.qualification.name_zh} · 管理号 ${v.certificate.management_number}`
    : v.code === 'VALID' ? `证书真实，但撤销状态未核验：请联网后重试（${v.status ? v.status.state : 'not_checked'}）`
      : `证书未通过验证（${v.code}）：${v.summary.zh}`;
  submit.disabled = !ok;
});
document.getElementById('apply').addEventListener('submit', (e) => { e.preventDefault(); got.textContent = '（演示站点：不会真的提交）'; });
