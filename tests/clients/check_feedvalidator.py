#!/usr/bin/env python3
"""Validate a feed with the W3C Feed Validation Service's own code.

usage: check_feedvalidator.py FILE_OR_URL [--validator DIR] [--summary]

Runs the validator behind validator.w3.org/feed (w3c/feedvalidator, kept outside the
repository: ../shared/feedvalidator, or $SHOWFEED_FEEDVALIDATOR, or --validator DIR) in
place, from its own folder, at the level the online service uses ("AA": errors and
warnings), and prints every message it reports, one a line:

    error|warning|allowed: line L, column C: message (N occurrences) [ClassName] value='...'

then one summary line (occurrences by message). Exit 0 when no error and no warning remains, 1 otherwise, 2 when
the validator cannot be run (missing folder, missing module: pip install lxml html5lib
rdflib, see .ci/clients.sh).

Two warnings are allowed (printed, not counted):
  - SelfDoesntMatchLocation, when validating a file: the document's rel="self" names the
    URL it is served at, not the file it was saved to;
  - DuplicateUpdated: two entries with the same atom:updated, which is how their sources
    dated them (showfeed keeps the sources' dates).
With --allow-replacement-character (for documents made from sources with invalid text),
"bad characters" warnings are allowed too when they all come from U+FFFD, the replacement
character showfeed writes for a lone surrogate: the file is validated again with every
U+FFFD replaced by "?", and allowed only if no such warning is left.
A URL is fetched by the validator itself (it checks the HTTP headers too); a file is read
with the media type its extension names (.atom, .rss; anything else: none).
"""

import argparse
import os
import sys
import urllib.request
from collections import Counter
from pathlib import Path

MEDIA_TYPES = {".atom": "application/atom+xml", ".rss": "application/rss+xml"}
ALWAYS_ALLOWED = {"DuplicateUpdated"}
ALLOWED_FOR_FILES = {"SelfDoesntMatchLocation"}


def die(msg: str) -> "None":
    print(f"check_feedvalidator: cannot run: {msg}", file=sys.stderr)
    sys.exit(2)


def load_validator(folder: str):
    """Imports the validator from `folder`, in place (cwd and sys.path set to it)."""
    path = Path(folder).resolve()
    if not (path / "feedvalidator" / "__init__.py").is_file():
        die(f"no feed validator in {path} (set SHOWFEED_FEEDVALIDATOR or --validator)")
    missing = []
    for mod in ("lxml", "html5lib", "rdflib"):
        try:
            __import__(mod)
        except ImportError:
            missing.append(mod)
    if missing:
        die(f"python modules missing: {', '.join(missing)} (pip install them; .ci/clients.sh)")
    os.chdir(path)
    sys.path.insert(0, str(path))
    import feedvalidator  # noqa: E402  (from the folder above)
    from feedvalidator import compatibility
    from feedvalidator.formatter.text_plain import Formatter

    return feedvalidator, compatibility, Formatter


def events_of(target: str, fv) -> "tuple[list, bool]":
    """The validator's events for a URL or a file, and whether it was a file."""
    if "://" in target and not target.startswith("file:"):
        try:
            return fv.validateURL(target, firstOccurrenceOnly=1)["loggedEvents"], False
        except fv.logging.ValidationFailure as vf:
            return [vf.event], False
    path = Path(target[len("file://"):] if target.startswith("file://") else target)
    path = path.resolve()
    base = "file://" + urllib.request.pathname2url(str(path))
    try:
        with open(path, "rb") as f:
            result = fv.validateStream(
                f, firstOccurrenceOnly=1, contentType=MEDIA_TYPES.get(path.suffix), base=base)
    except fv.logging.ValidationFailure as vf:
        return [vf.event], True
    except OSError as e:
        die(f"cannot read {path}: {e}")
    return result["loggedEvents"], True


def only_replacement_chars(target: str, fv) -> bool:
    """Whether the file's "bad characters" all go away once U+FFFD is replaced."""
    text = Path(target).read_bytes().decode("utf-8").replace("\ufffd", "?")
    events = fv.validateString(text, firstOccurrenceOnly=1)["loggedEvents"]
    return not any(type(e).__name__ == "BadCharacters" for e in events)


def main() -> None:
    ap = argparse.ArgumentParser(description="Validate a feed with the W3C feed validator.")
    ap.add_argument("target", metavar="FILE_OR_URL")
    default = os.environ.get("SHOWFEED_FEEDVALIDATOR") or str(
        Path(__file__).resolve().parents[2].parent / "shared" / "feedvalidator")
    ap.add_argument("--validator", default=default, help="the validator's folder")
    ap.add_argument("--allow-replacement-character", action="store_true",
                    help="allow bad-character warnings caused by U+FFFD alone (files only)")
    args = ap.parse_args()
    if "://" not in args.target or args.target.startswith("file:"):
        args.target = str(Path(args.target).resolve())  # before the chdir below

    fv, compatibility, Formatter = load_validator(args.validator)
    events, is_file = events_of(args.target, fv)
    events = compatibility.AA(events)
    allowed = ALWAYS_ALLOWED | (ALLOWED_FOR_FILES if is_file else set())
    if (args.allow_replacement_character and is_file
            and any(type(e).__name__ == "BadCharacters" for e in events)
            and only_replacement_chars(args.target, fv)):
        allowed.add("BadCharacters")
    lines = Formatter(events)
    counts, failing = Counter(), 0
    for event, line in zip(events, lines):
        name = type(event).__name__
        if name in allowed:
            level = "allowed"
        else:
            level = "error" if isinstance(event, fv.logging.Error) else "warning"
            failing += 1
        counts[f"{level} {name}"] += int(event.params.get("msgcount", 1))
        value = event.params.get("value")
        shown = f" value={str(value)[:160]!r}" if value not in (None, "") else ""
        print(f"{level}: {line.strip()} [{name}]{shown}")
    summary = ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "no messages"
    verdict = "FAIL" if failing else "OK"
    print(f"check_feedvalidator: {verdict}: {args.target}: {summary}")
    sys.exit(1 if failing else 0)


if __name__ == "__main__":
    main()
