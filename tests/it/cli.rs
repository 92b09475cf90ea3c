//! The CLI: config validation and one-shot polling.

use crate::pipeline::{fixture_feeds, fixture_server, UNIQUE_ITEMS};
use crate::support::*;

#[test]
fn check_reports_every_error_with_position_and_subject() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("feeds.toml");
    std::fs::write(
        &file,
        r#"[server]
listen = "127.0.0.1:8080"
colour = "blue"

[polling]
interval = "0s"
timeout = "soon"

[[feed]]
id = "Variety TV"
url = "ftp://variety.com/feed"

[[feed]]
id = "deadline"
url = "https://deadline.com/feed/"
intervl = "15m"

[[feed]]
id = "deadline"
url = "https://deadline.com/v/tv/feed/"

[[show]]
name = "Squid Game"
[[show]]
name = "squid game"
"#,
    )
    .unwrap();
    let out = showfeed()
        .args(["--config", file.to_str().unwrap(), "check"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    let f = file.display().to_string();
    for needle in [
        format!("{f}:3:1: unknown key `colour` in [server]"),
        format!("{f}:6:12: `interval` = 0s is out of range"),
        format!("{f}:7:11: `timeout` = \"soon\" is not a duration"),
        format!("{f}:10:6: feed `Variety TV`: `id` = \"Variety TV\" must be"),
        format!(
            "{f}:11:7: feed `Variety TV`: `url` = \"ftp://variety.com/feed\" has scheme \"ftp\""
        ),
        format!("{f}:16:1: feed `deadline`: unknown key `intervl`"),
        format!("{f}:19:6: feed `deadline`: duplicate feed id \"deadline\""),
        "show `squid game`: its default slug \"squid-game\" is already taken".to_owned(),
        "8 errors in".to_owned(),
    ] {
        assert!(err.contains(&needle), "missing {needle:?} in:\n{err}");
    }

    std::fs::write(
        &file,
        "[[feed]]\nid = \"a\"\nurl = \"https://a.example/feed\"\n[server\n",
    )
    .unwrap();
    let out = showfeed()
        .args(["--config", file.to_str().unwrap(), "check"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(":4:"),
        "syntax errors carry a position"
    );

    let out = showfeed()
        .args(["--config", "feeds.toml", "check"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the shipped feeds.toml is valid: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn poll_command_stores_everything_and_lists_failures() {
    let server = fixture_server().await;
    let setup = write_config(&fixture_feeds(&server), 1, "[polling]\ntimeout = \"1s\"\n");
    let cfg = setup.config.to_str().unwrap().to_owned();
    let out = tokio::task::spawn_blocking(move || {
        showfeed()
            .args(["--config", &cfg, "poll"])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "poll exits 0 even when some feeds fail"
    );
    let err = String::from_utf8(out.stderr).unwrap();
    for failed in ["notafeed: ", "error500: ", "slow: "] {
        assert!(err.contains(failed), "{failed} listed on stderr:\n{err}");
    }
    assert!(err.contains("5 ok, 3 failed; 12 new entries"), "{err}");
    let data = setup.dir.path().join("elsewhere");
    let out = showfeed()
        .args([
            "--config",
            setup.config.to_str().unwrap(),
            "--data",
            data.to_str().unwrap(),
            "feed",
        ])
        .output()
        .unwrap();
    // A mistyped --data is an error that says so, and creates nothing.
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no store at") && err.contains("elsewhere"),
        "{err}"
    );
    assert!(!data.exists(), "a read-only command created no store");
    let out = showfeed()
        .args([
            "--config",
            setup.config.to_str().unwrap(),
            "feed",
            "--limit",
            "2000",
        ])
        .output()
        .unwrap();
    assert_eq!(atom_ids(&out.stdout).len(), UNIQUE_ITEMS);
}
