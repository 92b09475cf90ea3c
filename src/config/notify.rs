//! `[[view]] notify`: where a view's new stories are announced. A target is a URL (an ntfy
//! topic is recognised by its host, anything else is a generic JSON webhook) or a table
//! that says its type and where its token is: `{ url = "...", type = "ntfy", token_env =
//! "NTFY_TOKEN" }`. Tokens come from the daemon's environment, never from the file.

use url::Url;

/// How a target is spoken to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NotifyKind {
    /// ntfy's HTTP API: a POST to the topic URL, the text as the body, `Title`, `Click`
    /// and `Tags` headers.
    Ntfy,
    /// A POST of the entry as a JSON Feed item.
    Webhook,
}

impl NotifyKind {
    /// `ntfy` or `webhook`, as `type =` names it.
    pub fn as_str(self) -> &'static str {
        match self {
            NotifyKind::Ntfy => "ntfy",
            NotifyKind::Webhook => "webhook",
        }
    }

    /// The kind a plain URL gets: ntfy for `ntfy.sh` and hosts named `ntfy.*`, else a
    /// webhook.
    pub fn of_url(url: &Url) -> NotifyKind {
        let host = url.host_str().unwrap_or("").to_ascii_lowercase();
        if host == "ntfy.sh" || host.ends_with(".ntfy.sh") || host.starts_with("ntfy.") {
            NotifyKind::Ntfy
        } else {
            NotifyKind::Webhook
        }
    }
}

/// One notification target of a view.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NotifyTarget {
    /// Where to POST (http or https).
    pub url: Url,
    /// How.
    pub kind: NotifyKind,
    /// The environment variable holding a token, sent as `Authorization: Bearer`.
    pub token_env: Option<String>,
}

impl NotifyTarget {
    /// The URL without its path, query and credentials: what `/status` and the logs show
    /// (webhook URLs often carry a secret in their path).
    pub fn shown(&self) -> String {
        let mut s = format!(
            "{}://{}",
            self.url.scheme(),
            self.url.host_str().unwrap_or("")
        );
        if let Some(p) = self.url.port() {
            s.push_str(&format!(":{p}"));
        }
        s.push_str("/…");
        s
    }
}
