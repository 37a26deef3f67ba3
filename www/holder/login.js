// 持证人登录: 姓名 (with the 生僻字 picker) + 证件号码 + password → POST /v1/holder/login → my certificates.
// Already signed in: straight to my certificates.
import { attachPicker } from '../picker/picker.js';
import { api, applyText, getLang, initLang, session, setSession, showError, t } from './ui.js';

const $ = (id) => document.getElementById(id);

const TEXT = {
  title: { zh: '持证人登录', en: 'Holder sign-in' },
  heading: { zh: '持证人登录', en: 'Holder sign-in' },
  subtitle: { zh: '注册后可查看本人的职业资格电子证书、申请加注并下载', en: 'See your professional qualification e-certificates, apply for annotations and download them' },
  formTitle: { zh: '登录', en: 'Sign in' },
  password: { zh: '密码', en: 'Password' },
  submit: { zh: '登录', en: 'Sign in' },
  noAccount: { zh: '还没有账号？', en: 'No account yet?' },
  toRegister: { zh: '注册', en: 'Register' },
  forgot: { zh: '忘记密码：本服务暂不提供在线找回密码。', en: 'Forgotten password: there is no online password reset.' },
  missing: { zh: '请填写姓名、证件号码和密码。', en: 'Fill in name, ID number and password.' },
};

const nameInput = $('name');
const picker = attachPicker(nameInput, { lang: getLang, label: () => t({ zh: '姓名', en: 'name' }), slot: $('name-row') });
const err = $('error');
let last = null;

initLang(() => {
  applyText(TEXT, 'title');
  picker.relabel();
  if (last) showError(err, last);
});

session().then((s) => { if (s) location.replace('./'); });

$('form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const name = nameInput.value.trim();
  const idNumber = $('id_number').value.trim();
  const password = $('password').value;
  if (!name || !idNumber || !password) {
    last = { code: 'CLIENT_MISSING', message_zh: TEXT.missing.zh, message_en: TEXT.missing.en };
    return showError(err, last);
  }
  $('submit').disabled = true;
  const r = await api('POST', '/v1/holder/login', { name, id_number: idNumber, password });
  $('submit').disabled = false;
  if (!r.ok) { last = r.error; return showError(err, last); }
  setSession(r.json);
  location.assign('./');
});
