// 证书查验 for third parties: 姓名 (with the 生僻字 picker) + 证件号码 + 管理号 or 查询编号 → POST /v1/lookup (same
// origin). The answer shown is the registry's: the certificate's fields and status, or the edge's uniform
// not-found (the same words whether the number exists or not).
import { attachPicker } from '../picker/picker.js';
import { api, applyText, chinaTime, getLang, h, initLang, isEn, showError, t } from '../holder/ui.js';

const $ = (id) => document.getElementById(id);

const TEXT = {
  title: { zh: '证书查验', en: 'Certificate lookup' },
  heading: { zh: '证书查验', en: 'Certificate lookup' },
  subtitle: { zh: '用持证人信息和证书编号，向证书登记库核实一份职业资格证书', en: 'Check a qualification certificate against the registry with the holder\'s details and its number' },
  formTitle: { zh: '查验一份证书', en: 'Look up a certificate' },
  lead: {
    zh: '输入持证人的姓名、证件号码，以及证书上的管理号或查询编号。结果来自证书登记库。',
    en: 'Enter the holder\'s name and ID number and the certificate\'s management number or query number. The answer comes from the certificate registry.',
  },
  numberKind: { zh: '证书编号', en: 'Certificate number' },
  managementNumber: { zh: '管理号', en: 'Management number' },
  queryNumber: { zh: '查询编号', en: 'Query number' },
  submit: { zh: '查验', en: 'Look up' },
  missing: { zh: '请填写姓名、证件号码和证书编号。', en: 'Fill in name, ID number and the certificate number.' },
  found: { zh: '查验结果：登记库中有此证书', en: 'Result: the registry holds this certificate' },
  notFound: { zh: '查验结果：未查询到证书', en: 'Result: no certificate found' },
  notFoundHelp: {
    zh: '请核对姓名（含生僻字）、证件号码和编号是否与证书一致。未查询到可能是信息有误、证书未颁发，或不属于证书查询验证范围；为保护持证人，系统不区分这几种情况。',
    en: 'Check that name (rare characters included), ID number and number are exactly as on the certificate. Nothing found means wrong details, no such certificate, or outside the verification scope; to protect holders the service does not say which.',
  },
  holderName: { zh: '姓名', en: 'Name' },
  idMasked: { zh: '证件号码', en: 'ID number' },
  sex: { zh: '性别', en: 'Sex' },
  male: { zh: '男', en: 'male' },
  female: { zh: '女', en: 'female' },
  birth: { zh: '出生年月', en: 'Born' },
  qualification: { zh: '资格名称', en: 'Qualification' },
  issuer: { zh: '颁发单位', en: 'Issuer' },
  approvalDate: { zh: '批准日期', en: 'Approved on' },
  issueDate: { zh: '发证日期', en: 'Issued on' },
  status: { zh: '证书状态', en: 'Status' },
  valid: { zh: '有效', en: 'Valid' },
  revoked: { zh: '已撤销', en: 'Revoked' },
  revokedAt: { zh: '撤销时间', en: 'Revoked at' },
  reason: { zh: '撤销原因', en: 'Reason' },
  asOf: { zh: (s) => `查询时间：${s}（北京时间）`, en: (s) => `As of ${s} (China time)` },
  fileNote: {
    zh: '此结果说明登记库中的证书信息；如需确认一份 PDF 文件本身未被篡改，请在“验证证书”页核验该文件。',
    en: 'This is what the registry holds; to check that a PDF file itself is unaltered, verify the file on the "Verify a file" page.',
  },
};

const nameInput = $('name');
const picker = attachPicker(nameInput, { lang: getLang, label: () => t({ zh: '姓名', en: 'name' }), slot: $('name-row') });
let last = null; // {kind: 'found'|'notfound'|'error', json|error}

function kind() { return document.querySelector('input[name=kind]:checked').value; }

function renderResult() {
  const box = $('result');
  box.replaceChildren();
  box.className = 'panel result';
  showError($('error'), last && last.kind === 'error' ? last.error : null);
  if (!last || last.kind === 'error') { box.hidden = true; return; }
  box.hidden = false;
  if (last.kind === 'notfound') {
    box.classList.add('notfound');
    box.dataset.result = 'not-found';
    box.append(h('h2', { id: 'result-title' }, t(TEXT.notFound)),
      h('p', { 'data-role': 'message', 'data-code': last.error.code, 'data-reason': last.error.reason || '' }, isEn() ? last.error.message_en : last.error.message_zh),
      h('p', { class: 'lead' }, t(TEXT.notFoundHelp)));
    return;
  }
  const r = last.json;
  box.dataset.result = 'found';
  const revoked = r.status && r.status.state === 'revoked';
  const q = r.qualification || {};
  const iss = r.issuer || {};
  const rows = [
    [TEXT.holderName, h('span', { class: 'name-text' }, r.holder.name), 'name'],
    [TEXT.idMasked, r.holder.id_number, 'id-number'],
    [TEXT.sex, r.holder.sex === 'female' ? t(TEXT.female) : r.holder.sex === 'male' ? t(TEXT.male) : r.holder.sex, 'sex'],
    [TEXT.birth, r.holder.birth, 'birth'],
    [TEXT.qualification, h('span', {}, isEn() ? q.name_en : q.name_zh, h('br'), h('span', { class: 'en-name', lang: isEn() ? 'zh-CN' : 'en' }, isEn() ? q.name_zh : q.name_en)), 'qualification'],
    [TEXT.issuer, isEn() ? iss.name_en : iss.name_zh, 'issuer'],
    [TEXT.managementNumber, r.management_number, 'management-number'],
    [TEXT.queryNumber, r.query_number, 'query-number'],
    [TEXT.approvalDate, r.approval_date, 'approval-date'],
    [TEXT.issueDate, r.issue_date, 'issue-date'],
    [TEXT.status, h('span', { class: `badge ${revoked ? 'bad' : 'ok'}`, 'data-state': revoked ? 'revoked' : 'valid' }, t(revoked ? TEXT.revoked : TEXT.valid)), 'status'],
  ];
  if (revoked) {
    if (r.status.revoked_at) rows.push([TEXT.revokedAt, `${chinaTime(r.status.revoked_at)}${isEn() ? ' (China time)' : '（北京时间）'}`, 'revoked-at']);
    if (r.status.reason) rows.push([TEXT.reason, r.status.reason, 'revoked-reason']);
  }
  box.append(h('h2', { id: 'result-title' }, t(TEXT.found)),
    h('dl', { class: 'facts' }, rows.map(([k, v, role]) => [h('dt', {}, t(k)), h('dd', { 'data-field': role }, v)])),
    h('p', { class: 'help' }, t(TEXT.asOf, chinaTime(r.as_of))),
    h('p', { class: 'lead' }, t(TEXT.fileNote)));
}

function render() {
  applyText(TEXT, 'title');
  picker.relabel();
  $('number-label').textContent = t(kind() === 'query_number' ? TEXT.queryNumber : TEXT.managementNumber);
  renderResult();
}
initLang(render);
for (const r of document.querySelectorAll('input[name=kind]')) r.addEventListener('change', render);

$('form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const name = nameInput.value.trim();
  const idNumber = $('id_number').value.trim();
  const number = $('number').value.trim();
  if (!name || !idNumber || !number) {
    last = { kind: 'error', error: { code: 'CLIENT_MISSING', message_zh: TEXT.missing.zh, message_en: TEXT.missing.en } };
    return renderResult();
  }
  $('submit').disabled = true;
  const r = await api('POST', '/v1/lookup', { name, id_number: idNumber, [kind()]: number });
  $('submit').disabled = false;
  if (r.ok) last = { kind: 'found', json: r.json };
  else if (r.status === 404 && r.error.code === 'NOT_FOUND') last = { kind: 'notfound', error: r.error };
  else last = { kind: 'error', error: r.error };
  renderResult();
});
