//! A feed's own HTTP settings: what a site behind Cloudflare, a login or a proxy needs
//! (`user_agent`, `headers`, `cookie`, basic auth, `proxy`, `http2`, `timeout`).
//!
//! Secrets never live in feeds.toml: basic auth names an environment variable or a file
//! (systemd credentials, Docker secrets) that is read at each fetch, so a rotated password
//! needs no reload and the text `/admin/config` serves holds none. The `Debug` form leaves
//! out cookie and header values too, so a config printed for debugging leaks nothing.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use url::Url;

/// A feed's HTTP settings; the default is showfeed's own behaviour.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct FeedHttp {
    /// `User-Agent` instead of showfeed's.
    pub user_agent: Option<String>,
    /// Extra request headers (names and values checked), in file order.
    pub headers: Vec<(String, String)>,
    /// A `Cookie` header.
    pub cookie: Option<String>,
    /// HTTP basic authentication.
    pub auth: Option<BasicAuth>,
    /// Proxy for this feed: `http://`, `https://`, `socks5://` or `socks5h://`.
    pub proxy: Option<Url>,
    /// `http2 = false`: HTTP/1.1 only (some servers and middleboxes break on HTTP/2).
    pub http1_only: bool,
    /// Whole-fetch timeout instead of `[polling] timeout`.
    pub timeout: Option<Duration>,
}

impl FeedHttp {
    /// Whether the feed needs a client of its own (a proxy, HTTP/1.1 only): the other
    /// settings go on each request.
    pub fn own_client(&self) -> bool {
        self.proxy.is_some() || self.http1_only
    }
}

impl fmt::Debug for FeedHttp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header_names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("FeedHttp")
            .field("user_agent", &self.user_agent)
            .field("headers", &header_names)
            .field("cookie", &self.cookie.as_ref().map(|_| "(set)"))
            .field("auth", &self.auth)
            .field("proxy", &self.proxy.as_ref().map(Url::as_str))
            .field("http1_only", &self.http1_only)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// HTTP basic authentication: a user name and where its password is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BasicAuth {
    /// The user name (not a secret).
    pub username: String,
    /// Where the password is read from at each fetch.
    pub password: Password,
}

/// Where a password is: never in feeds.toml itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Password {
    /// `password_env`: an environment variable of the daemon.
    Env(String),
    /// `password_file`: a file (relative to the config file's directory); one trailing
    /// newline is not part of the password.
    File(PathBuf),
}

impl Password {
    /// The password now; the error names the variable or file, never the value.
    pub fn read(&self) -> Result<String, String> {
        match self {
            Password::Env(name) => std::env::var(name).map_err(|e| match e {
                std::env::VarError::NotPresent => {
                    format!("password_env: ${name} is not set in the daemon's environment")
                }
                std::env::VarError::NotUnicode(_) => format!("password_env: ${name} is not UTF-8"),
            }),
            Password::File(path) => std::fs::read_to_string(path)
                .map(|s| {
                    let s = s.strip_suffix('\n').unwrap_or(&s);
                    s.strip_suffix('\r').unwrap_or(s).to_owned()
                })
                .map_err(|e| format!("password_file: cannot read {}: {e}", path.display())),
        }
    }
}
