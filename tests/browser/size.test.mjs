// The verifier the browser downloads stays within its size goal (≤ 300 KB gzipped, README benchmark table): a
// change that links something large into the wasm (an encoder, Unicode case tables) fails here, not only in the
// benchmark. Measured on the release build the other browser tests serve (www/build.mjs writes sizes.json).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { fixture } from './support/fixture.mjs';

test('the wasm verifier is at most 300 KB gzipped', () => {
  const fx = fixture();
  const sizes = JSON.parse(readFileSync(join(fx.distDir, 'sizes.json'), 'utf8'));
  const kb = sizes.wasm_gzip_bytes / 1024;
  assert.ok(kb > 100, `implausible size ${kb} KB`);
  assert.ok(kb <= 300, `wasm is ${kb.toFixed(1)} KB gzipped (goal ≤ 300 KB)`);
});
