//! DNS rebinding: a web page the guardian visits can make its own name resolve to 127.0.0.1 and
//! then talk to a provider served on this computer. Served on loopback (the embedded demo, `make
//! run`, the tests), the sandbox answers only requests addressed to a loopback name on its own
//! port; any other `Host` gets `421 Misdirected Request` before a route sees it.

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use guardian_domain::ErrorCode;

use crate::error::ApiError;

pub(crate) async fn loopback_only(State(port): State<u16>, request: Request, next: Next) -> Response {
    let host = request.headers().get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    if is_loopback_host(host, port) {
        return next.run(request).await;
    }
    ApiError::new(
        StatusCode::MISDIRECTED_REQUEST,
        ErrorCode::Forbidden,
        "this provider on loopback answers only requests addressed to 127.0.0.1, [::1] or localhost",
    )
    .into_response()
}

/// `127.0.0.1`, `[::1]` or `localhost` (any case), with exactly this `port`.
fn is_loopback_host(host: &str, port: u16) -> bool {
    let Some((name, given)) = host.rsplit_once(':') else { return false };
    given.parse::<u16>().ok() == Some(port)
        && (name == "127.0.0.1" || name == "[::1]" || name.eq_ignore_ascii_case("localhost"))
}

#[cfg(test)]
mod tests {
    use super::is_loopback_host;

    #[test]
    fn only_loopback_names_on_our_port_are_answered() {
        for good in ["127.0.0.1:8080", "localhost:8080", "LocalHost:8080", "[::1]:8080"] {
            assert!(is_loopback_host(good, 8080), "{good}");
        }
        for bad in [
            "",
            "127.0.0.1",
            "localhost",
            "127.0.0.1:8081",
            "rebound.example:8080",
            "localhost.rebound.example:8080",
            "127.0.0.1.nip.io:8080",
            "[::1]:80",
            "0.0.0.0:8080",
            "localhost:8080:8080",
        ] {
            assert!(!is_loopback_host(bad, 8080), "{bad:?}");
        }
    }
}
