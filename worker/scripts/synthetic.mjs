// Synthetic certificate records for load tests, the resharding test and the capacity fill: valid ecert.record/1
// records derived from the demo's (same qualification, issuer, holder birth and sex; new 管理号, 查询编号 and ID
// number with a correct GB 11643 check character).
//   import { synthetic, checkChar, loadTemplates } from './synthetic.mjs';

import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** GB 11643 check character of the first 17 digits. */
export function checkChar(body17) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body17].reduce((s, d, i) => s + Number(d) * w[i], 0);
  return '10X98765432'[sum % 11];
}

/** The demo's registered base records (templates). */
export async function loadTemplates(demoDir) {
  const dir = join(demoDir, 'pki', 'register');
  return Promise.all((await readdir(dir)).sort().map(async (f) => JSON.parse(await readFile(join(dir, f), 'utf8'))));
}

/** `n` valid records from `templates`, numbered from `start`; `prefix` starts every 管理号 and 查询编号. */
export function synthetic(templates, n, { start = 0, prefix = 'B' } = {}) {
  const out = [];
  for (let i = start; i < start + n; i++) {
    const t = templates[i % templates.length];
    const base = t.holder.id_number.slice(0, 14);
    const parity = t.holder.sex === 'male' ? 1 : 0;
    const seq = String(((Math.floor(i / templates.length) % 450) * 2 + 100 + parity) % 1000).padStart(3, '0');
    const body = base + seq;
    out.push({
      ...t,
      management_number: `${prefix}${String(i).padStart(11, '0')}`,
      query_number: `${prefix === 'B' ? 'Q' : `Q${prefix}`}${String(i).padStart(15, '0')}`,
      holder: { ...t.holder, id_number: body + checkChar(body) },
      annotation: null,
    });
  }
  return out;
}
