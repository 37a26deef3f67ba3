// The UI's words cover the core's vocabulary: every verdict code (with the core's state, which sets the colour)
// and every check id of crates/ecert-verify/src/verdict.rs has Chinese and English text, and the widget's types
// name every code. No browser needed: i18n.js is a plain module.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { ROOT } from './support/fixture.mjs';

const i18n = await import(join(ROOT, 'www/widget/src/i18n.js'));
const verdictRs = readFileSync(join(ROOT, 'crates/ecert-verify/src/verdict.rs'), 'utf8');
const snake = (camel) => camel.replace(/[A-Z]/g, (c, i) => (i ? '_' : '') + c.toLowerCase());

/** `VerdictCode::X` → its machine string, and → its state, as the core's `as_str` and `state` say. */
function coreCodes() {
  const asStr = new Map([...verdictRs.matchAll(/VerdictCode::(\w+) => "([A-Z_]+)"/g)].map((m) => [m[1], m[2]]));
  const body = verdictRs.slice(verdictRs.indexOf('pub fn state(self)'), verdictRs.indexOf('impl core::fmt::Display'));
  const state = new Map();
  for (const m of body.matchAll(/((?:\s*\|?\s*VerdictCode::\w+)+)\s*=>\s*(?:\{\s*)?VerdictState::(\w+)/g)) {
    for (const v of m[1].matchAll(/VerdictCode::(\w+)/g)) state.set(asStr.get(v[1]), snake(m[2]));
  }
  return { codes: [...asStr.values()], state };
}

test('every verdict code of the core has zh and en headline words and the core\'s state', () => {
  const { codes, state } = coreCodes();
  assert.ok(codes.length >= 16, `parsed the core's codes: ${codes}`);
  for (const code of codes) {
    const e = i18n.VERDICT_CODES[code];
    assert.ok(e, `VERDICT_CODES has ${code}`);
    assert.ok(e.zh && /[\u4e00-\u9fff]/.test(e.zh), `${code}: Chinese words`);
    assert.ok(e.en && /^[A-Z]/.test(e.en), `${code}: English words`);
    assert.equal(e.state, state.get(code), `${code}: state as the core says`);
    // A status checked against a signed snapshot (VALID with status not checked is amber: below).
    const h = i18n.headline({ code, state: state.get(code), status: { state: 'valid', source: 'snapshot' } });
    assert.equal(h.zh, e.zh);
    assert.equal(h.tone === 'ok', code === 'VALID', `${code}: only VALID is green (${h.tone})`);
  }
  // Amber, not red and not green: cannot confirm / annotation problems.
  for (const code of ['TRUST_LIST_EXPIRED', 'STATUS_UNKNOWN', 'ANNOTATION_INVALID']) {
    assert.equal(i18n.headline({ code, state: state.get(code) }).tone, 'warn', code);
  }
  for (const code of ['NON_CANONICAL', 'ENCRYPTED', 'SEAL_NOT_AUTHORIZED']) {
    assert.equal(i18n.headline({ code, state: state.get(code) }).tone, 'bad', code);
  }
  // The headline of SEAL_NOT_AUTHORIZED says what its summary says: a trusted seal that may not vouch for this
  // certificate, not an untrusted seal.
  const sna = i18n.headline({ code: 'SEAL_NOT_AUTHORIZED', state: 'untrusted' });
  assert.match(sna.zh, /无权/);
  assert.match(sna.en, /not authorized/);
  assert.doesNotMatch(`${sna.zh} ${sna.en}`, /不受信任|[Uu]ntrusted/);
  // A code this build does not know takes its state's words and colour; never green unless the state is valid.
  assert.equal(i18n.headline({ code: 'SOMETHING_NEW', state: 'modified' }).tone, 'bad');
  assert.equal(i18n.headline({ code: 'VALID', state: 'status_unknown' }).tone, 'warn', 'the state decides the colour');
  // No silent "not checked": a VALID whose status was not checked (or carries no status) is amber, never 有效.
  for (const status of [{ state: 'not_checked', source: 'none' }, undefined, {}]) {
    const nc = i18n.headline({ code: 'VALID', state: 'valid', status });
    assert.equal(nc.tone, 'warn', JSON.stringify(status));
    assert.equal(nc.zh, '真实，状态未核验');
    assert.equal(nc.en, 'Authentic — status not checked');
  }
  assert.equal(i18n.headline({ code: 'NOT_REGISTERED', state: 'untrusted' }).tone, 'bad');
});

test('every status state, status check code and the clock check have words', () => {
  const statusRs = readFileSync(join(ROOT, 'crates/ecert-verify/src/status_check.rs'), 'utf8');
  const states = [...new Set([...statusRs.matchAll(/view\.state = "(\w+)"/g)].map((m) => m[1]))];
  for (const s of ['not_checked', 'unknown', 'stale', 'not_covered', 'not_registered', 'valid', 'revoked']) {
    if (!states.includes(s)) states.push(s);
  }
  const render = readFileSync(join(ROOT, 'www/widget/src/render.js'), 'utf8');
  for (const s of states) {
    const w = i18n.UI.statusStates[s];
    assert.ok(w && /[\u4e00-\u9fff]/.test(w.zh) && /^[a-z]/.test(w.en), `UI.statusStates has ${s}`);
    if (s !== 'not_checked') assert.ok(render.includes(`case '${s}'`), `statusText words ${s}`);
  }
  // Every code the status and clock checks give is one the card can explain (the check's own sentence is shown;
  // the codes that change the headline have headline words).
  const codes = [...new Set([...statusRs.matchAll(/"((?:STATUS|CLOCK|NO_TIME|NOT_REG|REVOKED)[A-Z_]*)"/g)].map((m) => m[1]))];
  for (const c of ['STATUS_NOT_CHECKED', 'STATUS_STALE', 'STATUS_NOT_COVERED', 'STATUS_UNAVAILABLE', 'NOT_REGISTERED', 'REVOKED', 'CLOCK_BEHIND', 'NO_TIME_FLOOR']) {
    assert.ok(codes.includes(c), `the core still gives ${c} (${codes})`);
  }
  const dts = readFileSync(join(ROOT, 'www/widget/ecert-verify.d.ts'), 'utf8');
  for (const c of codes) assert.ok(dts.includes(`'${c}'`), `ecert-verify.d.ts names check code ${c}`);
  assert.ok(i18n.CHECK_NAMES.clock.zh && i18n.CHECK_NAMES.clock.en);
  assert.ok(i18n.UI.clockBehind.zh && i18n.UI.clockBehind.en);
});

test('every check id of the core has a name; the widget types list every code and check id', () => {
  const ids = [...verdictRs.slice(verdictRs.indexOf('pub enum CheckId')).split('}')[0].matchAll(/^\s+(\w+),/gm)].map((m) => snake(m[1]));
  assert.ok(ids.includes('canonical') && ids.length >= 9, `parsed the check ids: ${ids}`);
  const dts = readFileSync(join(ROOT, 'www/widget/ecert-verify.d.ts'), 'utf8');
  for (const id of ids) {
    assert.ok(i18n.CHECK_NAMES[id]?.zh && i18n.CHECK_NAMES[id]?.en, `CHECK_NAMES has ${id}`);
    assert.ok(dts.includes(`'${id}'`), `ecert-verify.d.ts names check id ${id}`);
  }
  for (const code of coreCodes().codes) assert.ok(dts.includes(`'${code}'`), `ecert-verify.d.ts names ${code}`);
  for (const f of ['sealed_at', 'tsa_id', 'tsa_name_zh']) assert.ok(dts.includes(`${f}:`), `Seal type has ${f}`);
  assert.equal(i18n.FIELDS.sealed_at.zh, '可信时间戳时间');
  assert.equal(i18n.FIELDS.sealed_at.en, 'Time-stamped at');
});
