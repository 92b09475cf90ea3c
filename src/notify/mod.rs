//! Notify: each new story that enters a `[[view]]` with `notify` targets is announced once
//! to each target (ntfy or a JSON webhook, see [`send`]).
//!
//! Downstream of the store: a poll hands the notifier its new stories once they are
//! committed ([`crate::poll::Context::arrivals`]: new to the store, recent news, not a new
//! feed's backlog), so a re-tag, a rule change or a restart announces nothing. Each story
//! that a view admits through one of its new entries (its filters, as
//! [`crate::output::select::admits`] reads them: the story's first entry, or a copy that
//! joins later and is the first to match the view) is queued per target in sled (at most
//! once per story and target, ever: the sent-state outlives restarts), then sent by one background
//! task under the daemon's shutdown token: at most one request per target every
//! [`MIN_GAP`], failures retried with growing delays ([`BACKOFF`]), `Retry-After`
//! honoured, given up after [`BACKOFF`] runs out (a health event). An entry under a spoiler
//! embargo is announced with its neutral title and no text.
//!
//! Counted in `showfeed_notifications_total{view,outcome}`; per target in `/status`
//! (`notifications`).

pub mod send;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::{Mutex, RwLock};
use sha2::{Digest, Sha256};
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use crate::clock::{now, rfc3339};
use crate::config::{Config, NotifyTarget, View};
use crate::entry::{Entry, EntryId};
use crate::fetch::FetchError;
use crate::output::status::NotifyRow;
use crate::output::{embargo, resolve_query, select, DocKind};
use crate::poll::Arrivals;
use crate::store::{blocking, HealthEvent, Notice, NoticeEnded, Store, StoreError, TargetKey};

use send::Outcome;

/// The shortest time between two requests to one target (its rate limit).
pub const MIN_GAP: Duration = Duration::from_secs(1);
/// The waits before each retry of a failed notification; when they run out it is given up.
pub const BACKOFF: [Duration; 6] = [
    Duration::from_secs(2),
    Duration::from_secs(10),
    Duration::from_secs(60),
    Duration::from_secs(300),
    Duration::from_secs(900),
    Duration::from_secs(3600),
];
/// The whole time one request may take.
const TIMEOUT: Duration = Duration::from_secs(10);
/// The longest sleep of the sender with nothing due (a config change is seen by then).
const IDLE: Duration = Duration::from_secs(60);
/// Characters of the entry's text in a notification.
const BODY_CHARS: usize = 300;

/// A target's key in the store: the view and the URL, so the same URL on two views is
/// two targets (each announces its own stories).
pub fn target_key(view: &str, t: &NotifyTarget) -> TargetKey {
    let mut h = Sha256::new();
    h.update(view.as_bytes());
    h.update([0]);
    h.update(t.url.as_str().as_bytes());
    let mut k = [0u8; 16];
    k.copy_from_slice(&h.finalize()[..16]);
    k
}

/// Counts and the last failure of one target, since the daemon started.
#[derive(Debug, Default, Clone)]
struct TargetState {
    sent: u64,
    retried: u64,
    failed: u64,
    last_error: Option<(i64, String)>,
    /// Not before this instant (rate limit, `Retry-After`).
    free_at: Option<Instant>,
}

/// The notifier: the queue's sender, its per-target state, and the config it reads.
pub struct Notifier {
    store: Arc<Store>,
    config: RwLock<Arc<Config>>,
    client: reqwest::Client,
    targets: Mutex<HashMap<TargetKey, TargetState>>,
    wake: tokio::sync::Notify,
}

impl Notifier {
    /// A notifier over `store` for the views of `config`.
    pub fn new(store: Arc<Store>, config: Arc<Config>) -> Result<Arc<Notifier>, FetchError> {
        Ok(Arc::new(Notifier {
            store,
            config: RwLock::new(config),
            client: crate::fetch::sending_client(TIMEOUT)?,
            targets: Mutex::default(),
            wake: tokio::sync::Notify::new(),
        }))
    }

    /// Reads `config` from now on (a reload): new views and targets announce from here,
    /// what is queued for a removed target is dropped.
    pub fn set_config(&self, config: Arc<Config>) {
        *self.config.write() = config;
        self.wake.notify_one();
    }

    fn config(&self) -> Arc<Config> {
        self.config.read().clone()
    }

    /// Starts the sender under `cancel`; returns where polls hand their new stories, and
    /// the task (it ends when `cancel` is cancelled).
    pub fn spawn(
        self: &Arc<Self>,
        cancel: CancellationToken,
    ) -> (Arrivals, tokio::task::JoinHandle<()>) {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let task = tokio::spawn(self.clone().run(rx, cancel));
        (tx, task)
    }

    async fn run(
        self: Arc<Self>,
        mut rx: tokio::sync::mpsc::UnboundedReceiver<Vec<Entry>>,
        cancel: CancellationToken,
    ) {
        loop {
            let wait = match self.send_due(&cancel).await {
                Ok(wait) => wait,
                Err(e) => {
                    warn!("notifications: cannot read the queue: {e}");
                    IDLE
                }
            };
            tokio::select! {
                () = cancel.cancelled() => break,
                Some(batch) = rx.recv() => {
                    let me = self.clone();
                    match blocking("queue notifications", move || me.queue(&batch)).await {
                        Ok(0) => {}
                        Ok(n) => info!(queued = n, "notifications queued"),
                        Err(e) => warn!("notifications: cannot queue: {e}"),
                    }
                }
                () = self.wake.notified() => {}
                () = tokio::time::sleep(wait) => {}
            }
        }
    }

    /// Queues a notice per target of every view that admits each entry; how many.
    fn queue(&self, entries: &[Entry]) -> Result<usize, StoreError> {
        let config = self.config();
        let now = now();
        let mut queued = 0;
        for view in config.views.iter().filter(|v| !v.notify.is_empty()) {
            let kind = DocKind::View(view.name.clone());
            let Ok(request) = resolve_query(&config, &kind, None, now) else {
                continue;
            };
            for e in entries.iter().filter(|e| select::admits(&request.query, e)) {
                let held = request.embargo.held_until(e);
                let notice = notice_of(view, e, held);
                // Keyed by the story, so a story is announced once per target whichever
                // of its copies brought it into the view first.
                for t in &view.notify {
                    let key = target_key(&view.name, t);
                    queued += usize::from(self.store.queue_notice(&key, &e.story, &notice)?);
                }
            }
        }
        Ok(queued)
    }

    /// Sends every queued notice that is due and whose target is free; how long until the
    /// next one is.
    async fn send_due(&self, cancel: &CancellationToken) -> Result<Duration, StoreError> {
        let st = self.store.clone();
        let queued = blocking("read the notification queue", move || st.queued_notices()).await?;
        let config = self.config();
        let targets: HashMap<TargetKey, (&View, &NotifyTarget)> = config
            .views
            .iter()
            .flat_map(|v| {
                v.notify
                    .iter()
                    .map(move |t| (target_key(&v.name, t), (v, t)))
            })
            .collect();
        let mut wait = IDLE;
        for (key, story, mut notice) in queued {
            if cancel.is_cancelled() {
                break;
            }
            let Some(&(view, target)) = targets.get(&key) else {
                let st = self.store.clone();
                blocking("drop a notification", move || st.drop_notice(&key, &story)).await?;
                continue;
            };
            let due = Duration::from_secs(u64::try_from(notice.next_at - now()).unwrap_or(0));
            let free = self.targets.lock().get(&key).and_then(|s| s.free_at);
            let free = free.map_or(Duration::ZERO, |f| {
                f.saturating_duration_since(Instant::now())
            });
            if !due.is_zero() || !free.is_zero() {
                wait = wait.min(due.max(free));
                continue;
            }
            let outcome = send::send(&self.client, target, &notice).await;
            self.settle(view, target, key, story, &mut notice, outcome)
                .await?;
            wait = wait.min(MIN_GAP);
        }
        Ok(wait)
    }

    /// Records what one attempt did: sent, to be retried (backing off), or given up.
    async fn settle(
        &self,
        view: &View,
        target: &NotifyTarget,
        key: TargetKey,
        story: EntryId,
        notice: &mut Notice,
        outcome: Outcome,
    ) -> Result<(), StoreError> {
        let retry_in = match &outcome {
            Outcome::Retry(after, _) => BACKOFF
                .get(notice.attempts as usize)
                .map(|d| (*d).max(after.unwrap_or_default())),
            _ => None,
        };
        let error = self.record(key, &outcome, retry_in.is_some());
        let count = |outcome: &str| {
            crate::metrics::get()
                .notifications
                .get_or_create(&crate::metrics::ViewOutcome {
                    view: view.name.clone(),
                    outcome: outcome.to_owned(),
                })
                .inc();
        };
        let st = self.store.clone();
        match (error, retry_in) {
            (None, _) => {
                count("sent");
                blocking("record a notification", move || {
                    st.end_notice(&key, &story, NoticeEnded::Sent)
                })
                .await
            }
            (Some(why), Some(delay)) => {
                count("retried");
                notice.attempts += 1;
                notice.next_at = now() + i64::try_from(delay.as_secs()).unwrap_or(i64::MAX / 2);
                let wait = humantime::format_duration(delay);
                warn!(view = %view.name, target = %target.shown(), "notification failed, retried in {wait}: {why}");
                let n = notice.clone();
                blocking("requeue a notification", move || {
                    st.requeue_notice(&key, &story, &n)
                })
                .await
            }
            (Some(why), None) => {
                count("failed");
                warn!(view = %view.name, target = %target.shown(), "notification given up: {why}");
                let event = HealthEvent {
                    at: now(),
                    feed_id: String::new(),
                    kind: "notify".into(),
                    title: format!(
                        "notification to {} (view {}) failed: {}",
                        target.shown(),
                        view.name,
                        notice.title
                    ),
                    detail: why,
                };
                blocking("record a notification", move || {
                    st.record_event(&event)?;
                    st.end_notice(&key, &story, NoticeEnded::Failed)
                })
                .await
            }
        }
    }

    /// Counts an attempt on its target and holds the target until its next allowed request
    /// (the rate limit, or the server's `Retry-After`); the error, when it failed.
    fn record(&self, key: TargetKey, outcome: &Outcome, retried: bool) -> Option<String> {
        let mut targets = self.targets.lock();
        let s = targets.entry(key).or_default();
        s.free_at = Some(Instant::now() + MIN_GAP);
        let error = match outcome {
            Outcome::Sent => {
                s.sent += 1;
                return None;
            }
            Outcome::Retry(after, e) if retried => {
                s.retried += 1;
                if let Some(a) = after {
                    s.free_at = Some(Instant::now() + (*a).max(MIN_GAP));
                }
                e.clone()
            }
            Outcome::Retry(_, e) | Outcome::Fatal(e) => {
                s.failed += 1;
                e.clone()
            }
        };
        s.last_error = Some((now(), error.clone()));
        Some(error)
    }

    /// `/status` rows: every configured target, with its counts and queue.
    pub fn status(&self) -> Result<Vec<NotifyRow>, StoreError> {
        let mut queued: HashMap<TargetKey, u64> = HashMap::new();
        for (key, _, _) in self.store.queued_notices()? {
            *queued.entry(key).or_default() += 1;
        }
        let config = self.config();
        let targets = self.targets.lock();
        let mut rows = Vec::new();
        for view in &config.views {
            for t in &view.notify {
                let key = target_key(&view.name, t);
                let s = targets.get(&key).cloned().unwrap_or_default();
                rows.push(NotifyRow {
                    view: view.name.clone(),
                    target: t.shown(),
                    kind: t.kind.as_str().to_owned(),
                    sent: s.sent,
                    retried: s.retried,
                    failed: s.failed,
                    queued: queued.get(&key).copied().unwrap_or(0),
                    last_error_at: s.last_error.as_ref().map(|(t, _)| rfc3339(*t)),
                    last_error: s.last_error.map(|(_, e)| e),
                });
            }
        }
        Ok(rows)
    }
}

/// What is announced of `e` in `view`: its title, link, tags and text, or while a spoiler
/// embargo holds it (`held` until then) its neutral title and no text.
fn notice_of(view: &View, e: &Entry, held: Option<i64>) -> Notice {
    let mut shown = e.clone();
    if held.is_some() {
        embargo::mask(&mut shown);
    }
    let text = shown
        .summary
        .as_deref()
        .or(shown.content.as_deref())
        .map(crate::text::html_to_text)
        .unwrap_or_default();
    let mut body: String = text.trim().chars().take(BODY_CHARS).collect();
    if text.trim().chars().count() > BODY_CHARS {
        body.push('…');
    }
    if let Some(until) = held {
        body = format!("Spoilers hidden until {}.", rfc3339(until));
    }
    if body.is_empty() {
        body.clone_from(&shown.title);
    }
    let tags: Vec<String> = shown
        .shows
        .iter()
        .map(|s| s.slug.clone())
        .chain(shown.kinds.iter().cloned())
        .collect();
    let authors: Vec<serde_json::Value> = shown
        .authors
        .iter()
        .map(|a| serde_json::json!({ "name": a }))
        .collect();
    let mut item = serde_json::json!({
        "id": shown.id.urn(),
        "title": shown.title,
        "content_text": body,
        "date_published": rfc3339(shown.published),
        "date_modified": rfc3339(shown.updated),
        "tags": tags,
        "_showfeed": { "view": view.name, "source": shown.feed_id },
    });
    if let Some(link) = &shown.link {
        item["url"] = link.clone().into();
    }
    if !authors.is_empty() {
        item["authors"] = authors.into();
    }
    if let Some(lang) = &shown.language {
        item["language"] = lang.clone().into();
    }
    Notice {
        title: shown.title,
        link: shown.link,
        tags,
        body,
        item: item.to_string(),
        attempts: 0,
        next_at: 0,
    }
}
