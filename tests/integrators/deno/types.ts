// The package's .d.ts files against the way an integrator uses the package, checked by TypeScript (`deno check`,
// strict, DOM lib; tests/browser/integrators.test.mjs runs it in a project with the built package in node_modules).
// Every line that must be refused carries @ts-expect-error: if a declaration were missing or `any`, the check fails.
import { init, MAX_INPUT_BYTES, receipt as serverReceipt, verify as serverVerify } from '@ecert/verify-widget/server';
import type { VerifyInput as ServerInput } from '@ecert/verify-widget/server';
import { prewarm, receipt, verify } from '@ecert/verify-widget';
import type { EcertVerifyElement, Receipt, Verdict, VerdictCode, VerifyInput } from '@ecert/verify-widget';

declare const file: File;
declare const blob: Blob;
declare const buf: ArrayBuffer;
declare const u8: Uint8Array;
declare const wasmModule: WebAssembly.Module;

export async function browser(el: EcertVerifyElement): Promise<string[]> {
  prewarm();
  const inputs: VerifyInput[] = [file, blob, buf, u8, new URL('https://example.test/c.pdf')];
  const out: string[] = [];
  for (const input of inputs) {
    const v: Verdict = await verify(input, { fileName: 'c.pdf', now: new Date(), edge: null });
    const code: VerdictCode = v.code;
    const id: string | null | undefined = v.id;
    const sha: string | null | undefined = v.file.sha256;
    const name: string | undefined = v.file.name;
    const size: number | null = v.file.size;
    out.push(code, String(id), String(sha), String(name), String(size));
    const r: Receipt = await receipt(u8, v, { fileName: 'c.pdf' });
    out.push(String(r));
  }
  // @ts-expect-error a number is not an input
  await verify(42);
  // @ts-expect-error no such verdict code
  const bad: VerdictCode = 'OK';
  out.push(bad);
  // The element: the event, the file behind a result, its verdict, removing one.
  el.addEventListener('ecert-verdict', (e) => out.push(e.detail.code, String(e.detail.id), String(e.detail.file.sha256)));
  el.addEventListener('ecert-remove', (e) => out.push(e.detail.code));
  const f: File | null = el.file(0);
  const v0: Verdict | null = el.verdict(0);
  const removed: boolean = el.removeResult(0, { focus: true });
  const own: Verdict = await el.verify(file, { fileName: 'x.pdf' });
  const rc: Receipt = await el.receipt(0);
  el.clear();
  out.push(String(f), String(v0), String(removed), own.code, String(rc));
  const tag: EcertVerifyElement = document.createElement('ecert-verify');
  tag.display = 'compact';
  // @ts-expect-error display is full or compact
  tag.display = 'wide';
  return out;
}

export async function server(): Promise<string[]> {
  const held = await init({ wasm: wasmModule });
  const out: string[] = [String(held.trust.sequence), String(held.status?.origin), String(MAX_INPUT_BYTES)];
  const inputs: ServerInput[] = [u8, buf, blob, file, new URL('file:///c.pdf'), 'https://example.test/c.pdf'];
  for (const input of inputs) {
    const v: Verdict = await serverVerify(input, { fileName: 'c.pdf', now: 1_800_000_000, revealIdNumber: false });
    out.push(v.code, String(v.id), String(v.file.sha256), String(v.status.snapshot?.sequence));
  }
  const r: Receipt = await serverReceipt(u8, { now: new Date() });
  out.push(String(r));
  // @ts-expect-error the options are typed
  await serverVerify(u8, { fileName: 3 });
  // @ts-expect-error a status snapshot is bytes, not text
  await init({ statusSnapshot: 'snapshot' });
  return out;
}
