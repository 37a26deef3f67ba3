// An integrator's Cloudflare Worker using @ecert/verify-widget/server, run on workerd by `wrangler dev --local`
// (tests/browser/integrators.test.mjs copies the built package into node_modules/ beside this file). Workers cannot
// compile wasm from bytes, so the package's wasm is imported as a module (wrangler's default rule for *.wasm gives
// a WebAssembly.Module) and handed to init().
//
//   POST /verify            multipart form, field `file` (a File: its name is the verdict's file.name)
//   POST /verify?name=N     the PDF as the raw body
//   GET  /held              what init() holds: the bundled trust list and status snapshot
import { init, verify } from '@ecert/verify-widget/server';
import wasm from '@ecert/verify-widget/ecert_wasm_bg.wasm';

let ready = null;

export default {
  async fetch(request) {
    const url = new URL(request.url);
    ready ??= init({ wasm });
    let held;
    try {
      held = await ready;
    } catch (err) {
      return Response.json({ error: String(err && err.message), code: err && err.code }, { status: 500 });
    }
    if (url.pathname === '/held') return Response.json({ ...held, wasmIsModule: wasm instanceof WebAssembly.Module });
    if (url.pathname === '/verify' && request.method === 'POST') {
      const type = request.headers.get('content-type') || '';
      if (type.startsWith('multipart/form-data')) {
        const file = (await request.formData()).get('file');
        if (!file || typeof file === 'string') return Response.json({ error: 'no file' }, { status: 400 });
        return Response.json(await verify(file));
      }
      return Response.json(await verify(await request.arrayBuffer(), { fileName: url.searchParams.get('name') || '' }));
    }
    return new Response('not found', { status: 404 });
  },
};
