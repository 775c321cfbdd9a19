//! Who may talk to the pages: the checks every request passes before it is
//! served. The pages hold a live session, so the rules are strict:
//! - the server only listens on 127.0.0.1, so nothing off this machine
//!   reaches it at all;
//! - every request carries the per-run secret token from the page's URL, so
//!   other users and programs on this machine cannot drive the session;
//! - the `Host` header must name the loopback address and our port, so a web
//!   page that rebinds its own domain to 127.0.0.1 is refused;
//! - a request that says where it comes from (`Origin`, `Sec-Fetch-Site`)
//!   must come from our own page, so another site open in the same browser
//!   cannot open the WebSocket (browsers do not apply the same-origin rule
//!   to WebSockets; the server must).

use subtle::ConstantTimeEq;

/// Why a request was refused; the text is what the refused client reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// No `t=` token in the query.
    #[error("refused: this page needs the secret link Beckon printed (the token is missing)")]
    NoToken,
    /// A token that is not this run's.
    #[error("refused: the link's secret token is wrong or from an earlier run")]
    WrongToken,
    /// `Host` is not 127.0.0.1/localhost with our port.
    #[error("refused: Beckon's pages are only served as 127.0.0.1 on this machine")]
    WrongHost,
    /// `Origin` or `Sec-Fetch-Site` names another site.
    #[error("refused: requests from other web sites are not allowed")]
    OtherOrigin,
    /// A WebSocket opened without saying where it comes from.
    #[error("refused: a WebSocket must come from Beckon's own page")]
    NoOrigin,
}

/// The facts of one request the guard looks at.
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestFacts<'a> {
    /// The query string, without `?`.
    pub query: Option<&'a str>,
    /// The `Host` header.
    pub host: Option<&'a str>,
    /// The `Origin` header.
    pub origin: Option<&'a str>,
    /// The `Sec-Fetch-Site` header.
    pub fetch_site: Option<&'a str>,
    /// Whether it asks for a WebSocket upgrade.
    pub websocket: bool,
}

/// The rules for one server: its port and its token.
#[derive(Clone)]
pub struct Guard {
    port: u16,
    token: String,
}

impl std::fmt::Debug for Guard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the token.
        f.debug_struct("Guard").field("port", &self.port).finish()
    }
}

impl Guard {
    /// Rules for a server on `port` whose token is `token`.
    pub fn new(port: u16, token: String) -> Guard {
        Guard { port, token }
    }

    /// The token.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Check one request.
    pub fn check(&self, req: &RequestFacts<'_>) -> Result<(), Refusal> {
        match req.host {
            Some(host) if self.is_our_authority(host) => {}
            _ => return Err(Refusal::WrongHost),
        }
        match req.origin {
            Some(origin) if !self.is_our_origin(origin) => return Err(Refusal::OtherOrigin),
            None if req.websocket => return Err(Refusal::NoOrigin),
            _ => {}
        }
        if let Some(site) = req.fetch_site {
            // "none": typed into the address bar or opened by Beckon itself.
            if !matches!(site, "same-origin" | "none") {
                return Err(Refusal::OtherOrigin);
            }
        }
        let given = token_in(req.query.unwrap_or("")).ok_or(Refusal::NoToken)?;
        if bool::from(given.as_bytes().ct_eq(self.token.as_bytes())) {
            Ok(())
        } else {
            Err(Refusal::WrongToken)
        }
    }

    fn is_our_authority(&self, host: &str) -> bool {
        let Some((name, port)) = host.rsplit_once(':') else {
            return false;
        };
        port.parse::<u16>().ok() == Some(self.port)
            && (name == "127.0.0.1" || name.eq_ignore_ascii_case("localhost"))
    }

    fn is_our_origin(&self, origin: &str) -> bool {
        origin
            .strip_prefix("http://")
            .is_some_and(|authority| self.is_our_authority(authority))
    }
}

/// The value of `t=` in a query string.
fn token_in(query: &str) -> Option<&str> {
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("t="))
        .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard() -> Guard {
        Guard::new(4242, "s3cret".into())
    }

    fn page() -> RequestFacts<'static> {
        RequestFacts {
            query: Some("t=s3cret"),
            host: Some("127.0.0.1:4242"),
            origin: None,
            fetch_site: Some("none"),
            websocket: false,
        }
    }

    #[test]
    fn our_page_with_the_token_passes() {
        assert_eq!(guard().check(&page()), Ok(()));
        let ws = RequestFacts {
            query: Some("x=1&t=s3cret"),
            origin: Some("http://127.0.0.1:4242"),
            fetch_site: Some("same-origin"),
            websocket: true,
            ..page()
        };
        assert_eq!(guard().check(&ws), Ok(()));
        let localhost = RequestFacts {
            host: Some("localhost:4242"),
            ..page()
        };
        assert_eq!(guard().check(&localhost), Ok(()));
    }

    #[test]
    fn missing_or_wrong_token_is_refused() {
        let none = RequestFacts {
            query: None,
            ..page()
        };
        assert_eq!(guard().check(&none), Err(Refusal::NoToken));
        let empty = RequestFacts {
            query: Some("t="),
            ..page()
        };
        assert_eq!(guard().check(&empty), Err(Refusal::NoToken));
        let wrong = RequestFacts {
            query: Some("t=s3cre"),
            ..page()
        };
        assert_eq!(guard().check(&wrong), Err(Refusal::WrongToken));
    }

    #[test]
    fn other_hosts_are_refused() {
        for host in [
            None,
            Some("evil.example:4242"),
            Some("127.0.0.1:4243"),
            Some("127.0.0.1"),
            Some("192.168.1.5:4242"),
        ] {
            let req = RequestFacts { host, ..page() };
            assert_eq!(guard().check(&req), Err(Refusal::WrongHost), "{host:?}");
        }
    }

    #[test]
    fn other_origins_are_refused() {
        for origin in [
            "http://evil.example",
            "https://127.0.0.1:4242",
            "http://127.0.0.1:4243",
            "null",
        ] {
            let req = RequestFacts {
                origin: Some(origin),
                websocket: true,
                ..page()
            };
            assert_eq!(guard().check(&req), Err(Refusal::OtherOrigin), "{origin}");
        }
        let cross = RequestFacts {
            fetch_site: Some("cross-site"),
            ..page()
        };
        assert_eq!(guard().check(&cross), Err(Refusal::OtherOrigin));
        let bare_ws = RequestFacts {
            websocket: true,
            ..page()
        };
        assert_eq!(guard().check(&bare_ws), Err(Refusal::NoOrigin));
    }
}
