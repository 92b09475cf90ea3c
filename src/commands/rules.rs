//! `showfeed rules test`: the stored entries a rule matches, from the store or, if the
//! daemon holds it, the daemon.

use std::sync::Arc;

use anyhow::Context as _;

use super::client::{daemon_for, DaemonClient};
use crate::cli::RulesCommand;
use crate::config::Config;
use crate::daemon::open_existing_store;
use crate::output::rules_test::{rule_test, RuleTest, MAX_LISTED};

/// `rules ...`.
pub async fn rules(config: Arc<Config>, cmd: RulesCommand) -> anyhow::Result<()> {
    let RulesCommand::Test { rule, feed } = cmd;
    let result = match open_existing_store(&config) {
        Ok(store) => {
            let c = config.clone();
            let (r, f) = (rule.clone(), feed.clone());
            tokio::task::spawn_blocking(move || rule_test(&c, &store, &r, f.as_deref()))
                .await?
                .map_err(|e| anyhow::anyhow!("{e}"))?
        }
        Err(e) => match daemon_for(&config, &e).await {
            Some(daemon) => from_daemon(&daemon, &rule, feed.as_deref()).await?,
            None => return Err(e).context("cannot open the store"),
        },
    };
    print(&result);
    Ok(())
}

/// The answer of the running daemon.
async fn from_daemon(
    daemon: &DaemonClient,
    rule: &str,
    feed: Option<&str>,
) -> anyhow::Result<RuleTest> {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    q.append_pair("rule", rule);
    if let Some(f) = feed {
        q.append_pair("feed", f);
    }
    Ok(daemon
        .get(&format!("/admin/rules/test?{}", q.finish()))
        .await?
        .json()
        .await?)
}

/// One line per match, then the counts.
fn print(r: &RuleTest) {
    for e in &r.entries {
        println!("{}  {:<16}  {}", e.published, e.feed, e.title);
    }
    let more = if r.matched > MAX_LISTED {
        format!(" (the newest {MAX_LISTED} listed)")
    } else {
        String::new()
    };
    println!(
        "{} of {} stored entries match {}{more}",
        r.matched, r.scanned, r.rule
    );
}
