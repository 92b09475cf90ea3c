//! Test helpers: a loopback fixture server, config files in temp dirs, the real binary.

use std::collections::HashMap;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{HeaderMap, Request, Response, StatusCode};

/// Where the fixture feeds live.
pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
    )
    .unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

/// One canned response.
#[derive(Clone, Debug)]
pub struct Route {
    pub status: u16,
    pub body: Vec<u8>,
    pub content_type: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub delay: Duration,
    pub headers: Vec<(String, String)>,
    /// Send the body one byte per this interval.
    pub drip: Option<Duration>,
}

impl Route {
    pub fn ok(body: Vec<u8>, content_type: &str) -> Route {
        Route {
            status: 200,
            body,
            content_type: content_type.into(),
            etag: None,
            last_modified: None,
            delay: Duration::ZERO,
            headers: Vec::new(),
            drip: None,
        }
    }

    pub fn redirect(status: u16, to: &str) -> Route {
        Route::status(status).header("location", to)
    }

    pub fn dripping(mut self, every: Duration) -> Route {
        self.drip = Some(every);
        self
    }

    pub fn status(status: u16) -> Route {
        Route {
            status,
            ..Route::ok(b"error".to_vec(), "text/plain")
        }
    }

    pub fn with_validators(mut self, etag: &str, last_modified: &str) -> Route {
        self.etag = Some(etag.into());
        self.last_modified = Some(last_modified.into());
        self
    }

    pub fn delayed(mut self, d: Duration) -> Route {
        self.delay = d;
        self
    }

    pub fn header(mut self, k: &str, v: &str) -> Route {
        self.headers.push((k.into(), v.into()));
        self
    }
}

/// A request as the server saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub path: String,
    pub if_none_match: Option<String>,
    pub if_modified_since: Option<String>,
    pub user_agent: Option<String>,
    pub status: u16,
    /// Every request header, names lower-case.
    pub headers: Vec<(String, String)>,
    /// When it arrived.
    pub at: Instant,
}

#[derive(Default)]
struct State {
    routes: HashMap<String, Route>,
    log: Vec<Seen>,
    /// Requests that reached a route, counted on arrival (before its delay).
    arrived: HashMap<String, usize>,
}

/// An HTTP server on 127.0.0.1:0 serving canned routes; stops when dropped.
pub struct FixtureServer {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
    task: tokio::task::JoinHandle<()>,
}

impl FixtureServer {
    pub async fn start() -> FixtureServer {
        FixtureServer::start_on(0).await
    }

    /// A fixture server on loopback port `port` (0: any free one).
    pub async fn start_on(port: u16) -> FixtureServer {
        let state = Arc::new(Mutex::new(State::default()));
        let st = state.clone();
        let app = axum::Router::new().fallback(move |req: Request<Body>| {
            let st = st.clone();
            async move { respond(&st, req).await }
        });
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FixtureServer { addr, state, task }
    }

    pub fn route(&self, path: &str, route: Route) {
        self.state.lock().unwrap().routes.insert(path.into(), route);
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// How many requests for `path` have arrived, answered or not (a delayed route's
    /// request counts while the server still waits).
    pub fn arrived(&self, path: &str) -> usize {
        let state = self.state.lock().unwrap();
        state.arrived.get(path).copied().unwrap_or(0)
    }

    pub fn seen(&self, path: &str) -> Vec<Seen> {
        self.state
            .lock()
            .unwrap()
            .log
            .iter()
            .filter(|s| s.path == path)
            .cloned()
            .collect()
    }
}

impl Drop for FixtureServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn header(h: &HeaderMap, name: &str) -> Option<String> {
    h.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
}

async fn respond(state: &Arc<Mutex<State>>, req: Request<Body>) -> Response<Body> {
    let path = req.uri().path().to_owned();
    let h = req.headers();
    let route = {
        let mut state = state.lock().unwrap();
        *state.arrived.entry(path.clone()).or_default() += 1;
        state.routes.get(&path).cloned()
    };
    let Some(route) = route else {
        return Response::builder()
            .status(404)
            .body(Body::from("no such fixture"))
            .unwrap();
    };
    tokio::time::sleep(route.delay).await;
    let inm = header(h, "if-none-match");
    let ims = header(h, "if-modified-since");
    let not_modified = route.status == 200
        && ((route.etag.is_some() && inm.as_deref() == route.etag.as_deref())
            || (inm.is_none()
                && route.last_modified.is_some()
                && ims.as_deref() == route.last_modified.as_deref()));
    let status = if not_modified { 304 } else { route.status };
    state.lock().unwrap().log.push(Seen {
        at: Instant::now(),
        path,
        if_none_match: inm,
        if_modified_since: ims,
        user_agent: header(h, "user-agent"),
        status,
        headers: h
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
            .collect(),
    });
    let mut resp = Response::builder().status(StatusCode::from_u16(status).unwrap());
    if let Some(e) = &route.etag {
        resp = resp.header("etag", e);
    }
    if let Some(lm) = &route.last_modified {
        resp = resp.header("last-modified", lm);
    }
    for (k, v) in &route.headers {
        resp = resp.header(k, v);
    }
    if not_modified {
        return resp.body(Body::empty()).unwrap();
    }
    let resp = resp.header("content-type", &route.content_type);
    match route.drip {
        Some(every) => {
            let bytes = route.body;
            let stream = futures_util::stream::unfold(0usize, move |i| {
                let bytes = bytes.clone();
                async move {
                    if i >= bytes.len() {
                        return None;
                    }
                    tokio::time::sleep(every).await;
                    Some((
                        Ok::<_, std::io::Error>(axum::body::Bytes::copy_from_slice(&bytes[i..=i])),
                        i + 1,
                    ))
                }
            });
            resp.body(Body::from_stream(stream)).unwrap()
        }
        None => resp.body(Body::from(route.body)).unwrap(),
    }
}

/// A temp dir with a config file.
pub struct Setup {
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
}

/// Writes a config with `feeds` (id, url) and `extra` TOML sections, listening on `port`.
/// Retention is a century: fixtures carry fixed dates that must not age out of the tests.
pub fn write_config(feeds: &[(&str, String)], port: u16, extra: &str) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("feeds.toml");
    let mut text = format!(
        "[server]\nlisten = \"127.0.0.1:{port}\"\npublic_url = \"http://127.0.0.1:{port}\"\ntitle = \"Test Feed\"\n\n[storage]\npath = \"data\"\nretention_days = 36500\n\n{extra}\n"
    );
    for (id, url) in feeds {
        text.push_str(&format!("[[feed]]\nid = \"{id}\"\nurl = \"{url}\"\n\n"));
    }
    std::fs::File::create(&config)
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    Setup { dir, config }
}

/// A port that was free a moment ago.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Runs the real binary with `args`; fails the test, showing its stderr, unless it exits 0.
pub fn run_ok(args: &[&str]) -> std::process::Output {
    let out = showfeed().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "showfeed {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The real binary.
pub fn showfeed() -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_showfeed"));
    c.env_remove("SHOWFEED_CONFIG").env("RUST_LOG", "warn");
    c
}

/// Entry ids of an Atom document, in order, and checks it is well-formed XML on the way.
pub fn atom_ids(xml: &[u8]) -> Vec<String> {
    assert_well_formed(xml);
    let feed = feed_rs::parser::parse(xml).expect("our Atom parses");
    feed.entries.into_iter().map(|e| e.id).collect()
}

/// Fails unless `xml` is well-formed XML 1.0 (quick-xml, checking end names and characters).
pub fn assert_well_formed(xml: &[u8]) {
    let text = std::str::from_utf8(xml).expect("output is UTF-8");
    for (i, c) in text.char_indices() {
        assert!(
            showfeed::text::is_xml_char(c),
            "character {c:?} at byte {i} is not allowed in XML 1.0"
        );
    }
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut depth = 0i64;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(quick_xml::events::Event::Start(_)) => depth += 1,
            Ok(quick_xml::events::Event::End(_)) => depth -= 1,
            Ok(quick_xml::events::Event::Text(t)) => {
                t.unescape().expect("text unescapes");
            }
            Ok(_) => {}
            Err(e) => panic!("not well-formed at {}: {e}", reader.buffer_position()),
        }
    }
    assert_eq!(depth, 0, "unbalanced elements");
}

/// Path of the client check scripts.
pub fn clients_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients")
}

/// Whether an external tool is on PATH (`tool probe...` exits 0); under CI its absence fails
/// the test instead. A skip is printed past the test harness's capture, so it shows.
pub fn have_tool(tool: &str, probe: &[&str]) -> bool {
    let ok = std::process::Command::new(tool)
        .args(probe)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        let what = format!("`{tool} {}` failed", probe.join(" "));
        assert!(
            std::env::var_os("CI").is_none(),
            "{what}: {tool} is required under CI (.ci/run installs it)"
        );
        skip(&format!(
            "{what} ({tool} or what it probes is not installed)"
        ));
    }
    ok
}

/// Says that (part of) the current test is skipped, on the real stderr: `cargo test`
/// captures `eprintln!` of passing tests, and a skip must not pass unseen.
pub fn skip(why: &str) {
    let name = std::thread::current().name().unwrap_or("a test").to_owned();
    let _ = writeln!(std::io::stderr(), "SKIPPED in {name}: {why}");
}

/// Fails under CI (`CI` set), else says `why` as a [`skip`]; for optional material that CI
/// must provide (the corpus, the validator).
pub fn skip_unless_ci(why: &str, ci_must: &str) {
    assert!(std::env::var_os("CI").is_none(), "{ci_must}");
    skip(why);
}

/// Renders a document the way the server does: `kind`, `format`, a raw query string, and
/// `limit` (any number, as the CLI allows).
pub fn render(
    config: &showfeed::config::Config,
    store: &showfeed::store::Store,
    kind: showfeed::output::DocKind,
    format: showfeed::output::Format,
    query: &str,
    limit: usize,
) -> Vec<u8> {
    let mut request =
        showfeed::output::resolve_query(config, &kind, Some(query), showfeed::clock::now())
            .unwrap();
    request.query.limit = limit;
    showfeed::output::render(config, store, &kind, format, &request)
        .unwrap()
        .body
        .to_vec()
}

/// The merged Atom feed with `limit` entries.
pub fn merged_atom(
    config: &showfeed::config::Config,
    store: &showfeed::store::Store,
    limit: usize,
) -> Vec<u8> {
    render(
        config,
        store,
        showfeed::output::DocKind::Merged,
        showfeed::output::Format::Atom,
        "",
        limit,
    )
}

/// The real daemon as a child process, killed when dropped.
pub struct Daemon {
    pub child: Child,
    pub base: String,
}

impl Daemon {
    pub fn start(setup: &Setup, port: u16) -> Daemon {
        Daemon::start_with(setup, port, &[])
    }

    /// Starts `showfeed run` with extra environment variables.
    pub fn start_with(setup: &Setup, port: u16, env: &[(&str, &str)]) -> Daemon {
        let child = showfeed()
            .args(["--config", setup.config.to_str().unwrap(), "run"])
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        Daemon {
            child,
            base: format!("http://127.0.0.1:{port}"),
        }
    }

    pub fn signal(&self, sig: &str) {
        let pid = self.child.id().to_string();
        assert!(std::process::Command::new("kill")
            .args([sig, &pid])
            .status()
            .unwrap()
            .success());
    }

    pub fn sigterm(&mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        assert!(std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success());
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "daemon did not exit within 10 s of SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The daemon's `/status` as JSON.
pub async fn status(base: &str) -> serde_json::Value {
    try_status(base).await.expect("/status answers")
}

/// The daemon's `/status` as JSON, or `None` while it does not answer (starting, restarting).
pub async fn try_status(base: &str) -> Option<serde_json::Value> {
    reqwest::get(format!("{base}/status"))
        .await
        .ok()?
        .json()
        .await
        .ok()
}

/// The value of the daemon's metric line that starts with `line_start` (name and labels;
/// end an unlabelled name with a space); 0 while the daemon does not answer yet.
pub async fn metric(base: &str, line_start: &str) -> u64 {
    let Ok(r) = reqwest::get(format!("{base}/metrics")).await else {
        return 0;
    };
    r.text()
        .await
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(line_start))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse::<f64>().ok())
        .map_or(0, |v| v as u64)
}

pub async fn wait_until<F: AsyncFnMut() -> bool>(what: &str, mut f: F) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !f().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A router serving on loopback (see [`Harness::serve`]); stops when dropped.
pub struct Serving {
    pub base: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Serving {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Headless Chromium with the flags this machine's closed network needs (no background
/// requests, no first-run work) and a throwaway profile in `profile`.
pub fn chromium(profile: &Path) -> tokio::process::Command {
    let mut c = tokio::process::Command::new("chromium");
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .kill_on_drop(true);
    c
}

/// Opens the store at `path`. A store this process just dropped can stay locked for a
/// moment (sled's flusher thread lets go of it on its next wake-up, later on a loaded
/// machine): wait for that, never for another process.
pub fn open_store(path: &Path, cache_bytes: u64) -> showfeed::store::Store {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match showfeed::store::Store::open(path, cache_bytes) {
            Err(showfeed::store::StoreError::Locked(_)) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            other => return other.unwrap(),
        }
    }
}

/// The library path from a config file to a polled store, as `showfeed poll` takes it: the
/// config loaded and validated, the store opened, the poll context built.
pub struct Harness {
    pub config: std::sync::Arc<showfeed::config::Config>,
    pub store: std::sync::Arc<showfeed::store::Store>,
    pub ctx: std::sync::Arc<showfeed::poll::Context>,
}

impl Harness {
    /// Opens `setup`'s config and store (a page cache of `cache_mib`).
    pub fn open_with(setup: &Setup, cache_mib: u64) -> Harness {
        use std::sync::Arc;
        let config = Arc::new(showfeed::config::Config::load(&setup.config, None).unwrap());
        let store = Arc::new(open_store(&config.storage.path, cache_mib << 20));
        let ctx = Arc::new(showfeed::poll::Context::new(store.clone(), config.clone()).unwrap());
        Harness { config, store, ctx }
    }

    /// [`Harness::open_with`] an 8 MiB cache.
    pub fn open(setup: &Setup) -> Harness {
        Harness::open_with(setup, 8)
    }

    /// Polls every feed once; every poll must report.
    pub async fn poll(&self) -> HashMap<String, showfeed::poll::Outcome> {
        showfeed::scheduler::poll_all(self.ctx.clone(), &self.config.feeds)
            .await
            .into_iter()
            .map(|(id, r)| (id, r.expect("every poll reports").outcome))
            .collect()
    }

    /// Serves this store and config with the real router on loopback; the server stops
    /// when the returned [`Serving`] is dropped.
    pub async fn serve(&self) -> Serving {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = showfeed::serve::AppState::new(self.store.clone(), self.config.clone());
        let app = showfeed::serve::router(state);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Serving { base, task }
    }

    /// The merged Atom feed, at most `limit` entries.
    pub fn atom(&self, limit: usize) -> Vec<u8> {
        merged_atom(&self.config, &self.store, limit)
    }
}

/// The clusters of a collapsed JSON Feed document: each item's url with its related urls.
pub fn json_clusters(
    json: &[u8],
) -> std::collections::BTreeSet<std::collections::BTreeSet<String>> {
    use std::collections::BTreeSet;
    let out: serde_json::Value = serde_json::from_slice(json).unwrap();
    out["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|it| {
            let mut c = BTreeSet::from([it["url"].as_str().unwrap().to_owned()]);
            for r in it["_showfeed"]["related"].as_array().into_iter().flatten() {
                c.insert(r["url"].as_str().unwrap().to_owned());
            }
            c
        })
        .collect()
}
