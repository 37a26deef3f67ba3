// The edge under abuse, on workerd (`wrangler dev --local`, tests/support/edge.mjs): rate limits on the platform's
// Rate Limiting binding (client IPv4 / IPv6 /64, and per 管理号 / 查询编号), lookup CORS only for configured
// origins, unknown methods 405, duplicate JSON keys 400 on every JSON endpoint, stalled bodies 408, named
// operators in the audit log with the request id, lookup as holders type, byte-identical misses.
// Run: `. scripts/env.sh && node --test tests/worker/abuse.test.mjs`.
//
// The limits are wrangler.toml's [[ratelimits]] (read below): lookup per client, lookup per number. Every test
// uses its own client addresses and certificate numbers so their counters never meet.

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { REPO, makeDemo, startEdge } from '../support/edge.mjs';

const wranglerToml = await readFile(join(REPO, 'worker', 'wrangler.toml'), 'utf8');
const limitOf = (name) => Number(wranglerToml.match(new RegExp(`name = "${name}"[^\\n]*\\n[^\\n]*\\nsimple = \\{ limit = (\\d+)`))[1]);
const CLIENT_LIMIT = limitOf('RL_LOOKUP_CLIENT');
const NUMBER_LIMIT = limitOf('RL_LOOKUP_NUMBER');
const BODY_TIMEOUT_MS = 1500;
const BODY_DEADLINE_MS = 4000;
const ALLOWED_ORIGIN = 'https://hr.example';

const sha256 = (s) => createHash('sha256').update(s).digest('hex');
const token = () => randomBytes(24).toString('hex');
const OPERATOR_TOKENS = { alice: token(), 'publisher-1': token(), carol: token() };
const OPERATORS = [
  `alice:${sha256(OPERATOR_TOKENS.alice)}:admin`,
  `publisher-1:${sha256(OPERATOR_TOKENS['publisher-1'])}:publisher`,
  `carol:${sha256(OPERATOR_TOKENS.carol).toUpperCase()}:auditor`,
].join(',');

let demo;
let edge;
let records;
let ipCounter = 1;
const freshIp = () => `203.0.113.${ipCounter++}`;

async function call(method, path, { body, headers = {}, ip = freshIp(), bearer } = {}) {
  const h = { 'cf-connecting-ip': ip, ...headers };
  if (bearer) h.authorization = `Bearer ${bearer}`;
  if (body !== undefined && typeof body !== 'string') {
    body = JSON.stringify(body);
    h['content-type'] ??= 'application/json';
  }
  const r = await fetch(`${edge.baseUrl}${path}`, { method, headers: h, body });
  const bytes = Buffer.from(await r.arrayBuffer());
  let json;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {}
  return { status: r.status, headers: r.headers, bytes, text: bytes.toString('utf8'), json };
}

/** A request with any method token (fetch refuses some), through node:http. */
function rawMethod(method, path, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${edge.baseUrl}${path}`, { method, headers: { 'cf-connecting-ip': freshIp(), ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        let json;
        try {
          json = JSON.parse(text);
        } catch {}
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

function assertError(res, status, code) {
  assert.equal(res.status, status, res.text);
  assert.equal(res.json?.code, code, res.text);
  assert.equal(typeof res.json.message?.zh, 'string');
  assert.equal(typeof res.json.message?.en, 'string');
}

const lookup = (rec, over = {}, by = 'management_number') => ({
  name: rec.holder.name,
  id_number: rec.holder.id_number,
  [by]: by === 'management_number' ? rec.management_number : rec.query_number,
  ...over,
});

before(async () => {
  demo = await makeDemo();
  edge = await startEdge({
    demoDir: demo.demoDir,
    vars: {
      BODY_TIMEOUT_MS: String(BODY_TIMEOUT_MS),
      BODY_DEADLINE_MS: String(BODY_DEADLINE_MS),
      LOOKUP_ALLOWED_ORIGINS: `${ALLOWED_ORIGIN}, https://portal.example:8443`,
      OPERATORS,
    },
  });
  const dir = join(demo.demoDir, 'pki', 'register');
  records = await Promise.all((await readdir(dir)).sort().map(async (f) => JSON.parse(await readFile(join(dir, f), 'utf8'))));
}, { timeout: 20 * 60_000 });

after(async () => {
  await edge?.stop();
  await demo?.cleanup();
});

describe('methods', () => {
  test('unknown methods are 405 JSON with Allow, never routed as GET, never 501', async () => {
    for (const [method, path, allow] of [
      ['QUERY', '/v1/scope', 'GET, HEAD'],
      ['QUERY', '/v1/trust-list', 'GET, HEAD'],
      ['PROPFIND', '/v1/status/snapshot', 'GET, HEAD'],
      ['DELETE', '/v1/lookup', 'POST'],
      ['PATCH', '/v1/admin/certificates', 'POST'],
      ['MKCOL', '/v1/noop', 'GET, HEAD'],
      ['SEARCH', '/v1/status/ab12', 'GET, HEAD'],
      ['GET', '/v1/lookup', 'POST'],
      ['PUT', '/v1/scope', 'GET, HEAD'],
    ]) {
      const r = await rawMethod(method, path);
      assert.equal(r.status, 405, `${method} ${path}: ${r.status} ${r.text}`);
      assert.equal(r.json?.code, 'METHOD_NOT_ALLOWED', r.text);
      assert.equal(r.headers.allow, allow, `${method} ${path}`);
      assert.match(r.headers['content-type'], /^application\/json/);
      assert.match(r.headers['x-request-id'], /^[0-9a-z-]{8,64}$/i);
      assert.equal(r.json.request_id, r.headers['x-request-id']);
    }
    assert.equal((await rawMethod('QUERY', '/v1/nothing')).status, 404);
    // A token workerd's HTTP parser does not know never reaches the worker: the runtime answers 501 itself.
    assert.equal((await rawMethod('FOO', '/v1/scope')).status, 501);
    assert.equal((await rawMethod('GET', '/v1/scope')).status, 200);
  });
});

describe('JSON bodies', () => {
  test('duplicate keys are 400 DUPLICATE_KEY on every JSON endpoint, admin registration included', async () => {
    const rec = records[0];
    const dup = (obj, key, value) => JSON.stringify(obj).replace(/^\{/, `{${JSON.stringify(key)}:${JSON.stringify(value)},`);
    const cases = [
      ['POST', '/v1/lookup', dup(lookup(rec), 'name', 'someone else'), undefined],
      ['POST', '/v1/admin/revocations', dup({ management_number: rec.management_number, reason: '证书信息有误' }, 'management_number', '1'), OPERATOR_TOKENS.alice],
      ['POST', '/v1/admin/certificates', dup({ records: [rec] }, 'records', []), OPERATOR_TOKENS.alice],
      // Inside a record, nested.
      ['POST', '/v1/admin/certificates', JSON.stringify({ records: [rec] }).replace('"holder":{', '"holder":{"name":"冒名",'), OPERATOR_TOKENS.alice],
      ['PUT', '/v1/admin/trust-list', '{"a":1,"a":1}', OPERATOR_TOKENS.alice],
    ];
    for (const [method, path, body, bearer] of cases) {
      const r = await call(method, path, { body, bearer, headers: { 'content-type': 'application/json' } });
      assertError(r, 400, 'DUPLICATE_KEY');
    }
    // The revocation was not made.
    const r = await call('POST', '/v1/lookup', { body: lookup(rec) });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.status.state, 'valid');
  });

  /** Send the headers and part of a body over a raw socket, then `stall` (ms) or drip a byte every `dripMs`. */
  function stalledRequest(path, { headers = {}, sent = '{"name":"', declared = 400, dripMs } = {}) {
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const sock = connect(edge.port, '127.0.0.1');
      let data = '';
      let drip;
      sock.setEncoding('utf8');
      sock.on('connect', () => {
        const lines = [
          `POST ${path} HTTP/1.1`,
          `host: 127.0.0.1:${edge.port}`,
          'content-type: application/json',
          `content-length: ${declared}`,
          `cf-connecting-ip: ${freshIp()}`,
          ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
          '',
          '',
        ];
        sock.write(lines.join('\r\n') + sent);
        if (dripMs) drip = setInterval(() => sock.write('a'), dripMs);
      });
      const finish = () => {
        clearInterval(drip);
        sock.destroy();
        resolve({ data, ms: Date.now() - started });
      };
      sock.on('data', (d) => {
        data += d;
        // One whole JSON body is enough.
        if (/\r\n\r\n[\s\S]*\}$/.test(data)) finish();
      });
      sock.on('end', finish);
      sock.on('error', (e) => (data ? finish() : reject(e)));
      setTimeout(finish, 20_000);
    });
  }

  test('a body that stalls is cut off with 408 JSON within BODY_TIMEOUT_MS', async () => {
    for (const [path, headers] of [
      ['/v1/lookup', {}],
      ['/v1/admin/certificates', { authorization: `Bearer ${OPERATOR_TOKENS.alice}` }],
    ]) {
      const { data, ms } = await stalledRequest(path, { headers });
      assert.match(data, /^HTTP\/1\.1 408 /, data);
      assert.match(data, /"code":"REQUEST_TIMEOUT"/);
      assert.match(data.toLowerCase(), /content-type: application\/json/);
      assert.ok(ms >= BODY_TIMEOUT_MS - 100 && ms < BODY_TIMEOUT_MS + 2500, `cut off after ${ms} ms`);
    }
  });

  test('a body that drips (a byte every second) is cut off at BODY_DEADLINE_MS', async () => {
    const { data, ms } = await stalledRequest('/v1/lookup', { dripMs: 1000, declared: 100_000 });
    assert.match(data, /^HTTP\/1\.1 408 /, data);
    assert.ok(ms >= BODY_DEADLINE_MS - 100 && ms < BODY_DEADLINE_MS + 2500, `cut off after ${ms} ms`);
  });
});

describe('rate limits on the binding', () => {
  test('every address and spelling of one IPv6 /64 shares one allowance; another /64 has its own', async () => {
    const rec = records[1];
    const spellings = [
      '2001:db8:77:1::1',
      '2001:0db8:0077:0001:0000:0000:0000:0002',
      '2001:DB8:77:1::ABCD',
      '2001:db8:77:1:ffff:ffff:ffff:ffff',
      '2001:db8:77:1:1:2:3:4',
    ];
    for (let i = 0; i < CLIENT_LIMIT; i++) {
      const r = await call('POST', '/v1/lookup', { body: lookup(rec, { name: `试${i}` }), ip: spellings[i % spellings.length] });
      assert.equal(r.status, 404, r.text);
    }
    for (const ip of spellings) {
      const r = await call('POST', '/v1/lookup', { body: lookup(rec), ip });
      assertError(r, 429, 'RATE_LIMITED');
      const retry = Number(r.headers.get('retry-after'));
      assert.ok(retry >= 1 && retry <= 60, `Retry-After ${retry}`);
    }
    // Malformed requests count too, before anything is parsed.
    assertError(await call('POST', '/v1/lookup', { body: '{', ip: spellings[0] }), 429, 'RATE_LIMITED');
    // The next /64 is another client.
    const r = await call('POST', '/v1/lookup', { body: lookup(rec), ip: '2001:db8:77:2::1' });
    assert.equal(r.status, 200, r.text);
  });

  test('an IPv4-mapped IPv6 address is its IPv4 address', async () => {
    const rec = records[1];
    for (let i = 0; i < CLIENT_LIMIT; i++) {
      const ip = i % 2 ? '198.18.7.7' : '::ffff:198.18.7.7';
      assert.equal((await call('POST', '/v1/lookup', { body: lookup(rec, { name: `试${i}` }, 'query_number'), ip })).status, 404);
    }
    assertError(await call('POST', '/v1/lookup', { body: lookup(rec), ip: '198.18.7.7' }), 429, 'RATE_LIMITED');
    assertError(await call('POST', '/v1/lookup', { body: lookup(rec), ip: '::FFFF:c612:0707' }), 429, 'RATE_LIMITED');
  });

  test('per 管理号: many clients guessing one certificate are stopped; other certificates are not', async () => {
    const rec = records[2];
    for (let i = 0; i < NUMBER_LIMIT; i++) {
      const r = await call('POST', '/v1/lookup', { body: lookup(rec, { name: `猜${i}` }) });
      assert.equal(r.status, 404, r.text);
    }
    // A fresh address, the right answer, the same certificate (spelled in full-width digits): limited.
    const fullWidthNumber = [...rec.management_number].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join('');
    assertError(await call('POST', '/v1/lookup', { body: lookup(rec, { management_number: ` ${fullWidthNumber} ` }) }), 429, 'RATE_LIMITED');
    // Its 查询编号 is a key of its own; another certificate is unaffected.
    assert.equal((await call('POST', '/v1/lookup', { body: lookup(rec, {}, 'query_number') })).status, 200);
    assert.equal((await call('POST', '/v1/lookup', { body: lookup(records[3]) })).status, 200);
    // A number nobody issued is limited the same way: a 429 says nothing about existence.
    const ghost = { ...lookup(rec), management_number: '209912310001' };
    for (let i = 0; i < NUMBER_LIMIT; i++) assert.equal((await call('POST', '/v1/lookup', { body: ghost })).status, 404);
    assertError(await call('POST', '/v1/lookup', { body: ghost }), 429, 'RATE_LIMITED');
  });
});

describe('CORS', () => {
  test('lookup: only configured origins (and the edge itself) get Access-Control-Allow-Origin', async () => {
    const rec = records[4];
    const pre = (origin) => rawMethod('OPTIONS', '/v1/lookup', { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' });
    let p = await pre(ALLOWED_ORIGIN);
    assert.equal(p.status, 204);
    assert.equal(p.headers['access-control-allow-origin'], ALLOWED_ORIGIN);
    assert.match(p.headers['access-control-allow-methods'], /POST/);
    assert.match(p.headers.vary, /Origin/i);
    p = await pre('https://portal.example:8443');
    assert.equal(p.headers['access-control-allow-origin'], 'https://portal.example:8443');
    for (const evil of ['https://evil.example', 'https://hr.example.evil', 'http://hr.example', 'null']) {
      p = await pre(evil);
      assert.equal(p.status, 403, evil);
      assert.equal(p.headers['access-control-allow-origin'], undefined, evil);
      assert.equal(p.json?.code, 'ORIGIN_NOT_ALLOWED');
    }

    let r = await call('POST', '/v1/lookup', { body: lookup(rec), headers: { origin: ALLOWED_ORIGIN } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get('access-control-allow-origin'), ALLOWED_ORIGIN);
    assert.match(r.headers.get('access-control-expose-headers'), /x-request-id/);
    r = await call('POST', '/v1/lookup', { body: lookup(rec), headers: { origin: 'https://evil.example' } });
    assertError(r, 403, 'ORIGIN_NOT_ALLOWED');
    assert.equal(r.headers.get('access-control-allow-origin'), null);
    // The edge's own page, and clients that are not browsers (no Origin), may look up.
    r = await call('POST', '/v1/lookup', { body: lookup(rec), headers: { origin: edge.baseUrl } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get('access-control-allow-origin'), edge.baseUrl);
    r = await call('POST', '/v1/lookup', { body: lookup(rec) });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get('access-control-allow-origin'), null);
  });

  test('what the widget needs stays *: trust list, status snapshot and delta, scope, buckets', async () => {
    for (const path of ['/v1/trust-list', '/v1/scope', '/v1/status/snapshot', '/v1/status/delta', '/v1/status/ab12']) {
      const r = await call('GET', path, { headers: { origin: 'https://evil.example' } });
      assert.equal(r.headers.get('access-control-allow-origin'), '*', `${path}: ${r.status}`);
    }
    const p = await rawMethod('OPTIONS', '/v1/trust-list', { origin: 'https://evil.example', 'access-control-request-method': 'GET' });
    assert.equal(p.status, 204);
    assert.equal(p.headers['access-control-allow-origin'], '*');
  });
});

describe('named operators', () => {
  test('one token per operator, hashed at rest; the audit log names the operator and the request id', async () => {
    const rec = records[5];
    // The publisher may read the universe but not revoke; the auditor only reads the audit log.
    assert.equal((await call('GET', '/v1/admin/status/universe?limit=1', { bearer: OPERATOR_TOKENS['publisher-1'] })).status, 200);
    assertError(await call('POST', '/v1/admin/revocations', { body: { management_number: rec.management_number, reason: '证书信息有误' }, bearer: OPERATOR_TOKENS['publisher-1'] }), 403, 'FORBIDDEN');
    assertError(await call('POST', '/v1/admin/revocations', { body: { management_number: rec.management_number, reason: '证书信息有误' }, bearer: OPERATOR_TOKENS.carol }), 403, 'FORBIDDEN');
    // The hash is not a token.
    assertError(await call('GET', '/v1/admin/audit', { bearer: sha256(OPERATOR_TOKENS.carol) }), 401, 'UNAUTHORIZED');

    const revoke = await call('POST', '/v1/admin/revocations', { body: { management_number: rec.management_number, reason: '证书信息有误' }, bearer: OPERATOR_TOKENS.alice });
    assert.equal(revoke.status, 201, revoke.text);
    const requestId = revoke.headers.get('x-request-id');
    assert.ok(requestId);

    const audit = await call('GET', '/v1/admin/audit?limit=50', { bearer: OPERATOR_TOKENS.carol });
    assert.equal(audit.status, 200, audit.text);
    const entry = audit.json.entries.find((e) => e.action === 'revoke' && e.target === rec.management_number);
    assert.ok(entry, audit.text);
    assert.equal(entry.actor, 'alice');
    assert.equal(entry.request_id, requestId);
    assert.ok(!audit.text.includes(OPERATOR_TOKENS.alice) && !audit.text.includes(sha256(OPERATOR_TOKENS.alice)));
    // The seed ran with the older ADMIN_TOKEN: the operator "admin".
    assert.ok(audit.json.entries.some((e) => e.actor === 'admin'), 'seed entries name the operator admin');
    assert.equal((await call('GET', '/v1/admin/audit?limit=1', { bearer: edge.adminToken })).status, 200);
  });
});

describe('lookup as holders type', () => {
  let rec;
  before(async () => {
    // A certificate whose holder's name has a middle dot and a character with a CJK compatibility twin.
    rec = {
      ...records[6],
      management_number: '202612060901',
      query_number: 'C900000000000901',
      holder: { ...records[6].holder, name: '阿卜杜拉·豈买提' },
    };
    const r = await call('POST', '/v1/admin/certificates', { body: { records: [rec] }, bearer: OPERATOR_TOKENS.alice });
    assert.equal(r.status, 201, r.text);
  });

  test('NFC (compatibility ideographs), middle-dot look-alikes, full-width digits and Ｘ, lower-case numbers, 15-digit IDs', async () => {
    const id = rec.holder.id_number;
    const fullWidth = [...id].map((c) => (c === 'X' ? 'ｘ' : String.fromCharCode(c.charCodeAt(0) + 0xfee0))).join('');
    const variants = [
      {},
      { name: '阿卜杜拉•豈买提' },
      { name: '阿卜杜拉・\uF900买提' },
      { name: ' 阿卜杜拉 ． 豈买提 ' },
      { name: '阿卜杜拉‧豈买提' },
      { name: '阿卜杜拉･豈买提' },
      { id_number: fullWidth },
      { id_number: id.toLowerCase() },
      { id_number: `${id.slice(0, 6)} ${id.slice(6, 14)} ${id.slice(14)}` },
    ];
    if (id.slice(6, 8) === '19') variants.push({ id_number: id.slice(0, 6) + id.slice(8, 17) });
    for (const over of variants) {
      const r = await call('POST', '/v1/lookup', { body: lookup(rec, over) });
      assert.equal(r.status, 200, `${JSON.stringify(over)}: ${r.text}`);
      assert.equal(r.json.management_number, rec.management_number);
      assert.equal(r.json.holder.name, '阿卜杜拉·豈买提');
    }
    for (const q of [rec.query_number.toLowerCase(), `Ｃ${rec.query_number.slice(1)}`]) {
      const r = await call('POST', '/v1/lookup', { body: { name: rec.holder.name, id_number: id, query_number: q } });
      assert.equal(r.status, 200, `${q}: ${r.text}`);
    }
    // Genuinely different names still miss.
    assert.equal((await call('POST', '/v1/lookup', { body: lookup(rec, { name: '阿卜杜拉买提' }) })).status, 404);
  });

  test('a miss is byte-identical whatever its cause', async () => {
    const other = records[7];
    const anotherId = other.holder.id_number === rec.holder.id_number ? records[8].holder.id_number : other.holder.id_number;
    const misses = [
      lookup(rec, { name: '张三' }),
      lookup(rec, { id_number: anotherId }),
      lookup(rec, { management_number: '209901010001' }),
      lookup(rec, { management_number: other.management_number }),
      { name: rec.holder.name, id_number: rec.holder.id_number, query_number: 'C999999999999999' },
      { name: rec.holder.name, id_number: rec.holder.id_number, query_number: other.query_number.toLowerCase() },
      lookup(rec, { name: '阿卜杜拉·豈买提 ', id_number: anotherId }),
    ];
    const answers = [];
    for (const body of misses) answers.push(await call('POST', '/v1/lookup', { body }));
    const strip = (h) => [...h].filter(([k]) => !['date', 'x-request-id'].includes(k)).sort();
    for (const a of answers) {
      assert.equal(a.status, 404, a.text);
      assert.equal(a.json.reason, 'no_match');
      assert.ok(a.bytes.equals(answers[0].bytes), `${a.text} != ${answers[0].text}`);
      assert.deepEqual(strip(a.headers), strip(answers[0].headers));
      assert.ok(a.headers.get('x-request-id'));
    }
  });
});
