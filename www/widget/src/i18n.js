// Words of the verifier UI, Chinese first. Codes come from the verdict (docs/verdict.md); only the words
// around them live here.

export const LANGS = ['zh-CN', 'en'];

export function normLang(lang) {
  return String(lang || '').toLowerCase().startsWith('en') ? 'en' : 'zh-CN';
}

// Overall states: word, one-line hint, tone (drives colour), icon. A failure never shares a tone or an icon
// with a pass. The word is the headline of a card unless its code has a more precise one (VERDICT_CODES).
export const STATES = {
  valid: { tone: 'ok', icon: '✓', zh: '有效', en: 'Valid' },
  status_unknown: { tone: 'warn', icon: '?', zh: '签名有效，状态未知', en: 'Signature valid, status unknown' },
  annotation_problem: { tone: 'warn', icon: '!', zh: '加注有问题', en: 'Annotation problem' },
  revoked: { tone: 'bad', icon: '✕', zh: '已撤销', en: 'Revoked' },
  untrusted: { tone: 'bad', icon: '✕', zh: '印章不受信任', en: 'Untrusted seal' },
  modified: { tone: 'bad', icon: '✕', zh: '已被改动或不是原始文件', en: 'Changed, or not the original file' },
  not_a_certificate: { tone: 'bad', icon: '✕', zh: '不是电子证书', en: 'Not a certificate' },
  broken: { tone: 'bad', icon: '✕', zh: '无法验证', en: 'Cannot be verified' },
  pending: { tone: 'busy', icon: '…', zh: '正在验证…', en: 'Verifying…' },
};

export function stateInfo(state) {
  return STATES[state] || STATES.broken;
}

// Every verdict code (docs/verdict.md, most severe first; then the codes the browser client makes itself): its
// state and its headline, which must agree with the core's summary sentence. The colour comes from the state.
export const VERDICT_CODES = {
  MALFORMED: { state: 'broken', zh: '文件损坏或格式不符，无法验证', en: 'Damaged or malformed file, cannot be verified' },
  ENCRYPTED: { state: 'broken', zh: '文件已加密，无法验证', en: 'Encrypted file, cannot be verified' },
  NOT_A_CERTIFICATE: { state: 'not_a_certificate', zh: '不是电子证书', en: 'Not a certificate' },
  SIGNATURE_INVALID: { state: 'modified', zh: '签章无效或不是原始文件', en: 'Seal invalid, or not the original file' },
  MODIFIED: { state: 'modified', zh: '签章后被改动，不是原始文件', en: 'Changed after sealing: not the original file' },
  UNTRUSTED_SEAL: { state: 'untrusted', zh: '印章不受信任', en: 'Untrusted seal' },
  SEAL_NOT_AUTHORIZED: { state: 'untrusted', zh: '印章无权为此证书作证', en: 'Seal not authorized for this certificate' },
  NOT_REGISTERED: { state: 'untrusted', zh: '登记库中无此证书', en: 'Not registered: never issued as sealed' },
  REVOKED: { state: 'revoked', zh: '已撤销', en: 'Revoked' },
  NON_CANONICAL: { state: 'modified', zh: '不是签发的原始文件', en: 'Not the original file issued' },
  ANNOTATION_INVALID: { state: 'annotation_problem', zh: '加注无效', en: 'Annotation not valid' },
  ANNOTATION_MISSING: { state: 'annotation_problem', zh: '缺少加注', en: 'Annotation missing' },
  ANNOTATION_EXPIRED: { state: 'annotation_problem', zh: '加注已过期', en: 'Annotation expired' },
  ANNOTATION_NOT_YET_VALID: { state: 'annotation_problem', zh: '加注尚未生效', en: 'Annotation not yet valid' },
  TRUST_LIST_EXPIRED: { state: 'status_unknown', zh: '信任列表已过期，无法确认', en: 'Trust list expired, cannot confirm' },
  STATUS_UNKNOWN: { state: 'status_unknown', zh: '签名有效，状态未知', en: 'Signature valid, status unknown' },
  VALID: { state: 'valid', zh: '有效', en: 'Valid' },
  // Made by the browser client when the core could not run (state broken).
  FILE_TOO_LARGE: { state: 'broken', zh: '文件过大，未验证', en: 'File too large, not checked' },
  VERIFIER_CRASHED: { state: 'broken', zh: '验证程序出错，无法验证', en: 'Verifier failed, cannot be verified' },
  VERIFIER_TIMEOUT: { state: 'broken', zh: '验证超时，无法验证', en: 'Timed out, cannot be verified' },
  TRUST_LIST_INVALID: { state: 'broken', zh: '信任列表无效，无法验证', en: 'Trust list invalid, cannot be verified' },
  VERIFIER_UNAVAILABLE: { state: 'broken', zh: '验证程序未能加载，无法验证', en: 'Verifier not loaded, cannot be verified' },
  FETCH_FAILED: { state: 'broken', zh: '文件无法读取，未验证', en: 'File could not be read, not checked' },
};

/**
 * A VALID whose status was not checked (no signed snapshot held, registry not asked: `status.state`
 * `not_checked`, or no status at all) is authentic, but not plainly valid: amber, with these words.
 */
export const NOT_CHECKED = { tone: 'warn', icon: '?', zh: '真实，状态未核验', en: 'Authentic — status not checked' };

/** Whether `v` is a VALID verdict whose revocation status was not checked. */
export function statusNotChecked(v) {
  return !!v && v.code === 'VALID' && v.state === 'valid' && (!v.status || !v.status.state || v.status.state === 'not_checked');
}

/**
 * The headline of a verdict: the tone and icon of its state, and the words of its code (or of its state, for a
 * code this build does not know). Tone and icon always follow `state`, so an unknown code is never green
 * unless the core said `valid` — and not even then when the status was not checked (NOT_CHECKED).
 */
export function headline(v) {
  if (statusNotChecked(v)) return { ...NOT_CHECKED };
  const info = stateInfo(v && v.state);
  const words = v && v.state !== 'pending' && Object.hasOwn(VERDICT_CODES, v.code) && VERDICT_CODES[v.code].state === v.state
    ? VERDICT_CODES[v.code] : info;
  return { tone: info.tone, icon: info.icon, zh: words.zh, en: words.en };
}

// States whose verdict carries an authentic signed record worth showing as fields.
export const AUTHENTIC_STATES = new Set(['valid', 'status_unknown', 'annotation_problem', 'revoked']);

export const OUTCOMES = {
  pass: { icon: '✓', zh: '通过', en: 'pass' },
  fail: { icon: '✕', zh: '未通过', en: 'fail' },
  warn: { icon: '!', zh: '注意', en: 'warning' },
  skipped: { icon: '–', zh: '未进行', en: 'skipped' },
};

export const CHECK_NAMES = {
  clock: { zh: '本机时间', en: 'Device clock' },
  structure: { zh: '文件结构', en: 'File structure' },
  signature: { zh: '电子签章', en: 'Seal signature' },
  modification: { zh: '签章后未改动', en: 'No change after sealing' },
  trust: { zh: '印章可信', en: 'Seal trusted' },
  canonical: { zh: '原始文件', en: 'Original file as issued' },
  authorization: { zh: '印章有权签发', en: 'Seal authorized' },
  record: { zh: '证书记录', en: 'Certificate record' },
  annotation: { zh: '加注', en: 'Annotation' },
  status: { zh: '证书状态', en: 'Certificate status' },
};

export const FIELDS = {
  holder_name: { zh: '姓名', en: 'Name' },
  id_number: { zh: '证件号码', en: 'ID number' },
  sex: { zh: '性别', en: 'Sex' },
  birth: { zh: '出生年月', en: 'Born' },
  qualification: { zh: '职业资格', en: 'Qualification' },
  approval_date: { zh: '批准日期', en: 'Approved' },
  issue_date: { zh: '制发日期', en: 'Issued' },
  management_number: { zh: '管理号', en: 'Management no.' },
  query_number: { zh: '查询编号', en: 'Query no.' },
  issuer: { zh: '发证机构', en: 'Issuer' },
  seal: { zh: '印章', en: 'Seal' },
  sealed_at: { zh: '可信时间戳时间', en: 'Time-stamped at' },
  annotation: { zh: '加注有效期', en: 'Annotation window' },
  status: { zh: '撤销状态', en: 'Revocation status' },
};

export const UI = {
  title: { zh: '电子证书验证', en: 'Certificate verification' },
  subtitle: {
    zh: '专业技术人员职业资格电子证书 · 文件只在本机验证，不会上传',
    en: 'Professional qualification e-certificates · checked on this device, never uploaded',
  },
  drop: { zh: '将证书 PDF 拖到这里，或', en: 'Drop certificate PDFs here, or' },
  pick: { zh: '选择文件', en: 'choose files' },
  pickOne: { zh: '选择证书 PDF', en: 'Choose a certificate PDF' },
  dropHint: { zh: '可一次选择多份；文件不会离开您的设备', en: 'Several at once is fine; files never leave your device' },
  fields: { zh: '证书信息（来自签章记录）', en: 'Certificate (from the sealed record)' },
  remove: { zh: '移除', en: 'Remove' },
  removeLabel: { zh: (n) => `移除 ${n}`, en: (n) => `Remove ${n}` },
  removeUnnamed: { zh: '此结果', en: 'this result' },
  removed: { zh: (n) => `已移除 ${n}`, en: (n) => `Removed ${n}` },
  zoom: { zh: '查看大图', en: 'Open full size' },
  zoomIn: { zh: '放大', en: 'Zoom in' },
  zoomOut: { zh: '缩小', en: 'Zoom out' },
  zoomFit: { zh: '适应宽度', en: 'Fit width' },
  zoomHint: { zh: '按住 Ctrl 滚动滚轮或双指缩放', en: 'Ctrl + scroll wheel or pinch to zoom' },
  previewSigned: { zh: '签章版本的第 1 页', en: 'page 1 of the sealed revision' },
  checks: { zh: '逐项检查', en: 'Checks' },
  modifications: { zh: '签章后的改动', en: 'Changes after sealing' },
  preview: { zh: '页面预览', en: 'Page preview' },
  previewNote: {
    zh: '预览只显示文件的外观，不代表验证结果。',
    en: 'The preview shows how the file looks; it proves nothing.',
  },
  previewFailed: { zh: '未通过验证 · 外观不可信', en: 'Not verified · do not trust its looks' },
  daysLeft: { zh: (n) => `剩余 ${n} 天`, en: (n) => `${n} day${n === 1 ? '' : 's'} left` },
  daysAgo: { zh: (n) => `已过期 ${n} 天`, en: (n) => `expired ${n} day${n === 1 ? '' : 's'} ago` },
  daysUntil: { zh: (n) => `${n} 天后生效`, en: (n) => `starts in ${n} day${n === 1 ? '' : 's'}` },
  lastDay: { zh: '今天是最后一天', en: 'last day today' },
  annNotRequired: { zh: '无需加注（2021年12月17日前协会颁发）', en: 'not required (association certificate before 2021-12-17)' },
  annMissing: { zh: '缺少必需的加注', en: 'required annotation missing' },
  annInvalid: { zh: '不符合信任列表的加注规则，无效', en: "breaks the trust list's rule: not valid" },
  statusNotChecked: {
    zh: '未核验：没有可用的状态快照',
    en: 'not checked: no status snapshot available',
  },
  statusUnknown: { zh: '状态未知：联网更新状态后再核验', en: 'unknown: connect to update the status, then check again' },
  statusValid: { zh: '未撤销', en: 'not revoked' },
  statusRevoked: { zh: '已撤销', en: 'revoked' },
  revokedAtUnknown: { zh: '快照未载明撤销时间', en: 'the snapshot gives no time of revocation' },
  statusNotRegistered: { zh: '登记库中无此证书', en: 'not in the registry' },
  statusStale: {
    zh: '状态快照已过期，无法确认是否撤销：请联网更新状态后再核验',
    en: 'the status snapshot is too old to confirm it is not revoked: connect to update the status, then check again',
  },
  statusNotCovered: {
    zh: '证书在状态快照之后才盖章，快照无法确认其状态：请联网更新状态后再核验',
    en: 'sealed after the status snapshot, which cannot tell its status: connect to update the status, then check again',
  },
  // Where the snapshot came from: compiled into this build, or fetched from the status service.
  snapshotFrom: {
    zh: (n, at, origin) => `依据${origin === 'edge' ? '状态服务的' : '内置'}状态快照第 ${n} 号，${at} 签发`,
    en: (n, at, origin) => `per the ${origin === 'edge' ? "status service's" : 'bundled'} status snapshot no. ${n}, signed ${at}`,
  },
  clockBehind: { zh: '本机时间有误', en: 'Device clock is wrong' },
  // STATES of `status.state` (docs/verdict.md), for tables and the receipt view.
  statusStates: {
    not_checked: { zh: '未核验', en: 'not checked' },
    unknown: { zh: '未知', en: 'unknown' },
    stale: { zh: '快照过期', en: 'snapshot too old' },
    not_covered: { zh: '快照未覆盖', en: 'not covered by the snapshot' },
    not_registered: { zh: '未登记', en: 'not registered' },
    valid: { zh: '未撤销', en: 'not revoked' },
    revoked: { zh: '已撤销', en: 'revoked' },
  },
  asOf: { zh: '查询时间', en: 'as of' },
  reason: { zh: '原因', en: 'reason' },
  file: { zh: '文件', en: 'File' },
  result: { zh: '结果', en: 'Result' },
  code: { zh: '代码', en: 'Code' },
  summary: { zh: '说明', en: 'Reason' },
  table: { zh: '验证汇总', en: 'Summary' },
  exportCsv: { zh: '导出 CSV', en: 'Export CSV' },
  clearAll: { zh: '全部清除', en: 'Clear all' },
  tableRegion: { zh: '验证汇总表', en: 'Summary table' },
  results: { zh: '验证结果', en: 'Results' },
  lang: { zh: 'English', en: '中文' },
  langLabel: { zh: 'Switch to English', en: '切换到中文' },
  trustBundled: { zh: '信任列表：内置快照', en: 'Trust list: bundled snapshot' },
  trustEdge: { zh: '信任列表：已从状态服务更新', en: 'Trust list: updated from the status service' },
  trustRefused: {
    zh: '状态服务提供的信任列表未通过验证，已拒绝使用',
    en: 'The trust list from the status service failed verification and was refused',
  },
  trustUnavailable: {
    zh: '无法获取最新信任列表，使用内置快照',
    en: 'Could not fetch the latest trust list; using the bundled snapshot',
  },
  trustExpired: {
    zh: (d) => `信任列表已于 ${d} 过期：无法确认任何证书，请联网更新信任列表`,
    en: (d) => `The trust list expired on ${d}: no certificate can be confirmed; connect to update the trust list`,
  },
  verifierUnavailable: {
    zh: '验证程序未能加载（脚本、Web Worker 或 wasm 被拦截或缺失），无法验证证书',
    en: 'The verifier could not be loaded (its script, Web Worker or wasm was blocked or is missing); nothing can be verified',
  },
  trustBroken: { zh: '内置信任列表无法验证，无法进行任何验证', en: 'The bundled trust list does not verify; nothing can be verified' },
  sequence: { zh: '序号', en: 'sequence' },
  edgeOn: { zh: '状态服务', en: 'Status service' },
  edgeOff: {
    zh: '未配置状态服务：撤销状态只依据内置状态快照',
    en: 'No status service: revocation is checked against the bundled status snapshot only',
  },
  snapshotPill: {
    zh: (n, at, origin) => `状态快照：${origin === 'edge' ? '已从状态服务更新' : '内置'}（第 ${n} 号，${at} 签发）`,
    en: (n, at, origin) => `Status snapshot: ${origin === 'edge' ? 'updated from the status service' : 'bundled'} (no. ${n}, signed ${at})`,
  },
  snapshotNone: { zh: '没有状态快照：撤销状态未核验', en: 'No status snapshot: revocation is not checked' },
  snapshotBundledRefused: { zh: '内置状态快照未通过验证', en: 'the bundled status snapshot failed verification' },
  snapshotStale: {
    zh: (at) => `状态快照（${at} 签发）已过期：无法确认证书未被撤销，请联网更新状态`,
    en: (at) => `The status snapshot (signed ${at}) is too old: no certificate can be confirmed as not revoked; connect to update the status`,
  },
  statusUnavailable: {
    zh: '无法从状态服务获取最新状态快照，使用已有快照',
    en: 'Could not fetch the latest status snapshot; using the one held',
  },
  statusRefused: {
    zh: '状态服务提供的状态快照未通过验证，已拒绝使用',
    en: 'The status snapshot from the status service failed verification and was refused',
  },
  // The page's footer links to the holder pages (issue 18), in the page's language like the rest of it.
  holderLink: { zh: '持证人：我的证书', en: 'Holders: my certificates' },
  lookupLink: { zh: '证书查验', en: 'Certificate lookup' },
  privacy: {
    zh: '验证在浏览器内完成：证书文件不上传。撤销状态依据登记机构签名的状态快照在本机核对，不会为任何一份证书单独发出查询。',
    en: "Verification runs in your browser; the file is not uploaded. Revocation is checked on this device against the registry's signed status snapshot; no request is made about any single certificate.",
  },
  // Receipts (docs/verdict.md "Receipts").
  receipt: { zh: '回执', en: 'Receipt' },
  receiptJson: { zh: '下载回执（JSON）', en: 'Download receipt (JSON)' },
  receiptView: { zh: '查看并打印回执', en: 'View and print receipt' },
  receiptPrint: { zh: '打印', en: 'Print' },
  receiptClose: { zh: '关闭', en: 'Close' },
  receiptTitle: { zh: '电子证书核验回执', en: 'Certificate verification receipt' },
  receiptFailed: { zh: '无法生成回执', en: 'Could not make a receipt' },
  receiptFile: { zh: '文件', en: 'File' },
  receiptFileName: { zh: '文件名', en: 'File name' },
  receiptSize: { zh: '大小', en: 'Size' },
  receiptSha: { zh: '文件 SHA-256', en: 'File SHA-256' },
  receiptVerdict: { zh: '核验结论', en: 'Verdict' },
  receiptCheckedAt: { zh: '核验时间', en: 'Time of check' },
  receiptClock: { zh: '本机时间', en: 'Device clock' },
  receiptCert: { zh: '证书', en: 'Certificate' },
  receiptStatusId: { zh: '本件状态标识', en: 'Copy status id' },
  receiptAnnotationNo: { zh: '加注编号', en: 'Annotation no.' },
  receiptTrust: { zh: '信任列表', en: 'Trust list' },
  receiptSnapshot: { zh: '状态快照', en: 'Status snapshot' },
  receiptSnapshotNone: { zh: '无（撤销状态未核验）', en: 'none (revocation not checked)' },
  receiptSignature: { zh: '快照签名', en: 'Snapshot signature' },
  receiptSigner: { zh: '签名密钥', en: 'Signed by' },
  receiptMadeBy: { zh: '生成程序', en: 'Made by' },
  receiptProves: { zh: '回执能证明', en: 'What it proves' },
  receiptNotProves: { zh: '回执不能证明', en: 'What it does not prove' },
  receiptProvesList: {
    zh: [
      '被核验的是哪一份文件（SHA-256）；',
      '核验所依据的信任列表（由根密钥签名，原文附在回执中）；',
      '登记机构签名的状态快照在其签发时对该证书的撤销状态；',
      '用 `ecert receipt verify 回执.json 证书.pdf --root 根公钥.pem` 可离线复核以上各项并重新得出结论。',
    ],
    en: [
      'which exact file was checked (SHA-256);',
      'the trust list the check ran under (root-signed, carried verbatim);',
      "what the registry's signed status snapshot said about this certificate at its signed time;",
      're-check it all offline, verdict included: `ecert receipt verify RECEIPT.json FILE.pdf --root ROOT.pem`.',
    ],
  },
  receiptNotProvesList: {
    zh: [
      '回执未经核验方签名：不能证明核验确实在所述时间进行，只能证明核验时间不早于状态快照的签名时间；',
      '快照签发之后的撤销；',
      '出示证书的人就是持证人本人。',
    ],
    en: [
      'the receipt is not signed by whoever checked: not that the check happened at the time it states, only that it was not before the snapshot\'s signed time;',
      'any revocation after the snapshot;',
      'that whoever presented the certificate is its holder.',
    ],
  },
  bytes: { zh: '字节', en: 'bytes' },
  male: { zh: '男', en: 'male' },
  female: { zh: '女', en: 'female' },
  masked: { zh: '已遮盖', en: 'masked' },
  verifying: { zh: '正在验证', en: 'Verifying' },
  done: { zh: '验证完成', en: 'Verified' },
  files: { zh: '份文件', en: 'files' },
  style: { zh: '样式', en: 'style' },
};

/** Pick the language variant of a `{zh, en}` pair (or a function variant with args). */
export function t(entry, lang, ...args) {
  if (!entry) return '';
  const v = normLang(lang) === 'en' ? entry.en : entry.zh;
  return typeof v === 'function' ? v(...args) : v;
}

/** `text` in brackets with the language's punctuation: `（text）` in Chinese, ` (text)` in English. */
export function paren(text, lang) {
  if (text === undefined || text === null || text === '') return '';
  return normLang(lang) === 'en' ? ` (${text})` : `（${text}）`;
}

/** The colon between a label and its value: `：` in Chinese, `: ` in English. */
export function colon(lang) {
  return normLang(lang) === 'en' ? ': ' : '：';
}

/** A verdict-provided `{zh, en}` text. */
export function vt(obj, lang) {
  if (!obj) return '';
  return normLang(lang) === 'en' ? obj.en || obj.zh || '' : obj.zh || obj.en || '';
}

const pad = (n) => String(n).padStart(2, '0');

/** Unix seconds → `YYYY-MM-DD HH:MM` in China time (UTC+8), as every date of the format is. */
export function chinaTime(unix) {
  if (typeof unix !== 'number' || !Number.isFinite(unix)) return '';
  const d = new Date((unix + 8 * 3600) * 1000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

export function formatSize(n) {
  if (typeof n !== 'number') return '';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10240 ? 1 : 0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
