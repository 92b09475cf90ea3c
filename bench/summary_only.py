"""Summary-only feeds and their articles, simulated from saved real feeds (for
`bench/quality.py --summary-only cut|articles`).

Many outlets publish one sentence and a link; showfeed's `full_text` fetches the article.
The labelled sets are saved feeds whose article pages cannot be reached from here, so this
module makes the situation from them:

- `cut(data, fmt)`: the feed file with every item's content dropped and its summary cut to
  its first sentence (at most 160 characters): what a summary-only outlet would publish.
  Item links are rewritten from https to http (the scorer ignores the scheme), so that the
  articles can be served through a plain HTTP proxy.
- `articles(data, fmt)`: {http link: HTML page} with each item's fullest original text as
  the article (its content, else its summary), in a page with navigation and a footer, as
  sites lay them out.
- `ArticleProxy`: a loopback HTTP proxy serving those pages (absolute-form GETs, what an
  HTTP client sends through `http_proxy`), 404 for anything else.

Only the standard library is used.
"""

import html
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FIRST_SENTENCE_MAX = 160


def first_sentence(text_html):
    """The first sentence of an HTML or plain text, as plain text, at most 160 characters."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", text_html or ""))
    text = re.sub(r"\s+", " ", text).strip()
    m = re.search(r"^(.{20,}?[.!?])(\s|$)", text)
    out = m.group(1) if m else text
    return out[:FIRST_SENTENCE_MAX]


def to_http(link):
    return "http://" + link[len("https://"):] if link.startswith("https://") else link


def _inner(raw):
    """The text of an XML element's raw inner markup: CDATA or escaped."""
    m = re.fullmatch(r"\s*<!\[CDATA\[(.*)\]\]>\s*", raw, re.S)
    return m.group(1) if m else html.unescape(raw)


ITEM = re.compile(r"<(item|entry)\b.*?</\1>", re.S)
CONTENT = re.compile(
    r"<((?:content:)?encoded|content)\b[^>]*?(?:/>|>.*?</\1>)", re.S)
SUMMARY = re.compile(r"<(description|summary)\b([^>]*)>(.*?)</\1>", re.S)
RSS_LINK = re.compile(r"<link>\s*(.*?)\s*</link>", re.S)
ATOM_LINK = re.compile(r"""(<link\b[^>]*\bhref=["'])([^"']*)(["'])""")


def _cut_item(item):
    item = CONTENT.sub("", item)

    def summ(m):
        return f"<{m.group(1)}{m.group(2)}>{html.escape(first_sentence(_inner(m.group(3))))}</{m.group(1)}>"

    item = SUMMARY.sub(summ, item, count=1)
    item = RSS_LINK.sub(lambda m: f"<link>{to_http(html.unescape(m.group(1)))}</link>", item)
    return ATOM_LINK.sub(lambda m: m.group(1) + to_http(m.group(2)) + m.group(3), item)


def _fullest(item):
    texts = [_inner(m.group(0)[m.group(0).find(">") + 1:m.group(0).rfind("<")])
             for m in CONTENT.finditer(item) if not m.group(0).endswith("/>")]
    texts += [_inner(m.group(3)) for m in SUMMARY.finditer(item)]
    return max(texts, key=len, default="")


def _link(item):
    m = RSS_LINK.search(item)
    if m:
        return html.unescape(m.group(1))
    m = re.search(r"""<link\b(?=[^>]*rel=["']alternate["']|(?![^>]*rel=))[^>]*href=["']([^"']*)""", item)
    return html.unescape(m.group(1)) if m else ""


def cut(data, fmt):
    if fmt == "json":
        doc = json.loads(data)
        for it in doc.get("items", []):
            full = it.get("content_html") or it.get("content_text") or it.get("summary") or ""
            it.pop("content_html", None)
            it.pop("content_text", None)
            it["content_text"] = first_sentence(it.get("summary") or full)
            it.pop("summary", None)
            if it.get("url"):
                it["url"] = to_http(it["url"])
        return json.dumps(doc).encode()
    text = data.decode("utf-8", "replace")
    return ITEM.sub(lambda m: _cut_item(m.group(0)), text).encode("utf-8")


def page(title, body):
    return (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{html.escape(title)}"
            "</title></head><body><header><nav><a href=\"/\">Home</a> <a href=\"/news\">News"
            "</a></nav></header><main><article><h1>" + html.escape(title) + "</h1>"
            f"<div class=\"article-body\">{body}</div></article></main><footer><p>"
            "Copyright. All rights reserved.</p></footer></body></html>")


def articles(data, fmt):
    out = {}
    if fmt == "json":
        for it in json.loads(data).get("items", []):
            body = it.get("content_html") or html.escape(it.get("content_text") or "") \
                or it.get("summary") or ""
            if it.get("url"):
                out[to_http(it["url"])] = page(it.get("title", ""), body)
        return out
    text = data.decode("utf-8", "replace")
    for m in ITEM.finditer(text):
        item = m.group(0)
        link = _link(item)
        t = re.search(r"<title[^>]*>(.*?)</title>", item, re.S)
        title = first_sentence(_inner(t.group(1))) if t else ""
        body = _fullest(item)
        if not re.search(r"<p\b", body):
            body = "".join(f"<p>{html.escape(p)}</p>" for p in re.split(r"\n\s*\n", html.unescape(re.sub(r"<[^>]+>", " ", body))) if p.strip())
        if link:
            out[to_http(link)] = page(title, body)
    return out


class ArticleProxy:
    """A loopback HTTP proxy serving `pages` ({absolute http URL: HTML}); stops on close."""

    def __init__(self, pages):
        self.pages = pages
        self.hits = 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                body = proxy.pages.get(self.path)
                if body is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                proxy.hits += 1
                data = body.encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
