//! Hot reload triggers: SIGHUP, and changes to the config file. The file's directory is
//! watched, not the file, because editors save by writing a new file and renaming it over
//! the old one (a watch on the old inode would go quiet). Bursts of events are debounced.

use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

/// Quiet time after the last file event before reloading.
pub const DEBOUNCE: Duration = Duration::from_millis(300);

/// Why a reload was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// SIGHUP (`systemctl reload`).
    Signal,
    /// The config file changed on disk.
    File,
}

/// Starts the triggers; reload requests arrive on the returned channel until `shutdown`.
/// The flag says whether the file is watched (else SIGHUP only).
pub fn triggers(config: &Path, shutdown: CancellationToken) -> (mpsc::Receiver<Trigger>, bool) {
    let (tx, rx) = mpsc::channel(16);
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let (tx, shutdown) = (tx.clone(), shutdown.clone());
        match signal(SignalKind::hangup()) {
            Ok(mut hup) => {
                tokio::spawn(async move {
                    loop {
                        tokio::select! {
                            _ = hup.recv() => {
                                info!("SIGHUP received: reloading the config");
                                let _ = tx.send(Trigger::Signal).await;
                            }
                            () = shutdown.cancelled() => return,
                        }
                    }
                });
            }
            Err(e) => warn!("cannot listen for SIGHUP ({e}); reload by editing the file"),
        }
    }
    if std::env::var(WATCH_ENV).is_ok_and(|v| matches!(v.as_str(), "0" | "off" | "false" | "no")) {
        info!("{WATCH_ENV} is off: the config reloads on SIGHUP only");
        return (rx, false);
    }
    let watching = watch_file(config, tx, shutdown);
    (rx, watching)
}

/// Set to `off` to reload on SIGHUP only (filesystems without change notification, such as
/// some network mounts, or when another tool rewrites the file in several steps).
pub const WATCH_ENV: &str = "SHOWFEED_WATCH";

/// What tells a changed config file from one only read: its inode (an editor's atomic
/// rename), size and modification time; `None` when it cannot be read.
fn stamp(path: &Path) -> Option<(u64, u64, Option<std::time::SystemTime>)> {
    use std::os::unix::fs::MetadataExt as _;
    let m = std::fs::metadata(path).ok()?;
    Some((m.ino(), m.len(), m.modified().ok()))
}

fn watch_file(config: &Path, tx: mpsc::Sender<Trigger>, shutdown: CancellationToken) -> bool {
    let file = std::fs::canonicalize(config).unwrap_or_else(|_| config.to_path_buf());
    let Some(name) = file.file_name().map(|n| n.to_owned()) else {
        return false;
    };
    let dir: PathBuf = file
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let (raw_tx, mut raw_rx) = mpsc::unbounded_channel::<()>();
    // The debouncer waits until a burst of events (write, rename, chmod) has been quiet for
    // DEBOUNCE, then reports the paths that changed.
    let debouncer = notify_debouncer_mini::new_debouncer(
        DEBOUNCE,
        move |events: notify_debouncer_mini::DebounceEventResult| {
            let ours = events.is_ok_and(|events| {
                events
                    .iter()
                    .any(|e| e.path.file_name() == Some(name.as_os_str()))
            });
            if ours {
                let _ = raw_tx.send(());
            }
        },
    );
    let mut debouncer = match debouncer {
        Ok(d) => d,
        Err(e) => {
            warn!("cannot watch {}: {e}; reload with SIGHUP", dir.display());
            return false;
        }
    };
    if let Err(e) = debouncer
        .watcher()
        .watch(&dir, notify::RecursiveMode::NonRecursive)
    {
        warn!("cannot watch {}: {e}; reload with SIGHUP", dir.display());
        return false;
    }
    let path = config.to_path_buf();
    tokio::spawn(async move {
        let _debouncer = debouncer;
        let mut seen = stamp(&path);
        loop {
            tokio::select! {
                got = raw_rx.recv() => {
                    if got.is_none() {
                        return;
                    }
                    // notify reports opens and reads too: every reload (and every CLI
                    // command) reads the file, which would trigger the next reload.
                    let now = stamp(&path);
                    if now == seen {
                        continue;
                    }
                    seen = now;
                    info!("config file changed: reloading");
                    if tx.send(Trigger::File).await.is_err() {
                        return;
                    }
                }
                () = shutdown.cancelled() => return,
            }
        }
    });
    true
}
