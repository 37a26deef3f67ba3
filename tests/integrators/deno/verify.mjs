// An integrator's Deno script using @ecert/verify-widget/server: `deno run --allow-read verify.mjs FILE.pdf …` from
// a project whose node_modules/ holds the package (Deno 2 resolves the bare specifier through package.json and
// node_modules, the package's "exports" included). Prints a JSON array: for each file its verdict, read three
// ways that must agree — bytes from Deno.readFile, a File (its name), and a file: URL.
import { init, verify } from '@ecert/verify-widget/server';

const held = await init();
const out = [];
for (const path of Deno.args) {
  const bytes = await Deno.readFile(path);
  const name = path.split('/').pop();
  const v = await verify(bytes, { fileName: name });
  const asFile = await verify(new File([bytes], name, { type: 'application/pdf' }));
  const asUrl = await verify(new URL(`file://${path}`));
  out.push({ verdict: v, ids: [v.id, asFile.id, asUrl.id], names: [v.file.name, asFile.file.name, asUrl.file.name] });
}
console.log(JSON.stringify({ deno: Deno.version.deno, held, out }));
