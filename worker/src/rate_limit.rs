//! Rate limits on the endpoints that could be used to enumerate certificates (lookup) or to burn CPU (verify), on
//! Cloudflare's Rate Limiting binding (`[[ratelimits]]` in wrangler.toml): nothing is written to D1.
//!
//! Two kinds of key:
//! - **the client**: its IPv4 address, or its IPv6 /64 (one customer's network: every address and every
//!   spelling of an address in a /64 is one key; an IPv4-mapped IPv6 address is its IPv4 address);
//! - **the certificate asked about**: the 管理号 or 查询编号 of a lookup, folded ([`ecert_format::holder_input`]),
//!   so guessing one holder's details from many addresses is bounded too. Counted for every well-formed number,
//!   registered or not, so a 429 on it says nothing about whether the number exists.

use std::net::{IpAddr, Ipv6Addr};

use crate::error::{ApiError, ApiResult};

/// A limit configured as a binding (the names in wrangler.toml).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limiter {
    /// `POST /v1/lookup` per client.
    LookupClient,
    /// `POST /v1/lookup` per 管理号 / 查询编号 asked about.
    LookupNumber,
    /// `POST /v1/verify` per client.
    VerifyClient,
    /// Holder login and registration (and account deletion, which checks the password) per account (holder key).
    LoginAccount,
    /// Holder login and registration per client.
    LoginClient,
}

impl Limiter {
    /// The binding's name in wrangler.toml.
    pub fn binding(self) -> &'static str {
        match self {
            Limiter::LookupClient => "RL_LOOKUP_CLIENT",
            Limiter::LookupNumber => "RL_LOOKUP_NUMBER",
            Limiter::VerifyClient => "RL_VERIFY_CLIENT",
            Limiter::LoginAccount => "RL_LOGIN_ACCOUNT",
            Limiter::LoginClient => "RL_LOGIN_CLIENT",
        }
    }

    /// The binding's period in seconds (as in wrangler.toml; the platform allows 10 or 60): a client over the
    /// limit is told to retry after at most this long.
    pub fn period_seconds(self) -> u64 {
        60
    }
}

/// The rate-limit key of a client address (the `CF-Connecting-IP` header): `v4:a.b.c.d`, `v6:xxxx:xxxx:xxxx:xxxx::/64`,
/// or `other:` and the text when it is not an address (then every such client shares one allowance).
pub fn client_key(address: &str) -> String {
    let text = address.trim();
    // `[…]` and a zone index (`%eth0`) are not part of the address.
    let bare = text.trim_start_matches('[').trim_end_matches(']');
    let bare = bare.split('%').next().unwrap_or(bare);
    match bare.parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => format!("v4:{v4}"),
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => format!("v4:{v4}"),
            None => {
                let s = v6.segments();
                let net = Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
                format!("v6:{net}/64")
            }
        },
        Err(_) => format!("other:{}", text.chars().take(64).collect::<String>()),
    }
}

/// The rate-limit key of a lookup's number: which kind, and the folded number.
pub fn number_key(kind: &str, folded_number: &str) -> String {
    format!("{kind}:{folded_number}")
}

/// Count this request under `key` with the limiter's binding; `Err(429)` with `Retry-After` once over the limit.
/// A missing binding is a configuration error (500), never "no limit".
pub async fn check(env: &worker::Env, limiter: Limiter, key: String) -> ApiResult<()> {
    let binding = env
        .rate_limiter(limiter.binding())
        .map_err(|e| ApiError::misconfigured(&format!("rate limit binding {}: {e}", limiter.binding())))?;
    let outcome = binding.limit(key).await.map_err(|e| ApiError::internal("rate limit", e))?;
    if outcome.success { Ok(()) } else { Err(ApiError::rate_limited(limiter.period_seconds())) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_key_per_ipv6_64_whatever_the_spelling() {
        let k = client_key("2001:db8:1:2::1");
        assert_eq!(k, "v6:2001:db8:1:2::/64");
        for same in [
            "2001:db8:1:2::1",
            "2001:0db8:0001:0002:0000:0000:0000:0001",
            "2001:DB8:1:2:0:0:0:1",
            "2001:db8:1:2:ffff:ffff:ffff:ffff",
            "2001:db8:1:2:abcd::",
            "[2001:db8:1:2::99]",
            "fe80::1%eth0",
        ]
        .iter()
        .take(6)
        {
            assert_eq!(client_key(same), k, "{same}");
        }
        assert_ne!(client_key("2001:db8:1:3::1"), k);
        assert_eq!(client_key("fe80::1%eth0"), "v6:fe80::/64");
    }

    #[test]
    fn ipv4_and_mapped_ipv4_are_one_key() {
        assert_eq!(client_key("203.0.113.7"), "v4:203.0.113.7");
        assert_eq!(client_key("::ffff:203.0.113.7"), "v4:203.0.113.7");
        assert_eq!(client_key("::FFFF:cb00:7107"), "v4:203.0.113.7");
        assert_eq!(client_key(" 203.0.113.7 "), "v4:203.0.113.7");
        assert_ne!(client_key("203.0.113.8"), client_key("203.0.113.7"));
        assert_eq!(client_key("unknown"), "other:unknown");
        assert_eq!(client_key(""), "other:");
    }

    #[test]
    fn number_keys() {
        assert_eq!(number_key("m", "2023031500001"), "m:2023031500001");
        assert_ne!(number_key("m", "X1"), number_key("q", "X1"));
    }
}
