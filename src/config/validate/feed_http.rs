//! Validation of a `[[feed]]`'s HTTP settings into [`FeedHttp`]: header names and values
//! that HTTP can carry, no header showfeed manages itself, basic auth whose password is
//! named, never written, and a proxy URL of a scheme reqwest speaks, without a password.

use std::path::Path;
use std::time::Duration;

use toml::Spanned;
use url::Url;

use super::{duration, Collector, MINUTE};
use crate::config::http::{BasicAuth, FeedHttp, Password};
use crate::config::raw::RawFeed;

/// Headers showfeed sets itself (conditional GET, decompression, framing) or that have
/// their own key.
const MANAGED: &[(&str, &str)] = &[
    ("host", "it follows the URL"),
    ("content-length", "a GET has no body"),
    ("transfer-encoding", "a GET has no body"),
    ("connection", "the HTTP client manages connections"),
    ("accept-encoding", "showfeed decompresses gzip, brotli and deflate itself"),
    ("if-none-match", "showfeed sends the stored ETag"),
    ("if-modified-since", "showfeed sends the stored Last-Modified"),
    ("user-agent", "use the `user_agent` key"),
    ("cookie", "use the `cookie` key"),
    ("authorization", "use `username` with `password_env` or `password_file`, so the secret stays out of the file"),
    ("proxy-authorization", "the proxy's credentials are not supported"),
];

/// The feed's HTTP settings; `None` (after reporting each problem) when one is wrong.
pub(super) fn feed_http(
    f: &RawFeed,
    base: &Path,
    subject: Option<&str>,
    c: &mut Collector<'_>,
) -> Option<FeedHttp> {
    let mut ok = true;
    let mut text = |v: &Option<Spanned<String>>, key: &str, c: &mut Collector<'_>| {
        let v = v.as_ref()?;
        if reqwest::header::HeaderValue::from_str(v.get_ref()).is_err() || v.get_ref().is_empty() {
            c.spanned(v, subject, format!("`{key}` must be non-empty text without control characters (what an HTTP header can carry)"));
            ok = false;
            return None;
        }
        Some(v.get_ref().clone())
    };
    let user_agent = text(&f.user_agent, "user_agent", c);
    let cookie = text(&f.cookie, "cookie", c);
    let headers = headers(f, subject, c);
    let auth = auth(f, base, subject, c);
    let proxy = f.proxy.as_ref().map(|p| proxy(p, subject, c));
    let timeout = f.timeout.as_ref().map(|t| {
        duration(
            t,
            subject,
            "timeout",
            (Duration::from_secs(1), 10 * MINUTE),
            c,
        )
    });
    Some(FeedHttp {
        user_agent,
        headers: headers?,
        cookie,
        auth: auth?,
        proxy: proxy.map_or(Some(None), |p| p.map(Some))?,
        http1_only: f.http2.as_ref().is_some_and(|b| !*b.get_ref()),
        timeout: timeout.map_or(Some(None), |t| t.map(Some))?,
    })
    .filter(|_| ok)
}

/// `headers = { Name = "value" }`: names and values HTTP can carry, none of [`MANAGED`].
fn headers(
    f: &RawFeed,
    subject: Option<&str>,
    c: &mut Collector<'_>,
) -> Option<Vec<(String, String)>> {
    let Some(table) = &f.headers else {
        return Some(Vec::new());
    };
    let mut ok = true;
    let mut out = Vec::new();
    for (name, value) in table.get_ref() {
        let lower = name.to_ascii_lowercase();
        let problem = if reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
            Some(format!("`headers`: {name:?} is not a header name"))
        } else if let Some((_, why)) = MANAGED.iter().find(|(m, _)| *m == lower) {
            Some(format!("`headers`: {name} cannot be set here: {why}"))
        } else if reqwest::header::HeaderValue::from_str(value.get_ref()).is_err() {
            Some(format!(
                "`headers`: the value of {name} has characters a header cannot carry"
            ))
        } else {
            None
        };
        match problem {
            Some(message) => {
                c.spanned(value, subject, message);
                ok = false;
            }
            None => out.push((name.clone(), value.get_ref().clone())),
        }
    }
    ok.then_some(out)
}

/// `username` with exactly one of `password_env` and `password_file`; never `password`.
fn auth(
    f: &RawFeed,
    base: &Path,
    subject: Option<&str>,
    c: &mut Collector<'_>,
) -> Option<Option<BasicAuth>> {
    if let Some(p) = &f.password {
        c.spanned(p, subject, "`password` is not accepted: secrets stay out of feeds.toml; name an environment variable with `password_env` or a file with `password_file`".into());
        return None;
    }
    let password = match (&f.password_env, &f.password_file) {
        (Some(env), Some(_)) => {
            c.spanned(
                env,
                subject,
                "`password_env` and `password_file` are both set: keep one".into(),
            );
            return None;
        }
        (Some(env), None) => {
            let name = env.get_ref();
            let valid = !name.is_empty()
                && !name.starts_with(|ch: char| ch.is_ascii_digit())
                && name
                    .chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || ch == '_');
            if !valid {
                c.spanned(env, subject, format!("`password_env` = {name:?} is not an environment variable name (letters, digits and _)"));
                return None;
            }
            Some((env.span(), Password::Env(name.clone())))
        }
        (None, Some(file)) if file.get_ref().trim().is_empty() => {
            c.spanned(
                file,
                subject,
                "`password_file` is empty: name the file".into(),
            );
            return None;
        }
        (None, Some(file)) => Some((file.span(), Password::File(base.join(file.get_ref())))),
        (None, None) => None,
    };
    match (&f.username, password) {
        (Some(user), Some((_, password))) => {
            let username = user.get_ref().clone();
            if username.is_empty()
                || username.contains(':')
                || username.chars().any(char::is_control)
            {
                c.spanned(
                    user,
                    subject,
                    "`username` must be non-empty, without `:` or control characters".into(),
                );
                return None;
            }
            Some(Some(BasicAuth { username, password }))
        }
        (Some(user), None) => {
            c.spanned(
                user,
                subject,
                "`username` needs `password_env` or `password_file`".into(),
            );
            None
        }
        (None, Some((span, _))) => {
            c.at(Some(span), subject, "a password needs `username`".into());
            None
        }
        (None, None) => Some(None),
    }
}

/// `proxy`: an http, https, socks5 or socks5h URL with a host, without a password.
fn proxy(p: &Spanned<String>, subject: Option<&str>, c: &mut Collector<'_>) -> Option<Url> {
    let raw = p.get_ref().trim();
    let message = match Url::parse(raw) {
        Ok(u) if !matches!(u.scheme(), "http" | "https" | "socks5" | "socks5h") => format!(
            "`proxy` = {raw:?}: the scheme must be http, https, socks5 or socks5h"
        ),
        Ok(u) if u.host_str().is_none_or(str::is_empty) => {
            format!("`proxy` = {raw:?} has no host")
        }
        Ok(u) if u.password().is_some() => {
            "`proxy` holds a password: secrets stay out of feeds.toml (proxy credentials are not supported)".into()
        }
        Ok(u) => return Some(u),
        Err(e) => format!("`proxy` = {raw:?} is not a URL ({e})"),
    };
    c.spanned(p, subject, message);
    None
}
