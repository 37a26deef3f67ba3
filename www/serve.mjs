// Serve www/dist on localhost with the strict CSP and the right MIME types (.wasm, .mjs):
//   node www/serve.mjs [DIR=www/dist] [PORT=8080] [EDGE_ORIGIN]   (EDGE_ORIGIN is added to connect-src)
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { serve } from '../tests/browser/support/server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const [dir = join(here, 'dist'), port = '8080', edge] = process.argv.slice(2);
const s = await serve({ root: resolve(dir), port: Number(port), connect: edge ? [edge] : [] });
console.log(`ecert www on ${s.url}/ — page ${s.url}/ · widget demo ${s.url}/recruit/ · benchmark ${s.url}/bench/ (Ctrl-C to stop)`);
