// 生僻字输入: a [生僻字输入] button beside a name field opens a dialog — type pinyin (tones optional, ü as v, or a
// tone digit: yan3), a radical and its residual strokes (亻6, 人6, 人+6: 部首 + 笔画, as dictionaries index), or a
// Unicode code point (U+2020C) — and pick the character; it is inserted at the caret of the name field, which gets
// the focus back. The data (rare-chars.json, scripts/gen-rare-chars.py: Unihan kMandarin of CJK Ext A + Ext B + URO
// outside GB 2312) is fetched the first time a dialog opens; rare-radicals.json (kRSUnicode of those characters and
// of the Ext A/B characters with no Mandarin reading, such as 𠈌) only when a query is a radical.
//
//   import { attachPicker } from '../picker/picker.js';
//   const picker = attachPicker(input, { lang: () => 'zh-CN' | 'en', label: () => '姓名' });
//   picker.relabel();   // after a language switch
//
// Accessibility: the pinyin field is a combobox (aria-controls the listbox, aria-activedescendant the active
// option); ↑/↓ (and PageUp/PageDown) move, Enter or a click picks, Esc closes (the native dialog's cancel).

const DATA_URL = new URL('./rare-chars.json', import.meta.url).href;
const RADICALS_URL = new URL('./rare-radicals.json', import.meta.url).href;
const MAX_RESULTS = 400;
const MARKS = { '\u0304': 1, '\u0301': 2, '\u030c': 3, '\u0300': 4 };
const MARK_OF = ['', '\u0304', '\u0301', '\u030c', '\u0300'];

const TEXT = {
  button: { zh: '生僻字输入', en: 'Rare character' },
  buttonLabel: { zh: (f) => `生僻字输入：按拼音或部首查找${f}中的字`, en: (f) => `Rare character input: find a character of the ${f} by pinyin or radical` },
  title: { zh: '生僻字输入', en: 'Rare character input' },
  query: { zh: '拼音或部首', en: 'Pinyin or radical' },
  hint: {
    zh: '输入拼音（声调可省，ü 写作 v，可加声调数字，如 yan、lv、yan3）；或部首加部首外笔画数（如 亻6、人6、氵5，偏旁写法亦可）；或 Unicode 码位（如 U+2020C）。↑↓ 选择，回车确认，Esc 关闭。',
    en: 'Type the pinyin (tones optional, ü as v, a tone digit allowed: yan, lv, yan3); or a radical and the strokes outside it (亻6, 人6, 氵5; variant forms too); or a Unicode code point (U+2020C). ↑↓ to choose, Enter to insert, Esc to close.',
  },
  list: { zh: '候选字', en: 'Characters' },
  loading: { zh: '正在加载字库…', en: 'Loading the character list…' },
  failed: { zh: '字库加载失败，请稍后重试。', en: 'The character list could not be loaded; try again later.' },
  empty: { zh: '请输入拼音或部首。', en: 'Type the pinyin or a radical.' },
  found: { zh: (n, more) => `找到 ${n} 个字${more ? `（显示前 ${MAX_RESULTS} 个，加声调数字可缩小范围）` : ''}`, en: (n, more) => `${n} character${n === 1 ? '' : 's'} found${more ? ` (the first ${MAX_RESULTS} shown; add a tone digit to narrow)` : ''}` },
  none: {
    zh: (q) => `没有读音为“${q}”的生僻字。常用字（GB 2312 内的字）请直接用输入法输入；没有拼音读音的字可按部首和笔画查找，如 亻6。`,
    en: (q) => `No rare character reads “${q}”. Common characters (GB 2312) are typed with any input method; a character without a pinyin reading can be found by radical and strokes, e.g. 亻6.`,
  },
  noneRadical: {
    zh: (r, n) => `部首“${r}”${n === null ? '' : `外 ${n} 画`}没有生僻字。笔画数不含部首本身。`,
    en: (r, n) => `No rare character with the radical “${r}”${n === null ? '' : ` and ${n} more stroke${n === 1 ? '' : 's'}`}. The count leaves out the radical's own strokes.`,
  },
  radicalFound: {
    zh: (r, nums, n, more) => `部首 ${r}（康熙部首 ${nums}）：找到 ${n} 个字${more ? `（显示前 ${MAX_RESULTS} 个，加笔画数可缩小范围）` : ''}`,
    en: (r, nums, n, more) => `Radical ${r} (Kangxi ${nums}): ${n} character${n === 1 ? '' : 's'} found${more ? ` (the first ${MAX_RESULTS} shown; add the stroke count to narrow)` : ''}`,
  },
  notRadical: {
    zh: (r) => `“${r}”不是部首。请输入部首或偏旁（如 亻、氵、扌、艹、钅），后加部首外笔画数，如 亻6。`,
    en: (r) => `“${r}” is not a radical. Type a radical or its variant form (亻, 氵, 扌, 艹, 钅) and the strokes outside it, e.g. 亻6.`,
  },
  close: { zh: '关闭', en: 'Close' },
  noReading: { zh: '无拼音读音', en: 'no pinyin reading' },
  inserted: { zh: (c) => `已插入“${c}”`, en: (c) => `Inserted “${c}”` },
};

let dataPromise = null;
let radicalsPromise = null;

// Radical forms as written inside characters (偏旁) → Kangxi radical numbers; "'" is Unihan's simplified form
// (讠 149'). The 214 radicals themselves come from rare-radicals.json ("radicals", CJKRadicals.txt), and the Kangxi
// Radicals block U+2F00–U+2FD5 normalises (NFKC) to them.
const VARIANTS = {
  亻: ['9'], 𠆢: ['9'], 氵: ['85'], 冫: ['15'], 扌: ['64'], 讠: ["149'", '149'], 钅: ["167'", '167'], 纟: ["120'", '120'],
  糹: ['120'], 艹: ['140'], 䒑: ['140'], 忄: ['61'], 㣺: ['61'], 礻: ['113'], 衤: ['145'], 阝: ['170', '163'], 犭: ['94'],
  饣: ["184'", '184'], 飠: ['184'], 月: ['74', '130'], 刂: ['18'], 攵: ['66'], 灬: ['86'], 爫: ['87'], 罒: ['122'],
  𦉰: ['122'], 王: ['96'], 𤣩: ['96'], 耂: ['125'], 辶: ['162'], 廴: ['54'], 彐: ['58'], 彑: ['58'], 龶: ['96'], 丬: ["90'", '90'],
  牜: ['93'], 𧾷: ['157'], 𠂉: ['4'], 罓: ['122'], 疒: ['104'], 癶: ['105'], 旡: ['71'], 兂: ['71'], 尣: ['43'], 𡗜: ['43'],
  卪: ['26'], 㔾: ['26'], 乚: ['5'], 𠃊: ['5'], 川: ['47'], 巜: ['47'], 龵: ['64'], 龷: ['12'], 覀: ['146'], 西: ['146'],
  镸: ['168'], 长: ["168'", '168'], 门: ["169'", '169'], 页: ["181'", '181'], 风: ["182'", '182'], 马: ["187'", '187'],
  鱼: ["195'", '195'], 鸟: ["196'", '196'], 贝: ["154'", '154'], 见: ["147'", '147'], 车: ["159'", '159'], 齿: ["211'", '211'],
  龙: ["212'", '212'], 龟: ["213'", '213'], 韦: ["178'", '178'], 麦: ["199'", '199'], 黾: ["205'", '205'], 卤: ["197'", '197'],
};
let seq = 0;

/** The toned syllable from a key and tone digit: the mark on a or e, on the o of ou, else on the last vowel. */
export function toned(key, tone) {
  const s = key.replace(/v/g, 'ü');
  if (tone === 5 || !MARK_OF[tone]) return s;
  let i = s.indexOf('a');
  if (i < 0) i = s.indexOf('e');
  if (i < 0 && s.includes('ou')) i = s.indexOf('o');
  if (i < 0) {
    i = -1;
    for (let j = 0; j < s.length; j++) if ('iouü'.includes(s[j])) i = j;
    if (i < 0) i = 0;
  }
  return (s.slice(0, i + 1) + MARK_OF[tone] + s.slice(i + 1)).normalize('NFC');
}

/** '  Yǎn ' → {key: 'yan', tone: 3}; 'lü4' / 'lv' / 'lu:' → key 'lv'; 'U+2020C' → {codePoint: 0x2020C}. */
export function parseQuery(q) {
  const s = String(q || '').trim().toLowerCase();
  // A code point: U+2020C, 0x2020C, or bare hex starting with a digit (no pinyin syllable does).
  const cp = /^(u\+|0x)?([0-9a-f]{4,5})$/.exec(s);
  if (cp && (cp[1] || /^[0-9]/.test(cp[2]))) return { codePoint: parseInt(cp[2], 16) };
  let tone = 0;
  let key = '';
  for (const ch of s.normalize('NFD')) {
    if (MARKS[ch]) tone = MARKS[ch];
    else if (ch === '\u0308') key = key.replace(/u$/, 'v');
    else if (/[1-5]/.test(ch)) tone = Number(ch);
    else if (/[a-z]/.test(ch)) key += ch;
    else if (ch === ':' && key.endsWith('u')) key = `${key.slice(0, -1)}v`;
  }
  return { key, tone };
}

/**
 * A radical query: '亻6' / '人 6' / '人+6' / '⼈6' / '人' → {radical: '亻', strokes: 6 | null}; anything else null.
 * The radical is one character (NFKC, so U+2F08 ⼈ is 人) followed by nothing or a stroke count 0–64.
 */
export function parseRadicalQuery(q) {
  const m = /^\s*(\S)\s*(?:[+＋]\s*)?([0-9０-９]{1,2})?\s*$/u.exec(String(q || '').normalize('NFKC'));
  if (!m || !/\p{Script=Han}/u.test(m[1])) return null;
  const strokes = m[2] === undefined ? null : Number(m[2].replace(/[０-９]/g, (d) => String(d.charCodeAt(0) - 0xFF10)));
  return { radical: m[1], strokes };
}

/** Loads the radical index once: {numbers: Map(radical form → ['9', …]), rs: Map(radical → Map(strokes → [ch]))}. */
export function loadRadicals(url = RADICALS_URL) {
  radicalsPromise ??= fetch(url).then((r) => {
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    return r.json();
  }).then((j) => {
    const numbers = new Map();
    const addForm = (form, num) => {
      const l = numbers.get(form);
      if (!l) numbers.set(form, [num]); else if (!l.includes(num)) l.push(num);
    };
    for (const [num, ch] of Object.entries(j.radicals)) addForm(ch, num);
    for (const [form, nums] of Object.entries(VARIANTS)) for (const n of nums) addForm(form, n);
    // A traditional radical's query finds its simplified form's characters too (金 → 钅 167'), and back.
    for (const [form, nums] of numbers) {
      for (const n of [...nums]) {
        const other = n.endsWith("'") ? n.slice(0, -1) : `${n}'`;
        if (j.rs[other] && !nums.includes(other)) nums.push(other);
      }
      numbers.set(form, nums);
    }
    const rs = new Map();
    for (const [num, runs] of Object.entries(j.rs)) {
      const by = new Map();
      for (const run of runs.split(';')) {
        const i = run.indexOf(':');
        by.set(Number(run.slice(0, i)), Array.from(run.slice(i + 1)));
      }
      rs.set(num, by);
    }
    return { numbers, rs, count: j.count };
  }).catch((e) => { radicalsPromise = null; throw e; });
  return radicalsPromise;
}

/** Candidates for a radical query: the characters of each radical number the form stands for, by strokes. */
export function searchRadical(data, radicals, p) {
  const nums = radicals.numbers.get(p.radical);
  if (!nums) return null;
  const out = [];
  const seen = new Set();
  const strokes = new Set();
  for (const n of nums) for (const s of (radicals.rs.get(n) || new Map()).keys()) strokes.add(s);
  for (const s of [...strokes].sort((a, b) => a - b)) {
    if (p.strokes !== null && s !== p.strokes) continue;
    for (const n of nums) {
      for (const ch of radicals.rs.get(n)?.get(s) || []) {
        if (seen.has(ch)) continue;
        seen.add(ch);
        out.push({ ch, readings: data.readings.get(ch) || [], strokes: s });
      }
    }
  }
  return { nums: nums.map((n) => n.replace("'", '′')), results: out };
}

/** A CJK Unified Ideograph (any block, compatibility ideographs excluded). */
export function isCjkIdeograph(cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
    || (cp >= 0x2A700 && cp <= 0x2EBEF) || (cp >= 0x30000 && cp <= 0x323AF);
}

/** Loads and indexes the data once: {keys: Map(key → [{ch, tone}]), readings: Map(ch → ['yǎn'])}. */
export function loadData(url = DATA_URL) {
  dataPromise ??= fetch(url).then((r) => {
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    return r.json();
  }).then((j) => {
    const keys = new Map();
    const readings = new Map();
    for (const [key, run] of Object.entries(j.keys)) {
      const list = [];
      const cps = Array.from(run);
      for (let i = 0; i + 1 < cps.length; i += 2) {
        const ch = cps[i];
        const tone = Number(cps[i + 1]);
        list.push({ ch, tone });
        const r = readings.get(ch);
        const t = toned(key, tone);
        if (r) { if (!r.includes(t)) r.push(t); } else readings.set(ch, [t]);
      }
      keys.set(key, list);
    }
    return { keys, readings, count: j.count };
  }).catch((e) => { dataPromise = null; throw e; });
  return dataPromise;
}

/** Candidates for a query: the key's characters (of that tone, when one is given), then keys it begins. */
export function search(data, q) {
  const p = parseQuery(q);
  if (p.codePoint !== undefined) {
    if (!isCjkIdeograph(p.codePoint)) return [];
    const ch = String.fromCodePoint(p.codePoint);
    return [{ ch, readings: data.readings.get(ch) || [] }];
  }
  if (!p.key) return [];
  const out = [];
  const seen = new Set();
  const add = (key) => {
    for (const e of data.keys.get(key) || []) {
      if (p.tone && e.tone !== p.tone) continue;
      if (seen.has(e.ch)) continue;
      seen.add(e.ch);
      out.push({ ch: e.ch, readings: data.readings.get(e.ch) || [] });
    }
  };
  add(p.key);
  for (const key of [...data.keys.keys()].sort()) if (key !== p.key && key.startsWith(p.key)) add(key);
  return out;
}

function hex(ch) { return `U+${ch.codePointAt(0).toString(16).toUpperCase().padStart(4, '0')}`; }

function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v; else e.setAttribute(k, v === true ? '' : v);
  }
  e.append(...kids.flat().filter((k) => k !== null && k !== undefined));
  return e;
}

/**
 * Adds a [生僻字输入] button after `input` (or into `options.slot`). `lang()` gives 'zh-CN' or 'en', `label()` the
 * field's name as the page shows it (姓名). Returns {button, dialog, open(), relabel()}.
 */
export function attachPicker(input, { lang = () => 'zh-CN', label = () => '姓名', slot = null, dataUrl = DATA_URL, radicalsUrl = RADICALS_URL } = {}) {
  const id = `picker-${++seq}`;
  const L = () => (lang() === 'en' ? 'en' : 'zh');
  const tx = (k, ...a) => { const v = TEXT[k][L()]; return typeof v === 'function' ? v(...a) : v; };
  const button = el('button', { type: 'button', class: 'picker-open', 'aria-haspopup': 'dialog', 'aria-controls': `${id}-dialog`, 'data-picker-for': input.id || null });
  const q = el('input', {
    id: `${id}-q`, type: 'text', class: 'picker-q', role: 'combobox', 'aria-autocomplete': 'list', 'aria-expanded': 'false',
    'aria-controls': `${id}-list`, 'aria-describedby': `${id}-hint`, autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false',
  });
  const qLabel = el('label', { for: `${id}-q`, class: 'picker-label' });
  const hint = el('p', { id: `${id}-hint`, class: 'picker-hint' });
  const status = el('p', { id: `${id}-status`, class: 'picker-status', role: 'status', 'aria-live': 'polite' });
  const list = el('div', { id: `${id}-list`, class: 'picker-list', role: 'listbox', tabindex: '-1' });
  const title = el('h2', { id: `${id}-title`, class: 'picker-title' });
  const close = el('button', { type: 'button', class: 'picker-close' });
  const dialog = el('dialog', { id: `${id}-dialog`, class: 'picker-dialog', 'aria-labelledby': `${id}-title` },
    el('div', { class: 'picker-head' }, title, close), qLabel, q, hint, status, list);
  (slot || input).insertAdjacentElement(slot ? 'beforeend' : 'afterend', button);
  document.body.append(dialog);

  let results = [];
  let active = -1;
  let caret = null; // [start, end] of the name field when the dialog opened
  let data = null;
  let radicals = null;
  let radicalsLoading = false;

  function relabel() {
    button.textContent = tx('button');
    button.setAttribute('aria-label', tx('buttonLabel', label()));
    button.lang = L() === 'en' ? 'en' : 'zh-CN';
    dialog.lang = L() === 'en' ? 'en' : 'zh-CN';
    title.textContent = tx('title');
    qLabel.textContent = tx('query');
    hint.textContent = tx('hint');
    list.setAttribute('aria-label', tx('list'));
    close.textContent = tx('close');
    if (dialog.open) render();
  }

  function setActive(i) {
    const opts = list.children;
    if (active >= 0 && opts[active]) opts[active].setAttribute('aria-selected', 'false');
    active = results.length ? Math.max(0, Math.min(results.length - 1, i)) : -1;
    if (active >= 0) {
      const o = opts[active];
      o.setAttribute('aria-selected', 'true');
      q.setAttribute('aria-activedescendant', o.id);
      o.scrollIntoView({ block: 'nearest' });
    } else q.removeAttribute('aria-activedescendant');
  }

  function render() {
    list.replaceChildren();
    active = -1;
    q.removeAttribute('aria-activedescendant');
    if (!data) return;
    const text = q.value.trim();
    const rq = parseRadicalQuery(text);
    let all;
    let message;
    if (rq && !radicals) {
      // The radical index is fetched the first time a query is a radical.
      results = [];
      q.setAttribute('aria-expanded', 'false');
      list.hidden = true;
      status.textContent = tx('loading');
      if (!radicalsLoading) {
        radicalsLoading = true;
        loadRadicals(radicalsUrl).then((r) => { radicals = r; }, () => {}).finally(() => {
          radicalsLoading = false;
          if (!dialog.open) return;
          if (radicals) render(); else if (parseRadicalQuery(q.value.trim())) status.textContent = tx('failed');
        });
      }
      return;
    }
    if (rq) {
      const r = searchRadical(data, radicals, rq);
      all = r ? r.results : [];
      message = !r ? tx('notRadical', rq.radical) : all.length ? tx('radicalFound', rq.radical, r.nums.join(', '), all.length, all.length > MAX_RESULTS) : tx('noneRadical', rq.radical, rq.strokes);
    } else {
      all = text ? search(data, text) : [];
      message = !text ? tx('empty') : all.length ? tx('found', all.length, all.length > MAX_RESULTS) : tx('none', text);
    }
    results = all.slice(0, MAX_RESULTS);
    results.forEach((r, i) => {
      const reading = r.readings.length ? r.readings.join(' / ') : tx('noReading');
      list.append(el('div', {
        id: `${id}-o${i}`, role: 'option', class: 'picker-option', 'aria-selected': 'false', 'data-char': r.ch,
      }, el('span', { class: 'picker-char', lang: 'zh-CN' }, r.ch), ' ',
      el('span', { class: 'picker-reading', lang: 'zh-Latn-pinyin' }, reading), ' ',
      el('span', { class: 'picker-cp' }, hex(r.ch))));
    });
    q.setAttribute('aria-expanded', results.length ? 'true' : 'false');
    list.hidden = !results.length;
    status.textContent = message;
    if (results.length) setActive(0);
  }

  function pick(i) {
    const r = results[i];
    if (!r) return;
    const [start, end] = caret || [input.value.length, input.value.length];
    input.setRangeText(r.ch, start, end, 'end');
    caret = [start + r.ch.length, start + r.ch.length];
    input.dispatchEvent(new Event('input', { bubbles: true }));
    shut();
  }

  // Closing (Esc, 关闭, a pick, the backdrop): the focus goes back to the name field, the caret after what was
  // inserted — at once, not only when the dialog's close event arrives (it comes a task later).
  function restore() {
    input.focus();
    if (caret) input.setSelectionRange(caret[0], caret[1]);
  }
  function shut() {
    if (dialog.open) dialog.close();
    restore();
  }

  async function open() {
    caret = [input.selectionStart ?? input.value.length, input.selectionEnd ?? input.value.length];
    relabel();
    q.value = '';
    results = [];
    list.replaceChildren();
    list.hidden = true;
    dialog.showModal();
    q.focus();
    if (!data) {
      status.textContent = tx('loading');
      try {
        data = await loadData(dataUrl);
      } catch {
        status.textContent = tx('failed');
        return;
      }
    }
    render();
  }

  button.addEventListener('click', open);
  close.addEventListener('click', shut);
  q.addEventListener('input', render);
  q.addEventListener('keydown', (e) => {
    if (e.isComposing) return;
    if (e.key === 'ArrowDown') { e.preventDefault(); setActive(active + 1); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); setActive(active - 1); }
    else if (e.key === 'PageDown') { e.preventDefault(); setActive(active + 10); }
    else if (e.key === 'PageUp') { e.preventDefault(); setActive(active - 10); }
    else if (e.key === 'Enter') { e.preventDefault(); if (active >= 0) pick(active); }
  });
  list.addEventListener('click', (e) => {
    const o = e.target.closest('[role=option]');
    if (o) pick([...list.children].indexOf(o));
  });
  // Esc closes through the native cancel: the browser gives the focus back to the button, and this puts it in the
  // name field. After a pick or 关闭 the focus is already there (shut) — and may have moved on by the time this event
  // arrives (a fast typist's Tab, or a script filling the next field): it is then left where it is.
  dialog.addEventListener('close', () => {
    const a = document.activeElement;
    if (!a || a === document.body || a === button || dialog.contains(a)) restore();
  });
  // A click on the backdrop closes too.
  dialog.addEventListener('click', (e) => { if (e.target === dialog) shut(); });

  relabel();
  return { button, dialog, open, relabel };
}
