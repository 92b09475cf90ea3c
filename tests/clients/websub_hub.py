#!/usr/bin/env python3
"""A real WebSub hub for the tests: flask-websub's Hub (PyPI `flask-websub`), served on
127.0.0.1 with Celery in eager mode (tasks run inside the request: no broker needed).

Usage: websub_hub.py DB_PATH   -> prints "listening on PORT", serves until killed or
until its parent (the test) goes away.

The hub endpoint is `/hub`. Two read-only endpoints let a test assert the hub's traffic:
`/_subs` (the hub's subscriptions, secrets included, from its SQLite storage) and `/_log`
(every request the hub received and every request it made: verifications, denials and
content deliveries with their status). Topics containing "deny" are denied by a
validator, to exercise `hub.mode=denied`. Publishing (`hub.mode=publish`) is enabled.
"""
import json
import logging
import os
import sqlite3
import sys
import threading
import time

from celery import Celery
from flask import Flask, jsonify, request
from werkzeug.serving import make_server

import flask_websub.hub.tasks as hub_tasks
from flask_websub.hub import Hub, SQLite3HubStorage

LOG = []
logging.getLogger("werkzeug").setLevel(logging.ERROR)
logging.getLogger("flask_websub").setLevel(logging.CRITICAL)
LOCK = threading.Lock()


def record(entry):
    with LOCK:
        LOG.append(dict(entry, at=time.time()))


real_request_url = hub_tasks.request_url


# flask-websub forwards the topic response's headers with each delivery, hop-by-hop ones
# included (`Transfer-Encoding: chunked` with a body it re-frames with Content-Length, and
# `Content-Encoding` of a body requests already decoded): a strict HTTP/1.1 server refuses
# such a request. Intermediaries must drop them (RFC 9110 7.6.1), so this hub does.
HOP_BY_HOP = {"transfer-encoding", "content-encoding", "content-length", "connection", "keep-alive"}


def logged_request_url(config, method, url, **kwargs):
    params = kwargs.get("params") or {}
    headers = kwargs.get("headers") or {}
    if headers:
        headers = {k: v for k, v in headers.items() if k.lower() not in HOP_BY_HOP}
        kwargs["headers"] = headers
    entry = {
        "dir": "out",
        "method": method,
        "url": url,
        "mode": params.get("hub.mode"),
        "signature": headers.get("X-Hub-Signature"),
    }
    try:
        resp = real_request_url(config, method, url, **kwargs)
    except Exception as e:  # recorded, then raised as flask-websub expects
        record(dict(entry, status=None, error=str(e)))
        raise
    record(dict(entry, status=resp.status_code))
    return resp


hub_tasks.request_url = logged_request_url


def main():
    db = sys.argv[1]
    app = Flask(__name__)
    app.config["PUBLISH_SUPPORTED"] = True
    app.config["HUB_MIN_LEASE_SECONDS"] = 1
    app.config["REQUEST_TIMEOUT"] = 10
    celery = Celery("websub_hub", broker="memory://", backend="cache+memory://")
    celery.conf.task_always_eager = True
    hub = Hub(SQLite3HubStorage(db), celery, **app.config)

    @hub.register_validator
    def deny_some(callback_url, topic_url, *args):
        return "topic refused by the test hub" if "deny" in topic_url else None

    @app.before_request
    def log_incoming():
        if request.method == "POST" and request.path == "/hub":
            record({
                "dir": "in",
                "mode": request.form.get("hub.mode"),
                "topic": request.form.get("hub.topic"),
                "url": request.form.get("hub.url"),
                "callback": request.form.get("hub.callback"),
                "lease_seconds": request.form.get("hub.lease_seconds"),
                "has_secret": bool(request.form.get("hub.secret")),
            })

    app.register_blueprint(hub.build_blueprint(url_prefix="/hub"))

    @app.route("/_subs")
    def subs():
        con = sqlite3.connect(db)
        con.row_factory = sqlite3.Row
        rows = [dict(r) for r in con.execute("select * from hub")]
        con.close()
        return jsonify(rows)

    @app.route("/_log")
    def log():
        with LOCK:
            return app.response_class(json.dumps(LOG), mimetype="application/json")

    server = make_server("127.0.0.1", 0, app, threaded=True)
    print(f"listening on {server.port}", flush=True)
    parent = os.getppid()

    def watch_parent():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch_parent, daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
