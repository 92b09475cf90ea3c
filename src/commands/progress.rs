//! Progress bars for long one-shot work (`poll`, a foreground re-tag), drawn on stderr only
//! when it is a terminal: nothing of them reaches a file, a pipe or cron's mail.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

/// A bar over `len` steps of `unit`s, or a hidden one off a terminal.
pub fn bar(len: u64, unit: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let style = ProgressStyle::with_template(&format!(
        "{{bar:30.cyan/blue}} {{pos}}/{{len}} {unit} {{msg}} [{{elapsed}}]"
    ))
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ");
    ProgressBar::new(len).with_style(style)
}
