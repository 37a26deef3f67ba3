// Types of @ecert/verify-widget. The verdict mirrors docs/verdict.md (schema "ecert.verdict/1").

/** Most severe first. Only `VALID` is a pass. */
export type VerdictCode =
  | 'MALFORMED' | 'ENCRYPTED' | 'NOT_A_CERTIFICATE' | 'SIGNATURE_INVALID' | 'MODIFIED' | 'UNTRUSTED_SEAL'
  | 'SEAL_NOT_AUTHORIZED' | 'REVOKED' | 'NON_CANONICAL' | 'ANNOTATION_INVALID' | 'ANNOTATION_MISSING'
  | 'ANNOTATION_EXPIRED' | 'ANNOTATION_NOT_YET_VALID' | 'TRUST_LIST_EXPIRED' | 'STATUS_UNKNOWN' | 'VALID'
  // Produced by the client when the core could not run (state "broken", client_error true):
  | 'FILE_TOO_LARGE' | 'VERIFIER_CRASHED' | 'VERIFIER_TIMEOUT' | 'TRUST_LIST_INVALID';

export type VerdictState =
  | 'valid' | 'status_unknown' | 'annotation_problem' | 'revoked' | 'untrusted' | 'modified'
  | 'not_a_certificate' | 'broken';

export interface Text { zh: string; en: string }

export interface Check extends Text {
  id: 'structure' | 'signature' | 'modification' | 'trust' | 'canonical' | 'authorization' | 'record' | 'annotation'
    | 'status';
  outcome: 'pass' | 'fail' | 'warn' | 'skipped';
  code: string;
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

export interface Status {
  state: 'not_checked' | 'unknown' | 'not_registered' | 'valid' | 'revoked';
  as_of?: number; revoked_at?: number; reason?: string;
}

export interface Verdict {
  schema: 'ecert.verdict/1';
  code: VerdictCode;
  state: VerdictState;
  /** The reason in one sentence. */
  summary: Text;
  checked_at: number;
  file: { size: number | null; sha256: string | null; revisions: number };
  checks: Check[];
  /** Present only when the seal's signature verifies and chains to the trust list. */
  certificate: Certificate | null;
  seal: Seal | null;
  annotation: Annotation | null;
  status: Status;
  status_id: string | null;
  modifications: { revision: number | null; zh: string; en: string }[];
  /** Set on verdicts the client made itself (file too large, verifier crashed or timed out). */
  client_error?: true;
}

export interface VerifyOptions {
  /** Base URL of the ecert edge (status + newer trust list). Without it status is "not checked". */
  edge?: string | null;
  /** Time of check (default: now). */
  now?: number | Date;
  /** Show the full 证件号码 instead of the masked form. */
  revealIdNumber?: boolean;
}

export interface TrustInfo {
  sequence: number; issued_at: number; next_update: number; issuers: string[]; source: 'bundled' | 'edge';
}

export interface TrustNotice {
  kind: 'refused' | 'unavailable' | 'broken';
  code: string;
  message: string;
}

/** Verify PDF bytes in a Web Worker; resolves to the verdict. Never rejects for a bad file. */
export function verify(bytes: ArrayBuffer | Uint8Array, options?: VerifyOptions): Promise<Verdict>;

export class EcertClient {
  constructor(options?: { edge?: string | null; maxBytes?: number; timeoutMs?: number });
  readonly edge: string | null;
  readonly maxBytes: number;
  trust: TrustInfo | null;
  trustNotice: TrustNotice | null;
  ready(): Promise<TrustInfo>;
  /** Whether the trust list in use is past its `next_update` at `now` (Unix seconds, default now). */
  trustExpired(now?: number): boolean;
  verify(bytes: ArrayBuffer | Uint8Array, options?: Omit<VerifyOptions, 'edge'>): Promise<Verdict>;
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
export function renderCard(verdict: Verdict, options?: { fileName?: string; lang?: 'zh-CN' | 'en'; display?: 'full' | 'compact'; headingLevel?: number }): HTMLElement;

export interface EcertVerdictEvent extends CustomEvent<Verdict> {}

/** `<ecert-verify lang="zh-CN|en" edge="https://…" display="full|compact">` */
export class EcertVerifyElement extends HTMLElement {
  lang: string;
  edge: string | null;
  display: 'full' | 'compact';
  /** Verify, show the card and fire `ecert-verdict`. */
  verify(bytes: ArrayBuffer | Uint8Array, options?: Omit<VerifyOptions, 'edge'> & { fileName?: string }): Promise<Verdict>;
  clear(): void;
}

declare global {
  interface HTMLElementTagNameMap { 'ecert-verify': EcertVerifyElement }
  interface HTMLElementEventMap { 'ecert-verdict': EcertVerdictEvent }
}
