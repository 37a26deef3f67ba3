// Types of @ecert/verify-widget. The verdict mirrors docs/verdict.md (schema "ecert.verdict/1").

/** Most severe first. Only `VALID` is a pass. */
export type VerdictCode =
  | 'MALFORMED' | 'ENCRYPTED' | 'NOT_A_CERTIFICATE' | 'SIGNATURE_INVALID' | 'MODIFIED' | 'UNTRUSTED_SEAL'
  | 'SEAL_NOT_AUTHORIZED' | 'NOT_REGISTERED' | 'REVOKED' | 'NON_CANONICAL' | 'ANNOTATION_INVALID' | 'ANNOTATION_MISSING'
  | 'ANNOTATION_EXPIRED' | 'ANNOTATION_NOT_YET_VALID' | 'TRUST_LIST_EXPIRED' | 'STATUS_UNKNOWN' | 'VALID'
  // Produced by the client when the core could not run (state "broken", client_error true):
  | 'FILE_TOO_LARGE' | 'VERIFIER_CRASHED' | 'VERIFIER_TIMEOUT' | 'TRUST_LIST_INVALID' | 'VERIFIER_UNAVAILABLE'
  | 'FETCH_FAILED';

export type VerdictState =
  | 'valid' | 'status_unknown' | 'annotation_problem' | 'revoked' | 'untrusted' | 'modified'
  | 'not_a_certificate' | 'broken';

export interface Text { zh: string; en: string }

export interface Check extends Text {
  id: 'clock' | 'structure' | 'signature' | 'modification' | 'trust' | 'canonical' | 'authorization' | 'record'
    | 'annotation' | 'status';
  outcome: 'pass' | 'fail' | 'warn' | 'skipped';
  /** `OK`, `NOT_RUN`, or the check's own code — for `clock`: `NO_TIME_FLOOR` | `CLOCK_BEHIND`; for `status`:
   * `STATUS_NOT_CHECKED` | `STATUS_STALE` | `STATUS_NOT_COVERED` | `STATUS_UNAVAILABLE` | `NOT_REGISTERED` |
   * `REVOKED` (docs/verdict.md). */
  code: string | StatusCheckCode | ClockCheckCode;
  verdict?: VerdictCode;
}

export interface Certificate {
  management_number: string;
  query_number: string;
  holder_name: string;
  /** Masked (first 3 and last 4) unless `revealIdNumber` was asked for. */
  id_number: string;
  id_number_masked: boolean;
  sex: 'male' | 'female';
  birth: string;
  approval_date: string;
  issue_date: string;
  qualification: { code: string; name_zh: string; name_en: string; style: 1 | 2 };
  issuer: { id: string; kind: 'ministry' | 'association'; name_zh: string; name_en: string };
}

export interface Seal {
  issuer_id: string; seal_name_zh: string; key_id: string; subject_cn: string;
  /** The signing time the signature claims (Unix seconds); within minutes of `sealed_at`. */
  signing_time: number;
  /** When the seal was made, as its trusted RFC 3161 time-stamp proves (genTime, Unix seconds). */
  sealed_at: number;
  /** The trust list's id of the time-stamping authority, and its Chinese name. */
  tsa_id: string; tsa_name_zh: string;
  certificate_not_before: number; certificate_not_after: number;
}

export interface Annotation {
  /** `invalid`: the window breaks the trust list's 加注 rule (ANNOTATION_INVALID). */
  state: 'valid' | 'expired' | 'not_yet_valid' | 'missing' | 'not_required' | 'invalid';
  scenario: string | null; valid_from: string | null; valid_until: string | null; number: string | null;
  days_left: number | null; days_ago: number | null; days_until: number | null;
}

export type StatusCheckCode =
  | 'STATUS_NOT_CHECKED' | 'STATUS_STALE' | 'STATUS_NOT_COVERED' | 'STATUS_UNAVAILABLE' | 'NOT_REGISTERED' | 'REVOKED';
export type ClockCheckCode = 'NO_TIME_FLOOR' | 'CLOCK_BEHIND';

/** The signed status snapshot (or delta) the status was checked against. */
export interface SnapshotView {
  sequence: number;
  /** Its signed time (Unix seconds): the floor of the time of check. */
  issued_at: number;
  /** The trust list's id of the status key that signed it. */
  signer: string;
  /** The signed header and its signature, base64 (a receipt keeps them). */
  header: string; signature: string;
  /** Added by the browser client: the snapshot compiled into the build, or one fetched from the edge. */
  origin?: 'bundled' | 'edge';
}

export interface Status {
  /** `valid`: not revoked. `not_checked` (no snapshot held): a VALID with it is shown amber, never plain 有效. */
  state: 'not_checked' | 'unknown' | 'stale' | 'not_covered' | 'not_registered' | 'valid' | 'revoked';
  source: 'none' | 'snapshot' | 'registry' | 'snapshot+registry';
  as_of?: number; revoked_at?: number; reason?: string;
  snapshot?: SnapshotView;
}

export interface Verdict {
  schema: 'ecert.verdict/1';
  code: VerdictCode;
  state: VerdictState;
  /** The reason in one sentence. */
  summary: Text;
  /** The time every date was judged at (Unix seconds): max(clock, time_floor). */
  checked_at: number;
  /** The device clock given (Unix seconds). */
  clock: number;
  /** The held snapshot's signed time, when one is held (a clock behind it gives the CLOCK_BEHIND check). */
  time_floor?: number | null;
  /** `name` and `sha256` (hex, of the whole file) are added by the widget and the server entry, not by the core. */
  file: { name?: string; size: number | null; sha256?: string | null; revisions: number };
  checks: Check[];
  /** Present only when the seal's signature verifies and chains to the trust list. */
  certificate: Certificate | null;
  seal: Seal | null;
  annotation: Annotation | null;
  status: Status;
  status_id: string | null;
  modifications: { revision: number | null; zh: string; en: string }[];
  /**
   * The stable verdict id (added by the widget and the server entry): `ev1-` + 32 hex digits, from the file's
   * SHA-256, the code, state, annotation state, copy status id and the trust list's and snapshot's sequence numbers.
   * The same file under the same trust list and snapshot gets the same id in the browser and on the server; it does
   * not depend on the clock or the language. Null without WebCrypto (an insecure context).
   */
  id?: string | null;
  /** Set on verdicts the client made itself (file too large, verifier crashed or timed out). */
  client_error?: true;
}

/** What `verify` accepts: a File (its name is kept), a Blob, bytes, or a URL (fetched; CSP connect-src must allow it). */
export type VerifyInput = File | Blob | ArrayBuffer | Uint8Array | URL;

export interface VerifyOptions {
  /** The name recorded as `verdict.file.name` (default: the File's name, or the URL's last path segment). */
  fileName?: string;
  /** Base URL of the ecert edge: newer signed trust list and status snapshot + delta. Without it, revocation is
   * checked against the status snapshot bundled into the build (and the card says so). */
  edge?: string | null;
  /** The device clock (default: now); the time of check is never before the held snapshot's signed time. */
  now?: number | Date;
  /** Show the full 证件号码 instead of the masked form. */
  revealIdNumber?: boolean;
}

export interface TrustInfo {
  sequence: number; issued_at: number; next_update: number; issuers: string[]; source: 'bundled' | 'edge';
}

export interface TrustNotice {
  /** `load`: the verifier itself (worker script or wasm) could not be loaded — code `VERIFIER_UNAVAILABLE`. */
  kind: 'refused' | 'unavailable' | 'broken' | 'load';
  code: string;
  message: string;
}

/** The status snapshot the verifier holds. */
export interface StatusInfo {
  sequence: number; kind: 'snapshot' | 'delta'; issued_at: number; copies: number; revoked: number;
  /** The trust list's `max_status_age` (seconds): older, and the core answers STATUS_UNKNOWN. */
  max_age: number;
  origin: 'bundled' | 'edge';
}

export interface StatusNotice {
  /** `unavailable`: the edge's snapshot could not be fetched; `refused`: it did not verify (or was older). */
  kind: 'unavailable' | 'refused';
  /** `STATUS_UNAVAILABLE`, or the core's `STATUS_SNAPSHOT_*` code. */
  code: string;
  message: string;
}

/** `ecert.receipt/1` (docs/verdict.md "Receipts"); `ecert receipt verify RECEIPT.json FILE.pdf --root ROOT` re-checks it. */
export interface Receipt {
  schema: 'ecert.receipt/1';
  file: { name: string; size: number; sha256: string };
  verdict: { code: VerdictCode; state: VerdictState; summary: Text; checked_at: number; clock: number };
  certificate: {
    management_number: string; query_number: string; holder_name: string; id_number: string;
    qualification_code: string; qualification_name_zh: string; issue_date: string; status_id: string;
    sealed_at: number; annotation_number: string | null;
  } | null;
  status: Status;
  /** The signed trust list, verbatim. */
  trust_list: { sequence: number; signed: string };
  made_by: string;
}

/** Verify a certificate in a Web Worker; resolves to the verdict. Never rejects for a bad file. */
export function verify(input: VerifyInput, options?: VerifyOptions): Promise<Verdict>;
/**
 * The receipt of `verdict` (given by `verify` for these bytes): the file is verified again at the verdict's clock
 * under what the verifier holds now. Rejects with `code` `RECEIPT_UNAVAILABLE` (a client-made verdict) or
 * `RECEIPT_VERDICT_CHANGED` (a newer snapshot changed it: verify again).
 */
export function receipt(bytes: ArrayBuffer | Uint8Array, verdict: Verdict, options?: { edge?: string | null; fileName?: string; revealIdNumber?: boolean }): Promise<Receipt>;
/** Save a receipt as JSON; show its printable view (zh first, with en) in a dialog; print it alone. */
export function downloadReceipt(receipt: Receipt): void;
export function showReceipt(receipt: Receipt, options?: { host?: Node; lang?: 'zh-CN' | 'en' }): HTMLDialogElement;
export function printReceipt(receipt: Receipt, host?: Node): void;
export function renderReceipt(receipt: Receipt, options?: { headingLevel?: number }): HTMLElement;
/** How often (ms) an open page asks the edge for the status snapshot again (conditional, ETag). */
export const STATUS_REFRESH_MS: number;

export class EcertClient {
  constructor(options?: { edge?: string | null; maxBytes?: number; timeoutMs?: number });
  readonly edge: string | null;
  readonly maxBytes: number;
  trust: TrustInfo | null;
  trustNotice: TrustNotice | null;
  /** The status snapshot held (bundled, or the edge's newest), or null. */
  status: StatusInfo | null;
  statusNotice: StatusNotice | null;
  ready(): Promise<TrustInfo>;
  /** Whether the trust list in use is past its `next_update` at `now` (Unix seconds, default now). */
  trustExpired(now?: number): boolean;
  /** Whether the snapshot held is older than `max_age` at `now` (or none is held). */
  statusStale(now?: number): boolean;
  /** `"sequence/issued_at"` of the snapshot held ('' for none): verify again when it changes. */
  statusKey(): string;
  /** Ask the edge for its snapshot + delta now (also every STATUS_REFRESH_MS); resolves whether a newer one is held. */
  updateStatusFromEdge(): Promise<boolean>;
  verify(input: VerifyInput, options?: Omit<VerifyOptions, 'edge'>): Promise<Verdict>;
  receipt(bytes: ArrayBuffer | Uint8Array, verdict: Verdict, options?: { fileName?: string; revealIdNumber?: boolean }): Promise<Receipt>;
  onChange(listener: (client: EcertClient) => void): () => void;
  dispose(): void;
}

export function sharedClient(edge?: string | null): EcertClient;
/**
 * Start the verifier now — compile the wasm, start the Web Worker, verify the bundled trust list and let the
 * worker prepare itself while idle — so the first file gets its verdict quickly. Call it at page load; the first
 * client takes the started worker. Idempotent; optional (`<ecert-verify>` starts its client when connected).
 */
export function prewarm(): void;
/** Benchmark detail: when this page's wasm compile started and ended (`performance.now()`), null until then. */
export const compileSpan: { readonly start: number | null; readonly end: number | null };
export function renderCard(verdict: Verdict, options?: { fileName?: string; lang?: 'zh-CN' | 'en'; display?: 'full' | 'compact'; headingLevel?: number; actions?: HTMLElement[] }): HTMLElement;

/** `detail`: the verdict — `detail.file.name`, `.size`, `.sha256` and `detail.id` identify what was checked. */
export interface EcertVerdictEvent extends CustomEvent<Verdict> {}

/** `<ecert-verify lang="zh-CN|en" edge="https://…" display="full|compact" heading-level="2" hint="…">` — put fallback content
 * inside (shown only if the element never loads); card headings are `<h2>` unless `heading-level` says otherwise. */
export class EcertVerifyElement extends HTMLElement {
  lang: string;
  edge: string | null;
  display: 'full' | 'compact';
  /** Verify, show the card and fire `ecert-verdict` (fired again if a newer status snapshot changes it). */
  verify(input: VerifyInput, options?: Omit<VerifyOptions, 'edge'>): Promise<Verdict>;
  /** The receipt of the `index`-th result shown (0: the newest; default 0). */
  receipt(index?: number): Promise<Receipt>;
  /** Save it as JSON / show its printable view (a dialog in the widget: print, download, close). */
  downloadReceipt(index?: number): Promise<Receipt>;
  showReceipt(index?: number): Promise<Receipt>;
  /** The file behind the `index`-th result (0: the newest), to send to your server, which verifies it again. */
  file(index?: number): File | null;
  /** The verdict of the `index`-th result (0: the newest), or null. */
  verdict(index?: number): Verdict | null;
  /** Take the `index`-th result off the list (what its 移除 / Remove button does); fires `ecert-remove`. */
  removeResult(index?: number, options?: { focus?: boolean }): boolean;
  clear(): void;
}

declare global {
  interface HTMLElementTagNameMap { 'ecert-verify': EcertVerifyElement }
  interface HTMLElementEventMap { 'ecert-verdict': EcertVerdictEvent; 'ecert-remove': EcertVerdictEvent }
}
