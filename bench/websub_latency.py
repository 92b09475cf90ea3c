#!/usr/bin/env python3
"""Latency from a WebSub push to the entry in /feed.atom, against the poll it replaces.

Runs everything on loopback: a fixture feed server (advertising the hub), the real hub
(tests/clients/websub_hub.py, flask-websub), and `showfeed run` with `[websub] enabled`.
Once the subscription is live it makes N new entries (default 100), one at a time, two
ways, and times each until its title is in /feed.atom:

- push: a signed content distribution POSTed to the callback, as a hub sends it (the
  secret read from the hub's table): hub push -> entry served.
- publish: `hub.mode=publish` to the hub, which fetches the topic and pushes it (flask-websub
  in eager mode): publisher ping -> entry served, the hub's own work included.

The poll it replaces waits, on average, half the feed's interval (entries appear at random
times between polls): 15 min at the default 30 min. Prints the medians and p90s as JSON.

Usage: bench/websub_latency.py [SHOWFEED_BIN] [N]
"""
import hashlib
import hmac
import http.server
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target/release/showfeed")
N = int(sys.argv[2]) if len(sys.argv) > 2 else 100
POLL_INTERVAL_S = 30 * 60

FEED = {"body": b"", "lock": threading.Lock()}
START = int(time.time())


def atom(hub, self_url, entries):
    # Entry i dated a minute after entry i-1 (a day ago at 0), so each new one is the
    # newest and `?limit=5` finds it.
    def date(i):
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(START - 86400 + 60 * i))

    items = "".join(
        f"<entry><id>urn:bench:{i}</id><title>{t}</title>"
        f"<link href=\"https://news.example/bench/{i}\"/>"
        f"<updated>{date(i)}</updated><summary>{t} in full.</summary></entry>"
        for i, t in entries
    )
    return (
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><feed xmlns=\"http://www.w3.org/2005/Atom\">"
        "<title>Bench</title><id>urn:bench</id><updated>2026-11-30T10:00:00Z</updated>"
        f"<link rel=\"hub\" href=\"{hub}\"/><link rel=\"self\" href=\"{self_url}\"/>{items}</feed>"
    ).encode()


class Fixture(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        with FEED["lock"]:
            body = FEED["body"]
        self.send_response(200)
        self.send_header("content-type", "application/atom+xml")
        self.send_header("content-length", str(len(body)))
        self.send_header("link", f"<{FEED['hub']}>; rel=\"hub\", <{FEED['self']}>; rel=\"self\"")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def get(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.read()


def post(url, data, headers=None):
    req = urllib.request.Request(url, data=data, headers=headers or {}, method="POST")
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.status


def wait(what, f, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        v = f()
        if v:
            return v
        if time.monotonic() > deadline:
            sys.exit(f"timed out waiting for {what}")
        time.sleep(0.05)


def served(base, title):
    return title.encode() in get(f"{base}/feed.atom?limit=5")


def timed(base, title, send):
    t0 = time.perf_counter()
    send()
    deadline = t0 + 30
    while not served(base, title):
        if time.perf_counter() > deadline:
            sys.exit(f"{title!r} never appeared in {base}/feed.atom")
        time.sleep(0.001)
    return time.perf_counter() - t0


def main():
    tmp = tempfile.mkdtemp()
    hub = subprocess.Popen(
        [sys.executable, os.path.join(ROOT, "tests/clients/websub_hub.py"), os.path.join(tmp, "hub.db")],
        stdout=subprocess.PIPE,
    )
    hub_base = "http://127.0.0.1:" + hub.stdout.readline().decode().split()[-1]
    fixture = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Fixture)
    threading.Thread(target=fixture.serve_forever, daemon=True).start()
    topic = f"http://127.0.0.1:{fixture.server_port}/bench.atom"
    FEED.update(hub=f"{hub_base}/hub", self=topic)
    FEED["body"] = atom(FEED["hub"], topic, [(0, "Bench warm-up story")])
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    config = os.path.join(tmp, "feeds.toml")
    with open(config, "w") as f:
        f.write(
            f"[server]\nlisten = \"127.0.0.1:{port}\"\npublic_url = \"{base}\"\n\n"
            "[storage]\npath = \"data\"\nretention_days = 36500\n\n"
            "[dedup]\nmode = \"off\"\n\n[websub]\nenabled = true\n\n"
            f"[[feed]]\nid = \"bench\"\nurl = \"{topic}\"\nallow_private = true\n"
        )
    daemon = subprocess.Popen(
        [BIN, "--config", config, "run"], env=dict(os.environ, RUST_LOG="error"),
        stdout=subprocess.DEVNULL,
    )
    try:
        def live():
            try:
                subs = json.loads(get(f"{base}/status")).get("websub", [])
            except OSError:
                return False
            return any(s["state"] == "live" for s in subs)

        wait("the subscription", live)
        rows = wait("the hub's row", lambda: json.loads(get(f"{hub_base}/_subs")))
        callback, secret = rows[0]["callback_url"], rows[0]["secret"]
        push, publish = [], []
        for i in range(1, N + 1):
            title = f"Pushed story number {i} arrives"
            body = atom(FEED["hub"], topic, [(i, title)])
            sig = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
            headers = {"content-type": "application/atom+xml", "x-hub-signature": sig}
            push.append(timed(base, title, lambda: post(callback, body, headers)))
        for i in range(N + 1, 2 * N + 1):
            title = f"Published story number {i} arrives"
            with FEED["lock"]:
                FEED["body"] = atom(FEED["hub"], topic, [(i, title)])
            form = urllib.parse.urlencode({"hub.mode": "publish", "hub.topic": topic}).encode()
            try:
                publish.append(timed(base, title, lambda: post(f"{hub_base}/hub", form)))
            except SystemExit:
                print(get(f"{hub_base}/_log").decode()[-3000:], file=sys.stderr)
                raise
    finally:
        daemon.terminate()
        daemon.wait()
        hub.kill()
        fixture.shutdown()

    def summary(xs):
        xs = sorted(xs)
        return {
            "median_ms": round(statistics.median(xs) * 1000, 1),
            "p90_ms": round(xs[int(len(xs) * 0.9) - 1] * 1000, 1),
            "max_ms": round(xs[-1] * 1000, 1),
        }

    median_push = statistics.median(push)
    print(json.dumps({
        "pushes": N,
        "push_to_feed": summary(push),
        "publish_via_hub_to_feed": summary(publish),
        "poll_interval_s": POLL_INTERVAL_S,
        "poll_mean_wait_s": POLL_INTERVAL_S / 2,
        "speedup_vs_mean_poll_wait": round((POLL_INTERVAL_S / 2) / median_push),
    }, indent=2))


if __name__ == "__main__":
    main()
