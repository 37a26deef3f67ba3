// axe-core (npm) in a page or frame: evaluated through the DevTools protocol, so the page's strict CSP (no inline
// script) does not get in its way. Returns the violations of every impact, as short records.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export async function axeViolations(target) {
  await target.evaluate(AXE);
  return target.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 4).map((n) => `${n.target.join(' >> ')}: ${n.failureSummary}`) }));
  });
}
