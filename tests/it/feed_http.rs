//! Per-feed HTTP settings as a site behind a login, a referer check or a proxy needs them:
//! what the site receives (user agent, headers, cookie, basic auth from an environment
//! variable or a file), credentials kept from other sites a redirect leads to, a loopback
//! HTTP forward proxy and a SOCKS5 proxy that record what they carried, the secrets absent
//! from the logs (at trace level), `/status` and `showfeed opml export`, and the mistakes
//! `check` reports.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::*;

const PASSWORD: &str = "s3cret-from-env-7781";
const FILE_PASSWORD: &str = "file-secret-9912";
const COOKIE: &str = "cf_clearance=cookie-secret-4410";

fn rss(title: &str) -> Vec<u8> {
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>{title}</title>\
         <link>https://site.example/</link><item><title>{title} story</title>\
         <link>https://site.example/{title}</link><pubDate>Mon, 01 Jun 2026 10:00:00 GMT</pubDate>\
         </item></channel></rss>"
    )
    .into_bytes()
}

fn header<'a>(seen: &'a Seen, name: &str) -> Option<&'a str> {
    seen.headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The `Authorization` value of basic auth, as any client encodes it.
fn basic(user: &str, password: &str) -> String {
    let req = reqwest::Client::new()
        .get("http://x.example/")
        .basic_auth(user, Some(password))
        .build()
        .unwrap();
    req.headers()["authorization"].to_str().unwrap().to_owned()
}

fn config_text(server: &FixtureServer, other: &FixtureServer, port: u16) -> String {
    format!(
        r#"[server]
listen = "127.0.0.1:{port}"
public_url = "http://127.0.0.1:{port}"

[storage]
path = "data"
retention_days = 36500

[[feed]]
id = "members"
url = "{members}"
user_agent = "Mozilla/5.0 (X11; Linux x86_64) showfeed-test"
headers = {{ Referer = "https://members.example/", X-Api-Version = "2" }}
cookie = "{COOKIE}"
username = "reader"
password_env = "SHOWFEED_TEST_PASSWORD"
http2 = false
timeout = "20s"

[[feed]]
id = "filed"
url = "{filed}"
username = "filer"
password_file = "secrets/filed.pw"

[[feed]]
id = "moved"
url = "{moved}"
cookie = "{COOKIE}"
username = "reader"
password_env = "SHOWFEED_TEST_PASSWORD"
"#,
        members = server.url("/members.rss"),
        filed = server.url("/filed.rss"),
        moved = server.url("/moved.rss"),
    ) + &format!("# other site: {}\n", other.url("/"))
}

/// The site gets the feed's user agent, headers, cookie and basic auth (the password from
/// the environment or a file); a redirect to another site gets none of them; the secrets
/// appear in no log line, not in `/status`, not in the OPML export; without the variable
/// the feed fails saying which variable is missing, never a value.
#[tokio::test(flavor = "multi_thread")]
async fn headers_cookie_and_auth_reach_the_site_and_secrets_stay_hidden() {
    let server = FixtureServer::start().await;
    let other = FixtureServer::start().await;
    server.route(
        "/members.rss",
        Route::ok(rss("members"), "application/rss+xml"),
    );
    server.route("/filed.rss", Route::ok(rss("filed"), "application/rss+xml"));
    server.route(
        "/moved.rss",
        Route::redirect(302, &other.url("/landing.rss")),
    );
    other.route(
        "/landing.rss",
        Route::ok(rss("landing"), "application/rss+xml"),
    );
    let port = free_port();
    let setup = write_config(&[], port, "");
    std::fs::write(&setup.config, config_text(&server, &other, port)).unwrap();
    std::fs::create_dir(setup.dir.path().join("secrets")).unwrap();
    std::fs::write(
        setup.dir.path().join("secrets/filed.pw"),
        format!("{FILE_PASSWORD}\n"),
    )
    .unwrap();
    let config = setup.config.to_str().unwrap();

    // `check` says which secret this environment cannot read, never a value.
    let out = showfeed()
        .args(["--config", config, "check"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("warning: feed `members`: password_env: $SHOWFEED_TEST_PASSWORD is not set"),
        "{said}"
    );
    assert!(!said.contains("filed`"), "the file is readable: {said}");

    // Without the variable: the feed fails and says which variable, the others poll.
    let out = showfeed()
        .args(["--config", config, "poll"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("password_env: $SHOWFEED_TEST_PASSWORD is not set"),
        "{err}"
    );
    assert!(server.seen("/members.rss").is_empty());

    let out = showfeed()
        .args(["--config", config, "poll"])
        .env("SHOWFEED_TEST_PASSWORD", PASSWORD)
        .env("RUST_LOG", "trace")
        .output()
        .unwrap();
    assert!(out.status.success());
    let logs =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);

    let seen = server.seen("/members.rss");
    let got = seen.last().expect("members polled");
    assert_eq!(
        header(got, "user-agent"),
        Some("Mozilla/5.0 (X11; Linux x86_64) showfeed-test")
    );
    assert_eq!(header(got, "referer"), Some("https://members.example/"));
    assert_eq!(header(got, "x-api-version"), Some("2"));
    assert_eq!(header(got, "cookie"), Some(COOKIE));
    let members_auth = basic("reader", PASSWORD);
    assert_eq!(header(got, "authorization"), Some(members_auth.as_str()));
    let filed_auth = basic("filer", FILE_PASSWORD);
    let filed = server.seen("/filed.rss");
    assert_eq!(
        header(&filed[0], "authorization"),
        Some(filed_auth.as_str()),
        "the file's trailing newline is not part of the password"
    );
    assert!(
        header(&filed[0], "user-agent").is_some_and(|ua| ua.starts_with("showfeed/")),
        "showfeed's own user agent by default"
    );
    // The redirect's target is another site: no cookie, no credentials.
    assert!(header(&server.seen("/moved.rss")[0], "authorization").is_some());
    let landed = other.seen("/landing.rss");
    assert_eq!(landed.len(), 1);
    assert_eq!(header(&landed[0], "cookie"), None);
    assert_eq!(header(&landed[0], "authorization"), None);

    let secrets = [
        PASSWORD,
        FILE_PASSWORD,
        COOKIE,
        members_auth.as_str(),
        filed_auth.as_str(),
    ];
    for secret in secrets {
        assert!(!logs.contains(secret), "a secret in the logs: {secret}");
    }
    let export = run_ok(&["--config", config, "opml", "export"]);
    let export = String::from_utf8_lossy(&export.stdout);
    assert!(export.contains("members"), "{export}");
    let harness = Harness::open(&setup);
    let serving = harness.serve().await;
    let status = reqwest::get(format!("{}/status", serving.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(status.contains("\"members\""), "{status}");
    for secret in secrets {
        assert!(
            !export.contains(secret),
            "a secret in the OPML export: {secret}"
        );
        assert!(!status.contains(secret), "a secret in /status: {secret}");
    }
}

/// Something a test proxy carried: its request line (HTTP) or target (SOCKS5).
type Carried = Arc<Mutex<Vec<String>>>;

/// A loopback proxy server that stops when dropped.
struct Proxy {
    addr: SocketAddr,
    carried: Carried,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Proxy {
    /// A forward HTTP proxy: records each request line (absolute-form), rewrites it to
    /// origin-form and forwards the connection to `upstream`, whatever host it names.
    async fn http(upstream: SocketAddr) -> Proxy {
        Proxy::start(upstream, |mut client, upstream, carried| async move {
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") {
                if client.read(&mut byte).await.unwrap_or(0) == 0 {
                    return;
                }
                head.push(byte[0]);
            }
            let head = String::from_utf8_lossy(&head).into_owned();
            let (line, rest) = head.split_once("\r\n").unwrap();
            carried.lock().unwrap().push(line.to_owned());
            let mut parts = line.split(' ');
            let (method, target, version) = (
                parts.next().unwrap(),
                parts.next().unwrap(),
                parts.next().unwrap(),
            );
            let path = url::Url::parse(target).map_or(target.to_owned(), |u| {
                format!(
                    "{}{}",
                    u.path(),
                    u.query().map_or(String::new(), |q| format!("?{q}"))
                )
            });
            let mut server = tokio::net::TcpStream::connect(upstream).await.unwrap();
            let rewritten = format!("{method} {path} {version}\r\n{rest}");
            server.write_all(rewritten.as_bytes()).await.unwrap();
            let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
        })
        .await
    }

    /// A SOCKS5 proxy (no authentication, CONNECT): records the target as `host:port` and
    /// connects it to `upstream`.
    async fn socks5(upstream: SocketAddr) -> Proxy {
        Proxy::start(upstream, |mut client, upstream, carried| async move {
            let mut greeting = [0u8; 2];
            client.read_exact(&mut greeting).await.unwrap();
            let mut methods = vec![0u8; greeting[1] as usize];
            client.read_exact(&mut methods).await.unwrap();
            client.write_all(&[5, 0]).await.unwrap();
            let mut req = [0u8; 4];
            client.read_exact(&mut req).await.unwrap();
            let host = match req[3] {
                3 => {
                    let len = client.read_u8().await.unwrap();
                    let mut name = vec![0u8; len as usize];
                    client.read_exact(&mut name).await.unwrap();
                    String::from_utf8(name).unwrap()
                }
                1 => {
                    let mut ip = [0u8; 4];
                    client.read_exact(&mut ip).await.unwrap();
                    std::net::Ipv4Addr::from(ip).to_string()
                }
                other => panic!("address type {other}"),
            };
            let port = client.read_u16().await.unwrap();
            carried.lock().unwrap().push(format!("{host}:{port}"));
            let mut server = tokio::net::TcpStream::connect(upstream).await.unwrap();
            client
                .write_all(&[5, 0, 0, 1, 0, 0, 0, 0, 0, 0])
                .await
                .unwrap();
            let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
        })
        .await
    }

    async fn start<F, Fut>(upstream: SocketAddr, serve: F) -> Proxy
    where
        F: Fn(tokio::net::TcpStream, SocketAddr, Carried) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let carried = Carried::default();
        let log = carried.clone();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(serve(client, upstream, log.clone()));
            }
        });
        Proxy {
            addr,
            carried,
            task,
        }
    }
}

/// Feeds whose host names exist nowhere but behind their proxy: an HTTP forward proxy and
/// a SOCKS5 proxy resolving names itself (`socks5h`) carry them, and say so.
#[tokio::test(flavor = "multi_thread")]
async fn http_and_socks5_proxies_carry_the_feeds() {
    let server = FixtureServer::start().await;
    server.route(
        "/via-http.rss",
        Route::ok(rss("viahttp"), "application/rss+xml"),
    );
    server.route(
        "/via-socks.rss",
        Route::ok(rss("viasocks"), "application/rss+xml"),
    );
    let http = Proxy::http(server.addr).await;
    let socks = Proxy::socks5(server.addr).await;
    let setup = write_config(&[], free_port(), "");
    let mut text = std::fs::read_to_string(&setup.config).unwrap();
    text.push_str(&format!(
        "[[feed]]\nid = \"via-http\"\nurl = \"http://behind-proxy.example/via-http.rss\"\nproxy = \"http://{}\"\n\n\
         [[feed]]\nid = \"via-socks\"\nurl = \"http://behind-socks.example:8081/via-socks.rss\"\nproxy = \"socks5h://{}\"\n",
        http.addr, socks.addr
    ));
    std::fs::write(&setup.config, text).unwrap();
    let harness = Harness::open(&setup);
    let outcomes = harness.poll().await;
    for id in ["via-http", "via-socks"] {
        assert!(
            matches!(outcomes[id], showfeed::poll::Outcome::Stored(_)),
            "{id}: {:?}",
            outcomes[id]
        );
    }
    assert_eq!(
        *http.carried.lock().unwrap(),
        ["GET http://behind-proxy.example/via-http.rss HTTP/1.1"]
    );
    assert_eq!(
        *socks.carried.lock().unwrap(),
        ["behind-socks.example:8081"]
    );
    assert_eq!(server.seen("/via-http.rss").len(), 1);
    assert_eq!(server.seen("/via-socks.rss").len(), 1);
}

/// `check` reports every mistake of the HTTP keys, with its line, and never echoes a
/// secret back.
#[test]
fn mistakes_in_http_settings_are_reported() {
    let text = r#"[[feed]]
id = "a"
url = "https://a.example/feed"
password = "hunter2"

[[feed]]
id = "b"
url = "https://b.example/feed"
username = "me"

[[feed]]
id = "c"
url = "https://c.example/feed"
headers = { Cookie = "x=1", "Bad Name" = "v", Authorization = "Bearer t" }

[[feed]]
id = "d"
url = "https://d.example/feed"
proxy = "ftp://proxy.example"
timeout = "1h"

[[feed]]
id = "e"
url = "https://e.example/feed"
proxy = "http://user:pw@proxy.example:3128"
password_env = "1BAD"
username = "me"
"#;
    let err = showfeed::config::Config::parse(text, std::path::Path::new("feeds.toml"))
        .unwrap_err()
        .to_string();
    for want in [
        "feeds.toml:4:12: feed `a`: `password` is not accepted: secrets stay out of feeds.toml",
        "feeds.toml:9:12: feed `b`: `username` needs `password_env` or `password_file`",
        "`headers`: Cookie cannot be set here: use the `cookie` key",
        "`headers`: \"Bad Name\" is not a header name",
        "`headers`: Authorization cannot be set here",
        "feed `d`: `proxy` = \"ftp://proxy.example\": the scheme must be http, https, socks5 or socks5h",
        "feed `d`: `timeout` = 1h is out of range",
        "feed `e`: `proxy` holds a password",
        "feed `e`: `password_env` = \"1BAD\" is not an environment variable name",
    ] {
        assert!(err.contains(want), "missing {want:?} in:\n{err}");
    }
    assert!(!err.contains("hunter2"), "{err}");
    assert!(!err.contains(":pw@"), "{err}");
}
