"""schemathesis hooks for scripts/schemathesis.sh: the edge's binary request bodies (a PDF for POST /v1/verify, a
signed status file for PUT /v1/admin/status/snapshot) are sent as the raw bytes schemathesis generates, the way it
sends application/octet-stream (the edge accepts that type too)."""

import schemathesis

schemathesis.serializer.alias(
    ["application/pdf", "application/vnd.ecert.status-snapshot"],
    "application/octet-stream",
)


_client = 0


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    """Each lookup and verification from its own client address (`CF-Connecting-IP`, which workerd passes through
    as Cloudflare sets it), so the per-client rate limits (10 lookups a minute) leave the handlers' logic to be
    tested rather than answering 429 to nearly every request; the limits are tested in tests/worker/edge.test.mjs.
    The per-number lookup limit still applies. Holder registration and login likewise (their per-client limit is
    tested in tests/worker/holder.test.mjs; the per-account limit still applies)."""
    global _client
    if case.operation.path in ("/v1/lookup", "/v1/verify", "/v1/holder/register", "/v1/holder/login"):
        _client += 1
        if case.headers is None:
            case.headers = {}
        case.headers["CF-Connecting-IP"] = f"10.{(_client >> 16) & 255}.{(_client >> 8) & 255}.{_client & 255}"
