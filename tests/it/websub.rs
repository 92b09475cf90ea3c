//! WebSub end to end on loopback against a real hub: flask-websub (PyPI), run by
//! tests/clients/websub_hub.py, whose own traffic log and subscription table are asserted.
//! Without flask-websub the tests say they are skipped (and fail under CI, which installs
//! it: .ci/clients.sh).

use std::io::BufRead;
use std::process::{Child, Stdio};

use serde_json::Value;

use crate::support::*;

/// The hub as a child process, killed when dropped.
pub struct Hub {
    child: Child,
    pub base: String,
    _dir: tempfile::TempDir,
}

impl Hub {
    /// Starts the hub, or `None` (a visible skip) when flask-websub is not installed.
    pub fn start() -> Option<Hub> {
        if !have_tool("python3", &["-c", "import flask_websub, celery"]) {
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let mut child = std::process::Command::new("python3")
            .arg(clients_dir().join("websub_hub.py"))
            .arg(dir.path().join("hub.db"))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line.trim().strip_prefix("listening on ").expect("hub port");
        Some(Hub {
            child,
            base: format!("http://127.0.0.1:{port}"),
            _dir: dir,
        })
    }

    pub fn endpoint(&self) -> String {
        format!("{}/hub", self.base)
    }

    pub async fn log(&self) -> Vec<Value> {
        let v: Value = reqwest::get(format!("{}/_log", self.base))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        v.as_array().unwrap().clone()
    }

    /// The hub's log entries of `dir` ("in" or "out") with hub.mode `mode`.
    pub async fn seen(&self, dir: &str, mode: &str) -> Vec<Value> {
        self.log()
            .await
            .into_iter()
            .filter(|e| e["dir"] == dir && e["mode"] == mode)
            .collect()
    }

    pub async fn subs(&self) -> Vec<Value> {
        let v: Value = reqwest::get(format!("{}/_subs", self.base))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        v.as_array().unwrap().clone()
    }

    /// Asks the hub to distribute `topic` (it fetches it and pushes it to subscribers).
    pub async fn publish(&self, topic: &str) {
        let r = reqwest::Client::new()
            .post(self.endpoint())
            .form(&[("hub.mode", "publish"), ("hub.topic", topic)])
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "publish: {}", r.status());
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An Atom feed naming `hub` and `self_url`, with entries (id, title).
pub fn atom_with_hub(hub: &str, self_url: &str, entries: &[(&str, &str)]) -> Vec<u8> {
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\
         <title>Pushed News</title><id>urn:pushed</id><updated>2026-11-30T10:00:00Z</updated>\
         <link rel=\"hub\" href=\"{hub}\"/><link rel=\"self\" href=\"{self_url}\"/>"
    );
    for (i, (id, title)) in entries.iter().enumerate() {
        xml.push_str(&format!(
            "<entry><id>urn:{id}</id><title>{title}</title><link href=\"https://news.example/{id}\"/>\
             <updated>2026-11-30T0{}:00:00Z</updated><summary>{title}, the story.</summary></entry>",
            i % 10
        ));
    }
    xml.push_str("</feed>");
    xml.into_bytes()
}

fn feed_route(hub: &str, self_url: &str, entries: &[(&str, &str)]) -> Route {
    // The Link header too: flask-websub distributes only topics that carry it.
    Route::ok(
        atom_with_hub(hub, self_url, entries),
        "application/atom+xml",
    )
    .header(
        "link",
        &format!("<{hub}>; rel=\"hub\", <{self_url}>; rel=\"self\""),
    )
}

async fn websub_status(base: &str) -> Vec<Value> {
    try_status(base).await.unwrap_or_default()["websub"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

async fn wait_state(base: &str, feed: &str, state: &str) -> Value {
    let mut found = Value::Null;
    wait_until(&format!("{feed} {state}"), async || {
        found = websub_status(base)
            .await
            .into_iter()
            .find(|s| s["feed"] == feed && s["state"] == state)
            .unwrap_or(Value::Null);
        !found.is_null()
    })
    .await;
    found
}

async fn get_text(url: &str) -> String {
    reqwest::get(url).await.unwrap().text().await.unwrap()
}

async fn admin_poll(base: &str, feed: &str) -> Value {
    reqwest::Client::new()
        .post(format!("{base}/admin/poll?feed={feed}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn sign(method: &str, secret: &str, body: &[u8]) -> String {
    showfeed::websub::signature::sign(method, secret.as_bytes(), body).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscriber_discovers_subscribes_verifies_and_ingests_signed_pushes_only() {
    let Some(hub) = Hub::start() else { return };
    let fixtures = FixtureServer::start().await;
    let topic = fixtures.url("/news.atom");
    let two = [
        ("a", "Squid Game renewed"),
        ("b", "Casting news for Moving"),
    ];
    fixtures.route("/news.atom", feed_route(&hub.endpoint(), &topic, &two));
    let port = free_port();
    let setup = write_config(
        &[],
        port,
        &format!(
            "[polling]\nmax_body = \"64KiB\"\n\n[websub]\nenabled = true\nlease = \"1h\"\nfallback_interval = \"5h\"\n\n\
             [[feed]]\nid = \"pushed\"\nurl = \"{topic}\"\nallow_private = true\ninterval = \"1m\"\n"
        ),
    );
    let d = Daemon::start(&setup, port);
    let live = wait_state(&d.base, "pushed", "live").await;

    // Discovery and subscription as the hub saw them.
    assert_eq!(live["hub"], hub.endpoint());
    assert_eq!(live["topic"], topic);
    assert_eq!(live["lease_seconds"], 3600);
    let asked = hub.seen("in", "subscribe").await;
    assert_eq!(asked.len(), 1, "{asked:?}");
    let callback = asked[0]["callback"].as_str().unwrap().to_owned();
    let prefix = format!("{}/websub/pushed/", d.base);
    let token = callback
        .strip_prefix(&prefix)
        .expect("callback under public_url");
    assert!(token.len() >= 32 && token.chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(asked[0]["topic"], topic);
    assert_eq!(asked[0]["lease_seconds"], "3600");
    assert_eq!(asked[0]["has_secret"], true);
    let verified = hub.seen("out", "subscribe").await;
    assert_eq!(
        verified[0]["status"], 200,
        "our callback answered the challenge"
    );
    // The hub stores the subscription once our callback has answered.
    let mut subs = Vec::new();
    wait_until("the hub's subscription", async || {
        subs = hub.subs().await;
        !subs.is_empty()
    })
    .await;
    assert_eq!(subs.len(), 1);
    assert_eq!(subs[0]["callback_url"], callback);
    let secret = subs[0]["secret"].as_str().unwrap().to_owned();

    // Verification of intent for anything we did not ask: 404.
    let client = reqwest::Client::new();
    for url in [
        format!("{callback}?hub.mode=subscribe&hub.topic=http://other.example/&hub.challenge=x"),
        format!(
            "{prefix}{}?hub.mode=subscribe&hub.topic={topic}&hub.challenge=x",
            "0".repeat(64)
        ),
        format!("{callback}?hub.mode=unsubscribe&hub.topic={topic}&hub.challenge=x"),
    ] {
        assert_eq!(
            client.get(&url).send().await.unwrap().status(),
            404,
            "{url}"
        );
    }

    // Fallback polling: a poll while the subscription is live is due again in 5 h, not 1 min.
    let polled = admin_poll(&d.base, "pushed").await;
    assert!(polled[0]["outcome"] == "stored" || polled[0]["outcome"] == "not_modified");
    let row = status(&d.base).await["feeds"][0].clone();
    let next = chrono::DateTime::parse_from_rfc3339(row["next_poll"].as_str().unwrap()).unwrap();
    let until = next.timestamp() - showfeed::clock::now();
    assert!(until > 4 * 3600, "next poll in {until} s");

    // A fat ping through the hub, with one new item only: stored, the others untouched.
    let before = get_text(&format!("{}/feed.atom", d.base)).await;
    assert!(before.contains("Squid Game renewed") && before.contains("Casting news for Moving"));
    let pushed = [("c", "Trailer drop for Kingdom")];
    fixtures.route("/news.atom", feed_route(&hub.endpoint(), &topic, &pushed));
    hub.publish(&topic).await;
    wait_until("the pushed entry in /feed.atom", async || {
        get_text(&format!("{}/feed.atom", d.base))
            .await
            .contains("Trailer drop for Kingdom")
    })
    .await;
    let delivered = hub.log().await;
    let delivery = delivered
        .iter()
        .find(|e| e["dir"] == "out" && e["method"] == "POST")
        .expect("the hub delivered");
    assert!(delivery["signature"]
        .as_str()
        .unwrap()
        .starts_with("sha512="));
    assert_eq!(delivery["status"], 200);
    let after = get_text(&format!("{}/feed.atom", d.base)).await;
    assert!(after.contains("Squid Game renewed") && after.contains("Casting news for Moving"));
    let ids = atom_ids(after.as_bytes());
    assert_eq!(ids.len(), 3);
    assert_eq!(
        metric(&d.base, "showfeed_websub_pushes_total{feed=\"pushed\"}").await,
        1
    );

    // Refused with nothing stored: no signature, a wrong one, a wrong token, too large.
    let body = atom_with_hub(&hub.endpoint(), &topic, &[("evil", "Forged scoop")]);
    let post = |url: String, body: Vec<u8>, sig: Option<String>| {
        let mut r = client
            .post(url)
            .header("content-type", "application/atom+xml")
            .body(body);
        if let Some(s) = sig {
            r = r.header("x-hub-signature", s);
        }
        r.send()
    };
    let r = post(callback.clone(), body.clone(), None).await.unwrap();
    assert_eq!(r.status(), 403);
    let r = post(
        callback.clone(),
        body.clone(),
        Some(sign("sha256", "wrong", &body)),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 403);
    let wrong_token = format!("{prefix}{}", "f".repeat(64));
    let r = post(
        wrong_token,
        body.clone(),
        Some(sign("sha256", &secret, &body)),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 404);
    let mut big = body.clone();
    big.extend(std::iter::repeat_n(b' ', 70 * 1024));
    let r = post(
        callback.clone(),
        big.clone(),
        Some(sign("sha256", &secret, &big)),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 413);
    let feed = get_text(&format!("{}/feed.atom", d.base)).await;
    assert!(!feed.contains("Forged scoop"), "nothing refused is stored");
    for reason in [
        "no_signature",
        "bad_signature",
        "unknown_token",
        "too_large",
    ] {
        let line = format!("showfeed_websub_rejects_total{{feed=\"pushed\",outcome=\"{reason}\"}}");
        assert_eq!(metric(&d.base, &line).await, 1, "{reason}");
    }

    // Each method the spec lists is accepted.
    let methods = [
        ("sha1", "Blackpink documentary premieres"),
        ("sha256", "Arcane composer interviewed"),
        ("sha384", "Studio Ghibli museum expands"),
        ("sha512", "Vincenzo remake rumoured"),
    ];
    for (i, (method, title)) in methods.iter().enumerate() {
        let id = format!("m{i}");
        let body = atom_with_hub(&hub.endpoint(), &topic, &[(&id, title)]);
        let r = post(
            callback.clone(),
            body.clone(),
            Some(sign(method, &secret, &body)),
        )
        .await
        .unwrap();
        assert_eq!(r.status(), 200, "{method}");
        let now = get_text(&format!("{}/feed.atom", d.base)).await;
        assert!(now.contains(title), "{method}: {now}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leases_renew_denials_back_off_restarts_keep_and_removal_unsubscribes() {
    let Some(hub) = Hub::start() else { return };
    let fixtures = FixtureServer::start().await;
    let topic = fixtures.url("/news.atom");
    let refused = fixtures.url("/deny.atom");
    fixtures.route(
        "/news.atom",
        feed_route(&hub.endpoint(), &topic, &[("a", "Squid Game renewed")]),
    );
    fixtures.route(
        "/deny.atom",
        feed_route(&hub.endpoint(), &refused, &[("z", "Moving casting call")]),
    );
    let port = free_port();
    let feed = |id: &str, url: &str| {
        format!("[[feed]]\nid = \"{id}\"\nurl = \"{url}\"\nallow_private = true\n\n")
    };
    let head = "[websub]\nenabled = true\nlease = \"3s\"\n\n";
    // A feed without allow_private: its own literal loopback URL is the admin's choice, but
    // the hub its document names is the publisher's, and the SSRF guard refuses it.
    let guarded = fixtures.url("/guarded.atom");
    fixtures.route(
        "/guarded.atom",
        feed_route(
            &hub.endpoint(),
            &guarded,
            &[("g", "Arcane finale reviewed")],
        ),
    );
    let setup = write_config(
        &[("guarded", guarded.clone())],
        port,
        &format!(
            "{head}{}{}",
            feed("pushed", &topic),
            feed("refused", &refused)
        ),
    );
    let mut d = Daemon::start(&setup, port);

    // A denial is shown in /status and the health feed, and backs off.
    let denied = wait_state(&d.base, "refused", "denied").await;
    assert_eq!(denied["failures"], 1);
    assert!(denied["last_error"]
        .as_str()
        .unwrap()
        .contains("topic refused by the test hub"));
    let retry = chrono::DateTime::parse_from_rfc3339(denied["retry_at"].as_str().unwrap()).unwrap();
    assert!(retry.timestamp() > showfeed::clock::now());
    let health = get_text(&format!("{}/admin/health.atom", d.base)).await;
    assert!(
        health.contains("WebSub subscription denied: refused"),
        "{health}"
    );

    let failed = wait_state(&d.base, "guarded", "failed").await;
    let why = failed["last_error"].as_str().unwrap();
    assert!(why.contains("private, loopback or link-local"), "{why}");
    assert!(
        !hub.seen("in", "subscribe")
            .await
            .iter()
            .any(|e| e["topic"] == guarded),
        "the guard stopped the request before the hub"
    );

    // A short lease is renewed before it ends, under the same callback.
    wait_until("a renewal", async || {
        websub_status(&d.base)
            .await
            .iter()
            .any(|s| s["feed"] == "pushed" && s["renewals"].as_u64() >= Some(1))
    })
    .await;
    let asked = hub.seen("in", "subscribe").await;
    let ours: Vec<_> = asked.iter().filter(|e| e["topic"] == topic).collect();
    assert!(ours.len() >= 2, "{ours:?}");
    assert!(ours.iter().all(|e| e["callback"] == ours[0]["callback"]));
    let callback = ours[0]["callback"].as_str().unwrap().to_owned();

    // A restart keeps the subscription: same callback (token and secret), pushes still land.
    assert!(d.sigterm().success());
    let mut d = Daemon::start(&setup, port);
    wait_state(&d.base, "pushed", "live").await;
    fixtures.route(
        "/news.atom",
        feed_route(
            &hub.endpoint(),
            &topic,
            &[("b", "Trailer drop for Kingdom")],
        ),
    );
    hub.publish(&topic).await;
    wait_until("the push after the restart", async || {
        get_text(&format!("{}/feed.atom", d.base))
            .await
            .contains("Trailer drop for Kingdom")
    })
    .await;
    let subs = hub.subs().await;
    let ours: Vec<_> = subs.iter().filter(|s| s["topic_url"] == topic).collect();
    assert_eq!(ours.len(), 1, "{subs:?}");
    assert_eq!(
        ours[0]["callback_url"], callback,
        "no new subscription after the restart"
    );

    // Removing the feed from the config unsubscribes it at the hub.
    std::fs::write(
        &setup.config,
        std::fs::read_to_string(&setup.config)
            .unwrap()
            .replace(&feed("pushed", &topic), ""),
    )
    .unwrap();
    d.signal("-HUP");
    wait_until("the unsubscription", async || {
        !websub_status(&d.base)
            .await
            .iter()
            .any(|s| s["feed"] == "pushed")
    })
    .await;
    let gone = hub.seen("in", "unsubscribe").await;
    assert_eq!(gone.len(), 1);
    assert_eq!(gone[0]["callback"], callback);
    let verified = hub.seen("out", "unsubscribe").await;
    assert_eq!(verified[0]["status"], 200);
    wait_until("the hub forgets it", async || {
        !hub.subs().await.iter().any(|s| s["topic_url"] == topic)
    })
    .await;
    assert!(d.sigterm().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publisher_advertises_and_pings_and_a_second_daemon_gets_the_push() {
    let Some(hub) = Hub::start() else { return };
    let fixtures = FixtureServer::start().await;
    let plain = |entries: &[(&str, &str)]| {
        let mut xml = atom_with_hub("", "", entries);
        // No hub in the source: only showfeed's own documents name one.
        let text = String::from_utf8(xml.clone()).unwrap().replace(
            "<link rel=\"hub\" href=\"\"/><link rel=\"self\" href=\"\"/>",
            "",
        );
        xml = text.into_bytes();
        Route::ok(xml, "application/atom+xml")
    };
    fixtures.route("/src.atom", plain(&[("a", "Squid Game season 3 date set")]));
    let (pa, pb) = (free_port(), free_port());
    let a = write_config(
        &[("src", fixtures.url("/src.atom"))],
        pa,
        &format!(
            "[websub]\nhub = [\"{}\"]\n\n[[show]]\nname = \"Squid Game\"\n",
            hub.endpoint()
        ),
    );
    let da = Daemon::start(&a, pa);
    let base_a = da.base.clone();
    // The first ingest is announced: every format of the merged feed, the source and the show.
    let per_round = 9;
    wait_until("the first round of pings", async || {
        metric(&base_a, "showfeed_websub_pings_total{outcome=\"ok\"}").await >= per_round
    })
    .await;
    let pinged: Vec<String> = hub
        .seen("in", "publish")
        .await
        .iter()
        .map(|e| e["topic"].as_str().unwrap().to_owned())
        .collect();
    for path in [
        "/feed.atom",
        "/feed.rss",
        "/feed.json",
        "/sources/src.atom",
        "/sources/src.rss",
        "/sources/src.json",
        "/shows/squid-game.atom",
        "/shows/squid-game.rss",
        "/shows/squid-game.json",
    ] {
        assert!(
            pinged.contains(&format!("{base_a}{path}")),
            "{path} in {pinged:?}"
        );
    }
    assert!(hub
        .seen("in", "publish")
        .await
        .iter()
        .all(|e| e["url"] == e["topic"]));

    // Every document advertises the hub beside its self link, which is the URL pinged.
    let r = reqwest::get(format!("{base_a}/feed.atom")).await.unwrap();
    let link = r.headers()["link"].to_str().unwrap().to_owned();
    assert_eq!(
        link,
        format!(
            "<{}>; rel=\"hub\", <{base_a}/feed.atom>; rel=\"self\"",
            hub.endpoint()
        )
    );
    let atom = r.text().await.unwrap();
    assert!(
        atom.contains(&format!("<link href=\"{}\" rel=\"hub\"/>", hub.endpoint())),
        "{atom}"
    );
    let rss = get_text(&format!("{base_a}/shows/squid-game.rss")).await;
    assert!(
        rss.contains(&format!(
            "<atom:link href=\"{}\" rel=\"hub\"/>",
            hub.endpoint()
        )),
        "{rss}"
    );
    let json: Value = reqwest::get(format!("{base_a}/sources/src.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(json["hubs"][0]["type"], "WebSub");
    assert_eq!(json["hubs"][0]["url"], hub.endpoint());
    assert_eq!(json["feed_url"], format!("{base_a}/sources/src.json"));

    // A second daemon follows the first one's merged feed, and subscribes through the hub.
    let b = write_config(
        &[],
        pb,
        &format!("[websub]\nenabled = true\n\n[[feed]]\nid = \"merged\"\nurl = \"{base_a}/feed.atom\"\nallow_private = true\n"),
    );
    let db = Daemon::start(&b, pb);
    let live = wait_state(&db.base, "merged", "live").await;
    assert_eq!(live["topic"], format!("{base_a}/feed.atom"));

    // A new story at the source: A ingests it, pings, the hub pushes A's feed to B.
    fixtures.route(
        "/src.atom",
        plain(&[
            ("a", "Squid Game season 3 date set"),
            ("c", "Squid Game spinoff cast revealed"),
        ]),
    );
    let polled = admin_poll(&base_a, "src").await;
    assert_eq!(polled[0]["new"], 1, "{polled}");
    wait_until("B has the pushed story", async || {
        get_text(&format!("{}/feed.atom", db.base))
            .await
            .contains("Squid Game spinoff cast revealed")
    })
    .await;
    assert!(metric(&db.base, "showfeed_websub_pushes_total{feed=\"merged\"}").await >= 1);
    wait_until("the second round of pings", async || {
        metric(&base_a, "showfeed_websub_pings_total{outcome=\"ok\"}").await >= 2 * per_round
    })
    .await;

    // A poll that changes nothing pings nothing.
    let polled = admin_poll(&base_a, "src").await;
    assert_eq!(polled[0]["new"], 0, "{polled}");
    assert_eq!(polled[0]["updated"], 0, "{polled}");
    assert_eq!(
        metric(&base_a, "showfeed_websub_pings_total{outcome=\"ok\"}").await,
        2 * per_round
    );
    assert_eq!(hub.seen("in", "publish").await.len() as u64, 2 * per_round);
}

/// A push to a `full_text` feed: the hub gets its answer at once, and the pushed entry's
/// article is fetched right after, as a poll would have (the page once).
#[tokio::test(flavor = "multi_thread")]
async fn a_push_to_a_full_text_feed_gets_its_article() {
    let Some(hub) = Hub::start() else { return };
    let fixtures = FixtureServer::start().await;
    let topic = fixtures.url("/news.atom");
    fixtures.route(
        "/news.atom",
        feed_route(&hub.endpoint(), &topic, &[("a", "Squid Game renewed")]),
    );
    let article = "<html><head><title>Kingdom</title></head><body><nav>Home News</nav>\
        <article><h1>Kingdom returns</h1><p>The whole article: Netflix confirmed that the \
        period zombie drama Kingdom returns for a third season next spring, with the original \
        cast and a new director, after a long pause in production.</p><p>Filming starts in \
        Mungyeong in January, the studio said on Tuesday, and the scripts are finished.</p>\
        </article><footer>Copyright</footer></body></html>";
    fixtures.route("/articles/c", Route::ok(article.into(), "text/html"));
    let port = free_port();
    let setup = write_config(
        &[],
        port,
        &format!(
            "[websub]\nenabled = true\nlease = \"1h\"\n\n\
             [[feed]]\nid = \"pushed\"\nurl = \"{topic}\"\nallow_private = true\nfull_text = \"auto\"\n"
        ),
    );
    let d = Daemon::start(&setup, port);
    wait_state(&d.base, "pushed", "live").await;
    let mut subs = Vec::new();
    wait_until("the hub's subscription", async || {
        subs = hub.subs().await;
        !subs.is_empty()
    })
    .await;
    let (callback, secret) = (
        subs[0]["callback_url"].as_str().unwrap().to_owned(),
        subs[0]["secret"].as_str().unwrap().to_owned(),
    );
    // A fat ping with one new entry whose link is the article page, published an hour ago
    // (articles are fetched for recent entries only: a fixed date would age out of it).
    let hour_ago = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><feed xmlns=\"http://www.w3.org/2005/Atom\">\
         <title>Pushed News</title><id>urn:pushed</id><updated>2026-11-30T10:00:00Z</updated>\
         <entry><id>urn:c</id><title>Kingdom returns</title><link href=\"{}\"/>\
         <updated>{hour_ago}</updated><summary>A third season.</summary></entry></feed>",
        fixtures.url("/articles/c")
    )
    .into_bytes();
    let r = reqwest::Client::new()
        .post(&callback)
        .header("content-type", "application/atom+xml")
        .header("x-hub-signature", sign("sha256", &secret, &body))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    wait_until("the pushed entry's article in /feed.atom", async || {
        get_text(&format!("{}/feed.atom", d.base))
            .await
            .contains("Filming starts in")
    })
    .await;
    assert_eq!(fixtures.seen("/articles/c").len(), 1);
}
