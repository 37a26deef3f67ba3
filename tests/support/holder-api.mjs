// A client of the edge's HTTP API for the tests that act as holders, signers and operators (tests/worker/holder,
// holder-reshard and signer): one request with the headers a browser on the edge's origin or an operator sends,
// the answer read whole, the session cookie taken from Set-Cookie.
//
//   const r = await edgeCall(baseUrl, 'POST', '/v1/holder/login', { body, ip, origin: baseUrl });
//   r → { status, headers, bytes, text, json }    (json undefined when the body is not JSON)

/**
 * `body`: an object is sent as JSON (content-type application/json unless `headers` names one); a string or,
 * with `raw: true`, anything else is sent as it is. `ip` is the client address (CF-Connecting-IP: the rate limits' client key);
 * `cookie` the session cookie's value; `csrf` the X-CSRF-Token; `origin` the Origin header; `bearer` an operator's
 * or the signer's token. Redirects are not followed.
 */
export async function edgeCall(baseUrl, method, path, { body, headers = {}, ip, cookie, csrf, origin, bearer, raw } = {}) {
  const h = { ...headers };
  if (ip) h['cf-connecting-ip'] = ip;
  if (cookie) h.cookie = `ecert_session=${cookie}`;
  if (csrf) h['x-csrf-token'] = csrf;
  if (origin) h.origin = origin;
  if (bearer) h.authorization = `Bearer ${bearer}`;
  if (body !== undefined && !raw && typeof body !== 'string') {
    body = JSON.stringify(body);
    h['content-type'] ??= 'application/json';
  }
  const r = await fetch(`${baseUrl}${path}`, { method, headers: h, body, redirect: 'manual' });
  const bytes = Buffer.from(await r.arrayBuffer());
  let json;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {}
  return { status: r.status, headers: r.headers, bytes, text: bytes.toString('utf8'), json };
}

/** The session cookie value a response set, or null. */
export function cookieOf(res) {
  const m = /ecert_session=([^;]*)/.exec(res.headers.get('set-cookie') ?? '');
  return m ? m[1] : null;
}
