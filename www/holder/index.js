// 我的证书: the certificates issued to the signed-in holder's 姓名 + 证件号码 (GET /v1/holder/certificates), each with
// its status (有效 / 已撤销 + [详情]), its current 加注 (证书生成中… polled until ready, the window and [下载], 加注件
// 已过期 + apply again), the [申请加注] form (本人调用, start date, 1–90 days; the edge's refusals in its own words
// with the next possible date) and, for association certificates issued before 2021-12-17, a direct [下载].
// Not signed in: to login.html. Logout; account deletion.
import {
  api, applyText, chinaTime, chinaToday, colon, errorOf, h, initLang, isEn, session, showError, t,
} from './ui.js';

const $ = (id) => document.getElementById(id);

const TEXT = {
  title: { zh: '我的证书', en: 'My certificates' },
  heading: { zh: '我的证书', en: 'My certificates' },
  subtitle: { zh: '查看本人的职业资格电子证书，申请加注并下载', en: 'Your professional qualification e-certificates: annotate and download' },
  greeting: { zh: (n, tail) => `您好，${n}（证件号码尾号 ${tail}）`, en: (n, tail) => `Signed in as ${n} (ID number ending ${tail})` },
  logout: { zh: '退出登录', en: 'Sign out' },
  loading: { zh: '正在读取您的证书…', en: 'Reading your certificates…' },
  certsTitle: { zh: '证书列表', en: 'Certificates' },
  deleteTitle: { zh: '注销账号', en: 'Delete my account' },
  deleteLead: {
    zh: '注销后，您的账号、登录会话和已生成的加注件将被删除；证书登记信息和加注记录（用于“90日内3次”的规则）保留。',
    en: 'Deleting removes your account, its sessions and the annotated files made for you; the registry and the annotation history (for the 3-in-90-days rule) remain.',
  },
  deletePassword: { zh: '输入密码确认注销', en: 'Your password, to confirm' },
  deleteSubmit: { zh: '注销账号', en: 'Delete my account' },
  deleteConfirm: { zh: '确定注销账号吗？此操作不能撤回。', en: 'Delete your account? This cannot be undone.' },
  managementNumber: { zh: '管理号', en: 'Management no.' },
  queryNumber: { zh: '查询编号', en: 'Query no.' },
  approvalDate: { zh: '批准日期', en: 'Approved on' },
  issueDate: { zh: '发证日期', en: 'Issued on' },
  issuer: { zh: '颁发单位', en: 'Issuer' },
  status: { zh: '证书状态', en: 'Status' },
  valid: { zh: '有效', en: 'Valid' },
  revoked: { zh: '已撤销', en: 'Revoked' },
  details: { zh: '详情', en: 'Details' },
  detailsLabel: { zh: (q) => `撤销详情：${q}`, en: (q) => `Revocation details: ${q}` },
  revokedAt: { zh: '撤销时间', en: 'Revoked at' },
  revokedReason: { zh: '撤销原因', en: 'Reason' },
  revokedAnnotations: { zh: '证书已撤销，加注件不能查看和下载。', en: 'The certificate is revoked: its annotated copies cannot be viewed or downloaded.' },
  revokedNote: { zh: '证书已被收回和注销，处于无效状态，不能申请加注。', en: 'The certificate has been withdrawn and is void; it cannot be annotated.' },
  chinaTime: { zh: '（北京时间）', en: ' (China time)' },
  annotation: { zh: '加注', en: 'Annotation' },
  noAnnotationNeeded: {
    zh: '2021年12月17日之前协会颁发的证书，无须加注，可直接下载。',
    en: 'Issued by an association before 17 December 2021: no annotation needed, download directly.',
  },
  generating: { zh: '证书生成中…', en: 'Generating…' },
  generatingNote: { zh: (d) => `已于 ${d} 提交加注申请，系统将在24小时内完成加注，请耐心等待。`, en: (d) => `Applied on ${d}; the annotation is made within 24 hours.` },
  overdue: { zh: '已超过24小时仍未完成，请联系证书发放机构。', en: 'Not done after 24 hours: contact the issuing body.' },
  ready: { zh: '加注有效', en: 'Annotation valid' },
  window: { zh: (a, b) => `加注有效期 ${a} 至 ${b}`, en: (a, b) => `Valid ${a} to ${b}` },
  scenario: { zh: '使用场景', en: 'Scenario' },
  scenarioSelf: { zh: '本人调用', en: '本人调用 (used by the holder)' },
  annotationNumber: { zh: '加注编号', en: 'Annotation no.' },
  download: { zh: '下载', en: 'Download' },
  downloadLabel: { zh: (q, a, b) => `下载 ${q} 的加注件（${a} 至 ${b}）`, en: (q, a, b) => `Download ${q}, annotated ${a} to ${b}` },
  downloadBase: { zh: (q) => `下载 ${q}`, en: (q) => `Download ${q}` },
  notYetValid: { zh: '加注尚未生效', en: 'Not yet valid' },
  notYetValidNote: { zh: (a, b) => `加注有效期 ${a} 至 ${b}，生效后可下载。`, en: (a, b) => `Valid ${a} to ${b}; downloadable from the first day.` },
  expired: { zh: '加注件已过期', en: 'Annotation expired' },
  expiredNote: { zh: (a, b) => `加注有效期 ${a} 至 ${b} 已过，无法查看和下载，请重新申请加注。`, en: (a, b) => `The window ${a} to ${b} is over: the certificate cannot be viewed or downloaded until you apply again.` },
  failed: { zh: '加注未完成', en: 'Annotation not made' },
  failedNote: { zh: '签发方未能完成这次加注，请重新申请。', en: 'The issuing side could not make this annotation; apply again.' },
  none: { zh: '尚未加注', en: 'Not annotated' },
  noneNote: { zh: '2021年12月17日以后制发的电子证书须经加注后方可下载和使用。', en: 'E-certificates issued after 17 December 2021 are downloaded and used only with an annotation.' },
  apply: { zh: '申请加注', en: 'Apply for an annotation' },
  applyAgain: { zh: '重新申请加注', en: 'Apply again' },
  applyTitle: { zh: (q) => `申请加注：${q}`, en: (q) => `Annotation for ${q}` },
  validFrom: { zh: '开始日期', en: 'Starts on' },
  days: { zh: '有效天数（1–90）', en: 'Days (1–90)' },
  daysHelp: { zh: '每次最长90天；90日内同一证书最多3次有效加注。', en: 'At most 90 days each; at most 3 valid annotations of a certificate in 90 days.' },
  submit: { zh: '提交加注申请', en: 'Submit' },
  cancel: { zh: '取消', en: 'Cancel' },
  cannotApply: { zh: '暂不能申请加注', en: 'No annotation possible now' },
  history: { zh: (n) => `加注记录（${n}）`, en: (n) => `Annotation history (${n})` },
  historyItem: {
    zh: (d, a, b, s) => `${d} 申请，有效期 ${a} 至 ${b}：${s}`,
    en: (d, a, b, s) => `applied ${d}, ${a} to ${b}: ${s}`,
  },
  emptyTitle: { zh: '没有找到您的证书', en: 'No certificate found' },
  emptyLead: { zh: '证书按注册时的姓名和证件号码匹配。没有显示证书，可能是因为：', en: 'Certificates are matched by the name and ID number you registered with. None is shown, perhaps because:' },
  emptyReasons: {
    zh: [
      '注册用的姓名或证件号码与报考时在人事考试机构登记的不一致；若曾通过人事考试机构更正过姓名或证件号码，须使用更正后的信息重新注册。',
      '姓名中的生僻字输入方式不同（如用了形近字或兼容汉字），请使用[生僻字输入]找到正确的字后重新注册。',
      '2021年12月17日以前由部委批准颁发的24项职业资格证书不在电子证书范围内。',
      '证书信息暂未上线（数据同步中），请稍后再查；既往年度证书数据正在陆续上线。',
      '尚未取得证书，或所取得的证书不属于证书查询验证范围。',
    ],
    en: [
      'The name or ID number you registered with differs from what the examination authority holds; if it corrected your name or ID number, register again with the corrected one.',
      'A rare character of your name was typed differently (a look-alike or a compatibility character): find the right one with [Rare character] and register again.',
      'The 24 qualifications approved by ministries issued no e-certificates before 17 December 2021.',
      'The certificate data is not online yet (still being synchronised): look again later; earlier years are being added.',
      'No certificate has been issued to you, or it is outside the verification scope.',
    ],
  },
  emptyContact: { zh: '如有疑问，请联系证书发放机构。', en: 'Questions: contact the issuing body.' },
  deleted: { zh: '账号已注销。', en: 'The account has been deleted.' },
};

const STATE_WORDS = {
  generating: TEXT.generating, ready: TEXT.ready, not_yet_valid: TEXT.notYetValid, expired: TEXT.expired, failed: TEXT.failed,
};

let me = null;
let certs = null;
let loadError = null;
const openForms = new Map(); // management_number → {valid_from, days, error}
const openDetails = new Set();
let pollTimer = null;
let pollDelay = 3000;

function qualName(c) {
  const q = c.qualification || {};
  return isEn() ? (q.en || q.zh || q.code) : (q.zh || q.en || q.code);
}
function qualOther(c) {
  const q = c.qualification || {};
  return isEn() ? q.zh : q.en;
}
const enc = encodeURIComponent;

function factList(c) {
  const issuer = c.issuer ? (isEn() ? c.issuer.en || c.issuer.zh : c.issuer.zh || c.issuer.en) : '';
  const rows = [
    [TEXT.managementNumber, c.management_number, 'management-number'],
    [TEXT.queryNumber, c.query_number, 'query-number'],
    [TEXT.approvalDate, c.approval_date, 'approval-date'],
    [TEXT.issueDate, c.issue_date, 'issue-date'],
    [TEXT.issuer, issuer, 'issuer'],
  ].filter(([, v]) => v);
  return h('dl', { class: 'facts' }, rows.map(([k, v, role]) => [h('dt', {}, t(k)), h('dd', { 'data-field': role }, v)]));
}

function statusBlock(c) {
  const revoked = c.status && c.status.state === 'revoked';
  const wrap = h('div', { class: 'status-wrap' });
  const line = h('p', { class: 'status', 'data-role': 'status', 'data-state': revoked ? 'revoked' : 'valid' },
    h('span', {}, `${t(TEXT.status)}${colon()}`),
    h('span', { class: `badge ${revoked ? 'bad' : 'ok'}` }, t(revoked ? TEXT.revoked : TEXT.valid)));
  wrap.append(line);
  if (revoked) {
    const id = `rev-${c.management_number}`;
    const shown = openDetails.has(c.management_number);
    const btn = h('button', {
      type: 'button', class: 'detail-btn', 'aria-expanded': shown ? 'true' : 'false', 'aria-controls': id,
      'aria-label': t(TEXT.detailsLabel, qualName(c)), 'data-action': 'details',
    }, t(TEXT.details));
    const box = h('div', { id, class: 'revocation', hidden: !shown, 'data-role': 'revocation' },
      h('dl', {},
        h('dt', {}, t(TEXT.revokedAt)), h('dd', { 'data-field': 'revoked-at' }, c.status.revoked_at ? `${chinaTime(c.status.revoked_at)}${t(TEXT.chinaTime)}` : '—'),
        h('dt', {}, t(TEXT.revokedReason)), h('dd', { 'data-field': 'revoked-reason' }, c.status.reason || '—')),
      h('p', { class: 'help' }, t(TEXT.revokedNote)));
    btn.addEventListener('click', () => {
      if (openDetails.has(c.management_number)) openDetails.delete(c.management_number); else openDetails.add(c.management_number);
      const now = openDetails.has(c.management_number);
      box.hidden = !now;
      btn.setAttribute('aria-expanded', now ? 'true' : 'false');
    });
    line.append(btn);
    wrap.append(box);
  }
  return wrap;
}

function jobLink(c, j) {
  return h('a', {
    class: 'btn primary', href: `/v1/holder/certificates/${enc(c.management_number)}/annotations/${enc(j.job_id)}/pdf`,
    download: `${c.management_number}-${j.valid_from}-${j.valid_until}.pdf`, 'data-action': 'download',
    'aria-label': t(TEXT.downloadLabel, qualName(c), j.valid_from, j.valid_until),
  }, t(TEXT.download));
}

function annotationBlock(c) {
  const box = h('section', { class: 'annot', 'data-role': 'annotation', 'aria-label': `${t(TEXT.annotation)}${isEn() ? ': ' : '：'}${qualName(c)}` });
  const revoked = c.status && c.status.state === 'revoked';
  if (!c.annotation_required) {
    box.dataset.state = 'not_needed';
    box.append(h('div', { class: 'annot-state' }, h('p', {}, t(TEXT.noAnnotationNeeded)),
      c.base_download ? h('a', {
        class: 'btn primary', href: `/v1/holder/certificates/${enc(c.management_number)}/pdf`, download: `${c.management_number}.pdf`,
        'data-action': 'download', 'aria-label': t(TEXT.downloadBase, qualName(c)),
      }, t(TEXT.download)) : null));
    return box;
  }
  const jobs = c.annotations || [];
  if (revoked) {
    // A revoked certificate: no 加注 is usable, none can be applied for.
    box.dataset.state = 'revoked';
    box.append(h('div', { class: 'annot-state' }, h('span', { class: 'badge bad' }, t(TEXT.revoked)), h('p', {}, t(TEXT.revokedAnnotations))));
    return box;
  }
  // What the holder can use or is waiting for: every job generating, ready or not yet valid (at most 3 in 90
  // days); with none, the newest job's end (expired, failed) or "not annotated".
  const live = jobs.filter((j) => ['generating', 'ready', 'not_yet_valid'].includes(j.state));
  const shown = live.length ? live : jobs.slice(0, 1);
  const state = shown.length ? shown[0].state : 'none';
  box.dataset.state = state;
  if (!shown.length) box.append(h('div', { class: 'annot-state' }, h('span', { class: 'badge warn' }, t(TEXT.none)), h('p', {}, t(TEXT.noneNote))));
  for (const cur of shown) box.append(jobBlock(c, cur));

  if (!revoked) box.append(applyBlock(c, state));

  if (jobs.length > 1) {
    box.append(h('details', { class: 'history' }, h('summary', {}, t(TEXT.history, jobs.length)),
      h('ul', {}, jobs.map((j) => h('li', {}, t(TEXT.historyItem, j.applied_on, j.valid_from, j.valid_until, t(STATE_WORDS[j.state] || j.state)))))));
  }
  return box;
}

function jobBlock(c, cur) {
  const state = cur.state;
  const row = h('div', { class: 'annot-state', 'data-job': cur.job_id, 'data-job-state': state });
  const wrap = h('div', { class: 'job' }, row);
  if (state === 'generating') {
    row.append(h('span', { class: 'badge busy', 'data-role': 'generating' }, t(TEXT.generating)),
      h('p', {}, t(TEXT.generatingNote, cur.applied_on)));
    if (cur.overdue) wrap.append(h('p', { class: 'alert' }, t(TEXT.overdue)));
  } else if (state === 'ready') {
    row.append(h('span', { class: 'badge ok' }, t(TEXT.ready)),
      h('p', { 'data-role': 'window' }, t(TEXT.window, cur.valid_from, cur.valid_until)),
      ...(cur.download !== false ? [jobLink(c, cur)] : []));
    const meta = [`${t(TEXT.scenario)}${colon()}${cur.scenario === '本人调用' ? t(TEXT.scenarioSelf) : cur.scenario}`];
    if (cur.annotation_number) meta.push(`${t(TEXT.annotationNumber)}${colon()}${cur.annotation_number}`);
    wrap.append(h('p', { class: 'help' }, meta.join(isEn() ? '; ' : '；')));
  } else if (state === 'not_yet_valid') {
    row.append(h('span', { class: 'badge warn' }, t(TEXT.notYetValid)), h('p', { 'data-role': 'window' }, t(TEXT.notYetValidNote, cur.valid_from, cur.valid_until)));
  } else if (state === 'expired') {
    row.append(h('span', { class: 'badge bad', 'data-role': 'expired' }, t(TEXT.expired)), h('p', { 'data-role': 'window' }, t(TEXT.expiredNote, cur.valid_from, cur.valid_until)));
  } else if (state === 'failed') {
    row.append(h('span', { class: 'badge bad' }, t(TEXT.failed)), h('p', {}, t(TEXT.failedNote)));
  }
  return wrap;
}

function applyBlock(c, state) {
  const wrap = h('div', { class: 'apply', 'data-role': 'apply' });
  const can = c.can_apply || { ok: true };
  const form = openForms.get(c.management_number);
  if (!can.ok && !form) {
    const err = h('p', { class: 'alert', 'data-role': 'cannot-apply' });
    showError(err, { code: can.code, message_zh: can.message_zh, message_en: can.message_en, next_allowed: can.next_allowed });
    err.prepend(h('strong', {}, `${t(TEXT.cannotApply)}${colon()}`));
    wrap.append(err);
    return wrap;
  }
  if (!form) {
    wrap.append(h('button', {
      type: 'button', class: 'btn', 'data-action': 'apply', 'aria-label': `${t(state === 'expired' ? TEXT.applyAgain : TEXT.apply)}${colon()}${qualName(c)}`,
      onclick: () => { openForms.set(c.management_number, { valid_from: chinaToday(), days: 90, error: null }); render(); focusForm(c); },
    }, t(state === 'expired' ? TEXT.applyAgain : TEXT.apply)));
    return wrap;
  }
  const id = `apply-${c.management_number}`;
  const err = h('p', { class: 'alert', role: 'alert', hidden: true, 'data-role': 'apply-error' });
  if (form.error) showError(err, form.error);
  const today = chinaToday();
  const maxStart = new Date(Date.parse(`${today}T00:00:00Z`) + 90 * 86400e3).toISOString().slice(0, 10);
  const f = h('form', { class: 'apply-form', id, novalidate: true, 'aria-label': t(TEXT.applyTitle, qualName(c)) },
    h('h3', {}, t(TEXT.applyTitle, qualName(c))),
    err,
    h('div', { class: 'grid' },
      h('div', { class: 'field' }, h('label', { for: `${id}-scenario` }, t(TEXT.scenario)),
        h('select', { id: `${id}-scenario`, name: 'scenario' }, h('option', { value: '本人调用' }, t(TEXT.scenarioSelf)))),
      h('div', { class: 'field' }, h('label', { for: `${id}-from` }, t(TEXT.validFrom)),
        h('input', { id: `${id}-from`, name: 'valid_from', type: 'date', value: form.valid_from, min: today, max: maxStart, required: true })),
      h('div', { class: 'field' }, h('label', { for: `${id}-days` }, t(TEXT.days)),
        h('input', { id: `${id}-days`, name: 'days', type: 'number', inputmode: 'numeric', min: '1', max: '90', step: '1', value: String(form.days), required: true, 'aria-describedby': `${id}-help` }))),
    h('p', { class: 'help', id: `${id}-help` }, t(TEXT.daysHelp)),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'btn primary', 'data-action': 'submit-apply' }, t(TEXT.submit)),
      h('button', { type: 'button', class: 'btn ghost', onclick: () => { openForms.delete(c.management_number); render(); } }, t(TEXT.cancel))));
  // Keep what was typed across re-renders (language switch, polling).
  f.addEventListener('input', () => {
    form.valid_from = f.elements.valid_from.value;
    form.days = f.elements.days.value;
  });
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const btn = f.querySelector('[data-action=submit-apply]');
    btn.disabled = true;
    const days = Number(f.elements.days.value);
    const r = await api('POST', `/v1/holder/certificates/${enc(c.management_number)}/annotations`, {
      scenario: f.elements.scenario.value, valid_from: f.elements.valid_from.value, days: Number.isFinite(days) ? days : 0,
    });
    btn.disabled = false;
    if (r.status === 401) return toLogin();
    if (!r.ok) {
      form.error = r.error;
      showError(err, r.error);
      return;
    }
    openForms.delete(c.management_number);
    await load();
  });
  wrap.append(f);
  return wrap;
}

function focusForm(c) {
  const el = document.getElementById(`apply-${c.management_number}-from`);
  if (el) el.focus();
}

function emptyBlock() {
  return h('section', { class: 'panel empty', 'data-role': 'empty', 'aria-labelledby': 'empty-title' },
    h('h2', { id: 'empty-title' }, t(TEXT.emptyTitle)),
    h('p', {}, t(TEXT.emptyLead)),
    h('ol', {}, t(TEXT.emptyReasons).map((s) => h('li', {}, s))),
    h('p', {}, t(TEXT.emptyContact)));
}

function card(c) {
  return h('article', { class: 'cert', 'data-management-number': c.management_number, 'aria-labelledby': `q-${c.management_number}` },
    h('div', { class: 'cert-head' },
      h('div', {}, h('h2', { id: `q-${c.management_number}` }, qualName(c)), qualOther(c) ? h('p', { class: 'en-name', lang: isEn() ? 'zh-CN' : 'en' }, qualOther(c)) : null)),
    statusBlock(c),
    factList(c),
    annotationBlock(c));
}

function render() {
  applyText(TEXT, 'title');
  const g = $('greeting');
  if (me) {
    $('me').hidden = false;
    g.textContent = t(TEXT.greeting, me.name, me.id_tail || '');
    $('delete-zone').hidden = false;
  }
  const err = $('error');
  if (loadError) showError(err, loadError); else showError(err, null);
  $('loading').hidden = certs !== null || !!loadError;
  const box = $('certs');
  const heading = $('certs-title');
  const focused = document.activeElement && document.activeElement.id;
  box.replaceChildren(heading);
  if (certs) {
    if (!certs.length) box.append(emptyBlock());
    for (const c of certs) box.append(card(c));
  }
  if (focused && document.getElementById(focused) && document.activeElement === document.body) document.getElementById(focused).focus();
}

function toLogin() { location.replace('./login.html'); }

async function load() {
  const r = await api('GET', '/v1/holder/certificates');
  if (r.status === 401) return toLogin();
  if (!r.ok) { loadError = r.error; render(); return; }
  loadError = null;
  certs = (r.json && r.json.certificates) || [];
  render();
  schedulePoll();
}

// 证书生成中…: asked again until no job is generating (3 s, then slower, at most every 30 s).
function schedulePoll() {
  clearTimeout(pollTimer);
  const generating = certs && certs.some((c) => (c.annotations || []).some((j) => j.state === 'generating'));
  if (!generating) { pollDelay = 3000; return; }
  pollTimer = setTimeout(async () => { pollDelay = Math.min(30000, Math.round(pollDelay * 1.3)); await load(); }, pollDelay);
}

$('logout').addEventListener('click', async () => {
  await api('POST', '/v1/holder/logout');
  location.replace('./login.html');
});

$('delete-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const err = $('delete-error');
  if (!window.confirm(t(TEXT.deleteConfirm))) return;
  const r = await api('POST', '/v1/holder/account/delete', { password: $('delete-password').value });
  if (!r.ok) return showError(err, r.error);
  location.replace('./register.html?deleted=1');
});

initLang(render);
session().then((s) => {
  if (!s) return toLogin();
  me = s;
  render();
  return load();
}).catch((e) => { loadError = errorOf({ code: 'NETWORK', message: { zh: String(e), en: String(e) } }, 0); render(); });
