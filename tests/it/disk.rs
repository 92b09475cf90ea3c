//! Hardening case 16: a full disk and a read-only state directory. A clear error, the store
//! intact, the last good entries still served, and polling back once the disk can be written.
//!
//! These need file systems that really fill up or refuse writes: a small tmpfs and a
//! read-only bind mount, which need root. CI runs as root and requires them; elsewhere the
//! tests say they were skipped.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::*;

/// A mount point, lazily unmounted when dropped.
struct Mount(PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

fn mount(args: &[&str], at: &Path) -> Option<Mount> {
    let ok = Command::new("mount")
        .args(args)
        .arg(at)
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        return Some(Mount(at.to_path_buf()));
    }
    skip_unless_ci(
        &format!("`mount {args:?}` needs root"),
        &format!("CI must run the disk tests: `mount {args:?}` failed (not root?)"),
    );
    None
}

fn remount(at: &Path, opts: &str) {
    let st = Command::new("mount")
        .args(["-o", opts])
        .arg(at)
        .status()
        .unwrap();
    assert!(st.success(), "mount -o {opts} {}", at.display());
}

/// `write_config`, with the store at `store`.
fn config_with_store(feeds: &[(&str, String)], port: u16, store: &Path) -> Setup {
    let setup = write_config(feeds, port, "");
    let text = std::fs::read_to_string(&setup.config).unwrap().replace(
        "path = \"data\"",
        &format!("path = \"{}\"", store.display()),
    );
    std::fs::write(&setup.config, text).unwrap();
    setup
}

/// Fills the file system holding `dir` to the last byte.
fn fill(dir: &Path) -> PathBuf {
    use std::io::Write;
    let path = dir.join("filler");
    let mut f = std::fs::File::create(&path).unwrap();
    for chunk in [1 << 20, 4096, 1] {
        let buf = vec![0u8; chunk];
        while f.write_all(&buf).is_ok() {}
    }
    let _ = f.sync_all();
    path
}

/// An RSS feed of `n` items with 3 KB bodies: more than sled's preallocated slack.
fn big_feed(n: usize) -> Vec<u8> {
    let mut x = String::from("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Big</title><link>http://big.example/</link><description>d</description>");
    for i in 0..n {
        x.push_str(&format!(
            "<item><title>Story {i}</title><link>http://big.example/{i}</link><guid>big-{i}</guid><pubDate>Mon, 02 Nov 2026 10:{:02}:{:02} GMT</pubDate><description>{}</description></item>",
            (i / 60) % 60,
            i % 60,
            format!("word{i} ").repeat(400)
        ));
    }
    x.push_str("</channel></rss>");
    x.into_bytes()
}

async fn get_text(url: String) -> (u16, String) {
    let r = reqwest::get(url).await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

fn feed_entries(status: &serde_json::Value, id: &str) -> u64 {
    status["feeds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .and_then(|f| f["entries"].as_u64())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn disk_full_keeps_serving_and_resumes_when_space_returns() {
    let root = tempfile::tempdir().unwrap();
    let Some(_mnt) = mount(&["-t", "tmpfs", "-o", "size=16m", "tmpfs"], root.path()) else {
        return;
    };
    let server = FixtureServer::start().await;
    server.route(
        "/a.atom",
        Route::ok(fixture("soompi.atom"), "application/atom+xml"),
    );
    server.route("/b.rss", Route::ok(big_feed(1000), "application/rss+xml"));
    let port = free_port();
    let store = root.path().join("data");
    let setup = config_with_store(&[("a", server.url("/a.atom"))], port, &store);
    let mut daemon = Daemon::start(&setup, port);
    let pid = daemon.child.id();
    let base = daemon.base.clone();
    wait_until("feed a stored", async || {
        try_status(&base)
            .await
            .is_some_and(|st| feed_entries(&st, "a") > 0)
    })
    .await;
    let (_, before) = get_text(format!("{base}/feed.atom")).await;
    let a_ids = atom_ids(before.as_bytes());
    assert!(!a_ids.is_empty());

    // The disk fills up; then a new feed arrives (a reload polls it at once) and its entries
    // cannot be written.
    let filler = fill(root.path());
    let text = std::fs::read_to_string(&setup.config).unwrap()
        + &format!("[[feed]]\nid = \"b\"\nurl = \"{}\"\n", server.url("/b.rss"));
    std::fs::write(&setup.config, text).unwrap();
    daemon.signal("-HUP");
    // A poisoned sled must be reopened: the daemon restarts in place onto a read-only copy.
    wait_until("a read-only copy served", async || {
        try_status(&base)
            .await
            .is_some_and(|st| st["store"]["read_only_copy"] == true)
    })
    .await;
    let st = status(&base).await;
    let error = st["store"]["error"].as_str().unwrap();
    assert_eq!(error, "no space left on device", "{st}");
    assert_eq!(st["store"]["writable"], false, "{st}");
    assert_eq!(daemon.child.id(), pid, "restarted in place");
    assert!(st["store"]["since"].is_string());

    // Everything stored before is still served, everywhere the admin and readers look.
    let (code, during) = get_text(format!("{base}/feed.atom")).await;
    assert_eq!(code, 200);
    assert_eq!(atom_ids(during.as_bytes()), a_ids);
    let (_, metrics) = get_text(format!("{base}/metrics")).await;
    assert!(metrics.contains("showfeed_store_writable 0"), "{metrics}");
    let (_, health) = get_text(format!("{base}/admin/health.atom")).await;
    assert!(health.contains("cannot be written"), "{health}");
    assert!(health.contains("no space left on device"), "{health}");
    let (_, index) = get_text(format!("{base}/")).await;
    assert!(index.contains("The store cannot be written"), "{index}");
    let (code, healthz) = get_text(format!("{base}/healthz")).await;
    assert_eq!(code, 200);
    assert!(healthz.starts_with("degraded:"), "{healthz}");

    // Space comes back: the daemon reopens the store by restarting in place (same PID) and
    // the feed that could not be stored is fetched again.
    std::fs::remove_file(filler).unwrap();
    wait_until("the store writable again and feed b stored", async || {
        try_status(&base).await.is_some_and(|st| {
            st["store"]["writable"] == true
                && st["store"]["read_only_copy"] == false
                && feed_entries(&st, "b") > 0
        })
    })
    .await;
    assert_eq!(daemon.child.id(), pid);
    assert!(
        daemon.child.try_wait().unwrap().is_none(),
        "restarted in place"
    );
    let (_, after) = get_text(format!("{base}/feed.atom?limit=500")).await;
    let after = atom_ids(after.as_bytes());
    for id in &a_ids {
        assert!(after.contains(id), "entry {id} lost");
    }
    assert!(after.len() > a_ids.len(), "feed b's entries stored");
    assert!(daemon.sigterm().success());
}

#[tokio::test(flavor = "multi_thread")]
async fn read_only_state_directory_serves_a_copy_and_resumes_when_writable() {
    let root = tempfile::tempdir().unwrap();
    let state = root.path().join("state");
    let view = root.path().join("view");
    std::fs::create_dir_all(&state).unwrap();
    std::fs::create_dir_all(&view).unwrap();
    let Some(_mnt) = mount(&["--bind", state.to_str().unwrap()], &view) else {
        return;
    };
    let server = FixtureServer::start().await;
    server.route(
        "/a.atom",
        Route::ok(fixture("soompi.atom"), "application/atom+xml"),
    );
    let port = free_port();
    let setup = config_with_store(&[("a", server.url("/a.atom"))], port, &view.join("data"));
    let config = setup.config.to_str().unwrap();
    run_ok(&["--config", config, "poll"]);
    let stored = {
        let config = showfeed::config::Config::load(&setup.config, None).unwrap();
        let store = open_store(&config.storage.path, config.storage.cache_bytes);
        atom_ids(&merged_atom(&config, &store, 50))
    };
    assert!(!stored.is_empty());
    // The feed moves (same content): a new URL is due at once, so a daemon that could store
    // would fetch it right away.
    server.route(
        "/a2.atom",
        Route::ok(fixture("soompi.atom"), "application/atom+xml"),
    );
    let text = std::fs::read_to_string(&setup.config)
        .unwrap()
        .replace("/a.atom", "/a2.atom");
    std::fs::write(&setup.config, text).unwrap();

    // The state directory goes read-only before the daemon starts.
    remount(&view, "remount,bind,ro");
    assert!(
        std::fs::write(view.join("x"), b"x").is_err(),
        "mount is read-only"
    );
    let tmp = root.path().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let mut daemon = Daemon::start_with(&setup, port, &[("TMPDIR", tmp.to_str().unwrap())]);
    let base = daemon.base.clone();
    wait_until("the daemon up", async || try_status(&base).await.is_some()).await;
    let st = status(&base).await;
    assert_eq!(st["store"]["writable"], false, "{st}");
    assert_eq!(st["store"]["read_only_copy"], true, "{st}");
    assert_eq!(st["store"]["error"], "read-only file system", "{st}");
    let (code, body) = get_text(format!("{base}/feed.atom")).await;
    assert_eq!(code, 200);
    assert_eq!(
        atom_ids(body.as_bytes()),
        stored,
        "the last good feed is served"
    );
    assert_eq!(
        std::fs::read_dir(&tmp).unwrap().count(),
        1,
        "served from one temporary copy"
    );
    // The feed is due but not fetched: nothing could be stored. The daemon counts the poll
    // it skipped, so the test waits for that instead of a while.
    wait_until("the due poll skipped", async || {
        let m = reqwest::get(format!("{base}/metrics"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        m.lines()
            .any(|l| l.starts_with("showfeed_polls_skipped_total ") && !l.ends_with(" 0"))
    })
    .await;
    assert!(
        server.seen("/a2.atom").is_empty(),
        "no polling while read-only"
    );

    // Writable again: the daemon restarts in place on the real store, and the copy is gone.
    remount(&view, "remount,bind,rw");
    wait_until("the store writable again", async || {
        try_status(&base)
            .await
            .is_some_and(|st| st["store"]["writable"] == true)
    })
    .await;
    assert_eq!(std::fs::read_dir(&tmp).unwrap().count(), 0, "copy removed");
    wait_until("the moved feed polled", async || {
        !server.seen("/a2.atom").is_empty()
    })
    .await;
    let (_, body) = get_text(format!("{base}/feed.atom")).await;
    assert_eq!(atom_ids(body.as_bytes()), stored);
    assert!(daemon.sigterm().success());
}

#[test]
fn poll_into_a_read_only_store_fails_with_a_clear_error() {
    let root = tempfile::tempdir().unwrap();
    let Some(_mnt) = mount(
        &["-t", "tmpfs", "-o", "size=1m,mode=0755", "tmpfs"],
        root.path(),
    ) else {
        return;
    };
    remount(root.path(), "remount,ro");
    let setup = config_with_store(
        &[("a", "http://127.0.0.1:9/a.atom".into())],
        free_port(),
        &root.path().join("data"),
    );
    let out = showfeed()
        .args(["--config", setup.config.to_str().unwrap(), "poll"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot open the store"), "{err}");
    assert!(err.contains("Read-only file system"), "{err}");
}
