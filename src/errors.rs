//! How errors are shown to people: one line with the whole chain of causes. A leaf module,
//! so logs, the CLI and the HTTP answers all print errors the same way.

/// Renders an error and its sources as one line: "fetch failed: request failed: ...".
/// A cause whose text the line already ends with is not repeated.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        let msg = inner.to_string();
        if !s.ends_with(&msg) {
            s.push_str(": ");
            s.push_str(&msg);
        }
        source = inner.source();
    }
    s
}

/// A failure in a few words, for people: "DNS lookup failed for collider.com" instead of
/// four nested "error sending request" clauses. `chain` is an [`error_chain`] line (as
/// feed states store it) and `host` the host the request went to. The whole chain stays
/// in `/status` and the log for whoever needs it.
pub fn short_error(chain: &str, host: &str) -> String {
    let lower = chain.to_ascii_lowercase();
    let has = |needles: &[&str]| needles.iter().any(|n| lower.contains(n));
    if has(&[
        "dns error",
        "failed to lookup address",
        "name or service not known",
        "no such host",
        "nodename nor servname",
    ]) {
        return format!("DNS lookup failed for {host}");
    }
    if has(&["connection refused"]) {
        return format!("connection refused by {host}");
    }
    if has(&["connection reset", "broken pipe"]) {
        return format!("connection reset by {host}");
    }
    if has(&["network is unreachable", "no route to host"]) {
        return format!("no route to {host} (network unreachable)");
    }
    if has(&["certificate", "tls handshake", "invalid peer"]) {
        return format!("TLS failed with {host}: its certificate was not accepted");
    }
    // The rest already reads well once the stage's prefix is gone: "HTTP 404 Not Found",
    // "timed out after 30s", "got an HTML page, not a feed (...)".
    let rest = chain
        .strip_prefix("fetch failed: ")
        .or_else(|| chain.strip_prefix("parse failed: "))
        .unwrap_or(chain);
    let rest = rest.split(": error sending request").next().unwrap_or(rest);
    match rest.char_indices().nth(160) {
        Some((i, _)) => format!("{}…", &rest[..i]),
        None => rest.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::short_error;

    #[test]
    fn network_failures_read_in_a_few_words() {
        let dns = "fetch failed: cannot connect: error sending request for url (https://collider.com/feed/): client error (Connect): dns error: failed to lookup address information: Name or service not known";
        assert_eq!(
            short_error(dns, "collider.com"),
            "DNS lookup failed for collider.com"
        );
        let refused = "fetch failed: cannot connect: error sending request for url (http://127.0.0.1:9/a.rss): client error (Connect): tcp connect error: Connection refused (os error 111)";
        assert_eq!(
            short_error(refused, "127.0.0.1"),
            "connection refused by 127.0.0.1"
        );
        assert_eq!(
            short_error("fetch failed: HTTP 404 Not Found", "x"),
            "HTTP 404 Not Found"
        );
        assert_eq!(
            short_error("fetch failed: timed out after 30s", "x"),
            "timed out after 30s"
        );
        assert_eq!(
            short_error("parse failed: got an HTML page, not a feed", "x"),
            "got an HTML page, not a feed"
        );
    }
}

/// " (did you mean `x`?)" when one of `options` is a likely typo of `value`, else "": for
/// errors about misspelt keys, slugs and ids.
pub fn did_you_mean<'a>(value: &str, options: impl IntoIterator<Item = &'a str>) -> String {
    let value = value.to_ascii_lowercase();
    let best = options
        .into_iter()
        .map(|o| (strsim::jaro_winkler(&value, &o.to_ascii_lowercase()), o))
        .filter(|(score, _)| *score >= 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    best.map_or_else(String::new, |(_, o)| format!(" (did you mean `{o}`?)"))
}

#[cfg(test)]
mod did_you_mean_tests {
    use super::did_you_mean;

    #[test]
    fn close_typos_get_a_suggestion_far_ones_do_not() {
        let keys = ["interval", "concurrency", "per_host", "timeout"];
        assert_eq!(
            did_you_mean("intervall", keys),
            " (did you mean `interval`?)"
        );
        assert_eq!(
            did_you_mean("concurency", keys),
            " (did you mean `concurrency`?)"
        );
        assert_eq!(
            did_you_mean("squid-gam", ["squid-game", "the-bear"]),
            " (did you mean `squid-game`?)"
        );
        assert_eq!(did_you_mean("color", keys), "");
    }
}
