//! `[[view]] notify`: each target a URL or a `{ url, type, token_env }` table, every
//! problem reported at the target, a token written into the file refused.

use toml::Spanned;
use url::Url;

use super::Collector;
use crate::config::{NotifyKind, NotifyTarget};

/// The keys a target table takes.
const KEYS: &[&str] = &["url", "type", "token_env"];

/// The view's targets that pass; what is wrong with the others is reported.
pub(super) fn targets(
    list: &[Spanned<toml::Value>],
    subject: Option<&str>,
    c: &mut Collector<'_>,
) -> Vec<NotifyTarget> {
    let mut out: Vec<NotifyTarget> = Vec::new();
    for item in list {
        let Some(target) = target(item, subject, c) else {
            continue;
        };
        if out.iter().any(|t| t.url == target.url) {
            c.spanned(
                item,
                subject,
                format!("`notify`: {} is listed twice", target.url),
            );
            continue;
        }
        out.push(target);
    }
    out
}

fn target(
    item: &Spanned<toml::Value>,
    subject: Option<&str>,
    c: &mut Collector<'_>,
) -> Option<NotifyTarget> {
    let mut bad = |m: String| c.spanned(item, subject, format!("`notify`: {m}"));
    let (url, kind, token_env) = match item.get_ref() {
        toml::Value::String(u) => (u.as_str(), None, None),
        toml::Value::Table(t) => {
            if t.contains_key("token") {
                bad("a token never goes in feeds.toml: name the environment variable that holds it with `token_env`".into());
                return None;
            }
            if let Some(k) = t.keys().find(|k| !KEYS.contains(&k.as_str())) {
                bad(format!(
                    "unknown key `{k}` (expected one of: {})",
                    KEYS.join(", ")
                ));
                return None;
            }
            let Some(url) = t.get("url").and_then(|u| u.as_str()) else {
                bad("a target table needs `url = \"https://...\"`".into());
                return None;
            };
            let kind = match t.get("type").map(|v| v.as_str()) {
                None => None,
                Some(Some("ntfy")) => Some(NotifyKind::Ntfy),
                Some(Some("webhook")) => Some(NotifyKind::Webhook),
                Some(_) => {
                    bad("`type` must be \"ntfy\" or \"webhook\"".into());
                    return None;
                }
            };
            let token_env = match t.get("token_env").map(|v| v.as_str()) {
                None => None,
                Some(Some(v)) if is_env_name(v) => Some(v.to_owned()),
                Some(_) => {
                    bad("`token_env` must name an environment variable (A-Z, 0-9, _)".into());
                    return None;
                }
            };
            (url, kind, token_env)
        }
        _ => {
            bad("each target is a URL string or a table { url = \"...\", type = \"ntfy\", token_env = \"...\" }".into());
            return None;
        }
    };
    let url = match Url::parse(url.trim()) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => u,
        Ok(u) => {
            bad(format!("{u} is not an http or https URL"));
            return None;
        }
        Err(e) => {
            bad(format!("{url:?} is not a URL ({e})"));
            return None;
        }
    };
    if !url.username().is_empty() || url.password().is_some() {
        bad("credentials never go in feeds.toml: use `token_env`".into());
        return None;
    }
    Some(NotifyTarget {
        kind: kind.unwrap_or_else(|| NotifyKind::of_url(&url)),
        url,
        token_env,
    })
}

fn is_env_name(v: &str) -> bool {
    !v.is_empty()
        && !v.starts_with(|c: char| c.is_ascii_digit())
        && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use crate::config::{Config, NotifyKind};
    use std::path::Path;

    fn parse(notify: &str) -> Result<Config, String> {
        let text = format!(
            "[[feed]]\nid = \"a\"\nurl = \"https://example.org/feed\"\n\n[[view]]\nname = \"v\"\nnotify = {notify}\n"
        );
        Config::parse(&text, Path::new("feeds.toml")).map_err(|e| e.to_string())
    }

    #[test]
    fn plain_urls_and_tables() {
        let c = parse(
            r#"["https://ntfy.sh/showfeed-x", "https://example.org/hook", { url = "https://push.example.org/t", type = "ntfy", token_env = "NTFY_TOKEN" }]"#,
        )
        .unwrap();
        let t = &c.views[0].notify;
        assert_eq!(
            t.iter().map(|t| t.kind).collect::<Vec<_>>(),
            [NotifyKind::Ntfy, NotifyKind::Webhook, NotifyKind::Ntfy]
        );
        assert_eq!(t[2].token_env.as_deref(), Some("NTFY_TOKEN"));
        assert_eq!(t[1].shown(), "https://example.org/…");
    }

    #[test]
    fn secrets_and_mistakes_are_refused_at_the_target() {
        for (notify, says) in [
            (
                r#"[{ url = "https://ntfy.sh/x", token = "tk_abc" }]"#,
                "a token never goes in feeds.toml",
            ),
            (
                r#"[{ url = "https://ntfy.sh/x", typ = "ntfy" }]"#,
                "unknown key `typ`",
            ),
            (
                r#"[{ url = "https://ntfy.sh/x", type = "slack" }]"#,
                "`type` must be",
            ),
            (r#"[{ type = "ntfy" }]"#, "needs `url"),
            (r#"["ftp://example.org/x"]"#, "not an http or https URL"),
            (
                r#"["https://user:pw@example.org/x"]"#,
                "credentials never go",
            ),
            (
                r#"["https://ntfy.sh/x", "https://ntfy.sh/x"]"#,
                "listed twice",
            ),
            (
                r#"[{ url = "https://ntfy.sh/x", token_env = "a b" }]"#,
                "`token_env` must name",
            ),
            ("[3]", "each target is a URL string or a table"),
        ] {
            let e = parse(notify).unwrap_err();
            assert!(
                e.contains("feeds.toml:7:") && e.contains("view `v`: `notify`: "),
                "{e}"
            );
            assert!(e.contains(says), "{notify}: {e}");
        }
    }
}
