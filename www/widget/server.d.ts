// Types of @ecert/verify-widget/server: the verification core on a server (Node >= 20, Deno, Cloudflare Workers).
import type { Receipt, Verdict } from './ecert-verify.js';
export type { Receipt, Verdict } from './ecert-verify.js';

/** What `verify` accepts: bytes, a Blob or File (its name is used), or a URL (http(s) fetched, file: read). */
export type VerifyInput = ArrayBuffer | ArrayBufferView | Blob | URL | string;

export interface ServerVerifyOptions {
  /** Name recorded in `verdict.file.name` (default: the File's name or the URL's last segment). */
  fileName?: string;
  /** The clock of the check (default: the server's); never before the held snapshot's signed time. */
  now?: number | Date;
  /** Show the full 证件号码 instead of the masked form. */
  revealIdNumber?: boolean;
}

export interface InitOptions {
  /** Workers: the imported wasm module (`import wasm from '@ecert/verify-widget/ecert_wasm_bg.wasm'`); or its bytes / URL. */
  wasm?: WebAssembly.Module | BufferSource | URL;
  /** A newer signed trust list (`ecert.signed-trust-list/1`), verified under the pinned root; refused if older. */
  trustList?: string | BufferSource;
  /** Your own pinned root (PEM or SubjectPublicKeyInfo DER), with your own trust list. */
  rootSpki?: string | BufferSource;
  /** A newer signed status snapshot (`ecert.status-snapshot/1`) and its delta. */
  statusSnapshot?: BufferSource;
  statusDelta?: BufferSource;
}

/** Load the verifier (automatic on the first `verify`). Rejects with a coded error (`TRUST_LIST_*`, `STATUS_SNAPSHOT_*`). */
export function init(options?: InitOptions): Promise<{
  trust: { sequence: number; issued_at: number; next_update: number; issuers: string[]; source: 'bundled' | 'given' };
  status: { sequence: number; kind: string; issued_at: number; copies: number; revoked: number; max_age: number; origin: 'bundled' | 'given' } | null;
}>;
/** Verify one PDF; resolves to the verdict (never rejects for a bad file). */
export function verify(input: VerifyInput, options?: ServerVerifyOptions): Promise<Verdict>;
/** The receipt (`ecert.receipt/1`) of this file verified at `options.now`. */
export function receipt(input: VerifyInput, options?: ServerVerifyOptions): Promise<Receipt>;
/** The core's input limit (16 MiB); larger files get a `FILE_TOO_LARGE` verdict without being read. */
export const MAX_INPUT_BYTES: number;
