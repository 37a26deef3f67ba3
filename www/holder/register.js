// 持证人注册: 姓名 (with the 生僻字 picker) + 证件号码 + password ×2 + the service notice, accepted once.
// POST /v1/holder/register → the session; then my certificates.
import { attachPicker } from '../picker/picker.js';
import { api, applyText, getLang, h, initLang, params, setSession, showError, t } from './ui.js';

const $ = (id) => document.getElementById(id);

const TEXT = {
  title: { zh: '持证人注册', en: 'Register as a certificate holder' },
  heading: { zh: '持证人注册', en: 'Register as a holder' },
  subtitle: { zh: '注册后可查看本人的职业资格电子证书、申请加注并下载', en: 'See your professional qualification e-certificates, apply for annotations and download them' },
  formTitle: { zh: '注册账号', en: 'Create an account' },
  lead: {
    zh: '请使用报考时在人事考试机构登记的姓名和证件号码注册，系统据此找到您的证书。',
    en: 'Register with the name and ID number you gave the examination authority when you applied: your certificates are found by them.',
  },
  nameHelp: { zh: '姓名中有输入法打不出的字时，请点击[生僻字输入]按拼音或部首笔画查找。', en: 'If your input method cannot type a character of your name, use [Rare character] to find it by pinyin or by radical and strokes.' },
  idHelp: { zh: '居民身份证号码（18 位，末位可为 X）。', en: 'Resident ID card number (18 characters, the last may be X).' },
  password: { zh: '密码', en: 'Password' },
  pwHelp: { zh: '至少 10 个字符，不能与姓名或证件号码相同。', en: 'At least 10 characters, not your name or ID number.' },
  password2: { zh: '确认密码', en: 'Repeat the password' },
  noticeTitle: { zh: '服务须知', en: 'Service notice' },
  accept: { zh: '我已阅读并同意服务须知', en: 'I have read and accept the service notice' },
  submit: { zh: '注册', en: 'Register' },
  haveAccount: { zh: '已有账号？', en: 'Already registered?' },
  toLogin: { zh: '登录', en: 'Sign in' },
  mismatch: { zh: '两次输入的密码不一致。', en: 'The two passwords differ.' },
  missing: { zh: '请填写姓名、证件号码和密码。', en: 'Fill in name, ID number and password.' },
  notAccepted: { zh: '请先阅读并勾选同意服务须知。', en: 'Read and accept the service notice first.' },
  deleted: { zh: '账号已注销：账号、登录会话和已生成的加注件已删除。', en: 'Account deleted: the account, its sessions and the annotated files made for you are gone.' },
};

// 服务须知 — in the spirit of CPTA's FAQ for its certificate download system.
const NOTICE = {
  zh: [
    '本服务供持证人员查看、加注和下载本人的专业技术人员职业资格电子证书。请使用报考时登记的姓名和证件号码注册；证书按姓名与证件号码匹配显示，他人的证书不会显示。',
    '2021年12月17日以后制发的电子证书，须经加注后方可下载和使用。加注是在电子证书上设置使用场景和有效期，防止证书在非本人授权的情形下被使用。目前支持的使用场景为“本人调用”。',
    '自申请加注当日起向前计算，90日内同一证书最多可有3次有效加注；每次加注有效期最长90天，如无特别需要，建议按上限申请。',
    '提交加注申请后，证书显示“证书生成中…”，系统将在24小时内完成加注；完成后在加注有效期内可查看和下载。加注件过期后无法下载，须重新申请加注。',
    '2021年12月17日之前由有关行业协会、学会或指定机构颁发的电子证书暂无须加注，可直接下载。',
    '证书状态为“已撤销”的，证书已被收回和注销，处于无效状态，不能申请加注；点击[详情]可查看撤销时间和原因。',
    '系统不保存证件号码明文，只保存其末4位用于问候显示。请妥善保管密码；本服务暂不提供在线找回密码。您可随时注销账号，注销后账号、登录会话和已生成的加注件一并删除，证书登记信息和加注记录（用于90日3次的规则）保留。',
    '电子证书下载后请使用PDF阅读器打开；可在本网站“验证证书”页核验其电子印章、加注和状态。',
  ],
  en: [
    'This service lets certificate holders see, annotate and download their own professional qualification e-certificates. Register with the name and ID number you gave when you applied for the examination; certificates are shown by name and ID number, and never anyone else\'s.',
    'E-certificates issued after 17 December 2021 can be downloaded and used only with an annotation: a usage scenario and a validity window set on the certificate, so it cannot be used without the holder\'s consent. The scenario offered is "本人调用" (used by the holder).',
    'Counting back from the day of application, a certificate can have at most 3 valid annotations in 90 days; each is valid for at most 90 days — unless you need less, apply for the maximum.',
    'After you apply, the certificate shows "Generating…"; the annotation is made within 24 hours, and the certificate can then be viewed and downloaded during its window. An expired annotation cannot be downloaded: apply again.',
    'E-certificates issued by associations, societies or designated bodies before 17 December 2021 need no annotation and download directly.',
    'A certificate marked "Revoked" has been withdrawn and is void; it cannot be annotated. [Details] shows when and why it was revoked.',
    'Your ID number is not stored in plain text, only its last 4 characters for the greeting. Keep your password safe: there is no online password reset. You can delete your account at any time: the account, its sessions and the annotated files made for you are deleted; the registry and the annotation history (for the 3-in-90-days rule) remain.',
    'Open a downloaded e-certificate with a PDF reader; the "Verify a file" page of this site checks its seal, annotation and status.',
  ],
};

const nameInput = $('name');
const picker = attachPicker(nameInput, { lang: getLang, label: () => t({ zh: '姓名', en: 'name' }), slot: $('name-row') });

function render() {
  applyText(TEXT, 'title');
  const n = $('notice');
  n.replaceChildren(h('ol', {}, NOTICE[getLang() === 'en' ? 'en' : 'zh'].map((p) => h('li', {}, p))));
  picker.relabel();
  const err = $('error');
  if (err.dataset.last) showError(err, JSON.parse(err.dataset.last));
}
$('deleted').hidden = params.get('deleted') !== '1';
initLang(render);

function fail(e) {
  const err = $('error');
  err.dataset.last = JSON.stringify(e);
  showError(err, e);
}
const local = (k) => ({ code: `CLIENT_${k.toUpperCase()}`, message_zh: TEXT[k].zh, message_en: TEXT[k].en });

$('form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const name = nameInput.value.trim();
  const idNumber = $('id_number').value.trim();
  const password = $('password').value;
  if (!name || !idNumber || !password) return fail(local('missing'));
  if (password !== $('password2').value) return fail(local('mismatch'));
  if (!$('accept').checked) return fail(local('notAccepted'));
  const btn = $('submit');
  btn.disabled = true;
  const r = await api('POST', '/v1/holder/register', { name, id_number: idNumber, password, accept_notice: true });
  btn.disabled = false;
  if (!r.ok) return fail(r.error);
  setSession(r.json);
  location.assign('./');
});
