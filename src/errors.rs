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
