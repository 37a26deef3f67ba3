-- ecert edge: rate limits moved to Cloudflare's Rate Limiting binding (issue 16; docs/edge.md, "Rate limits"): no
-- request writes a counter row any more, so the fixed-window counter table of 0001 goes.
DROP TABLE IF EXISTS rate_limits;
