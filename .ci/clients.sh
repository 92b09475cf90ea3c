#!/usr/bin/env bash
# Install the external clients the tests drive, on Debian, as root:
# newsboat + sqlite3 (check_newsboat.sh), Python's feedparser
# (check_feedparser.py), lxml + html5lib + rdflib (what the W3C feed validator
# in ../shared/feedvalidator needs, check_feedvalidator.py), jsonschema (the
# JSON Feed 1.1 schema, check_jsonfeed.py), chromium (the index page in a real
# browser), systemd (systemd-analyze verify / security on the unit) and flask-websub
# + celery (a real WebSub hub, websub_hub.py).
# Idempotent: installs only what is missing.
# Quiet on success; on failure prints the failing command's output and exits 1.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
export PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1

log=$(mktemp)
trap 'rm -f "$log"' EXIT

run() {
    if ! "$@" >"$log" 2>&1; then
        echo "clients.sh: failed: $*" >&2
        cat "$log" >&2
        exit 1
    fi
}

apt_updated=
apt_install() {
    if [[ -z $apt_updated ]]; then
        run apt-get update
        apt_updated=1
    fi
    run apt-get install -y --no-install-recommends "$@"
}

missing=()
command -v newsboat >/dev/null 2>&1 || missing+=(newsboat)
command -v sqlite3 >/dev/null 2>&1 || missing+=(sqlite3)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
if [[ ${#missing[@]} -gt 0 ]]; then
    apt_install "${missing[@]}"
fi

has_feedparser() { command -v python3 >/dev/null 2>&1 && python3 -c 'import feedparser' >/dev/null 2>&1; }

if ! has_feedparser; then
    # pip first. Debian's own python3 refuses pip installs (PEP 668,
    # "externally-managed-environment") and may lack pip: Debian's
    # python3-feedparser package serves that interpreter instead.
    if ! { command -v python3 >/dev/null 2>&1 && python3 -m pip install --quiet feedparser >"$log" 2>&1; }; then
        apt_install python3-feedparser
    fi
    if ! has_feedparser; then
        echo "clients.sh: feedparser still not importable by $(command -v python3 || echo 'python3 (missing)')" >&2
        cat "$log" >&2
        exit 1
    fi
fi

# Python modules by pip, else Debian's packages (same PEP 668 story as feedparser above).
has_modules() { python3 -c "import $1" >/dev/null 2>&1; }
for spec in lxml:python3-lxml html5lib:python3-html5lib rdflib:python3-rdflib jsonschema:python3-jsonschema; do
    module=${spec%%:*} package=${spec#*:}
    has_modules "$module" && continue
    if ! python3 -m pip install --quiet "$module" >"$log" 2>&1; then
        apt_install "$package"
    fi
    if ! has_modules "$module"; then
        echo "clients.sh: python module $module still not importable by $(command -v python3)" >&2
        cat "$log" >&2
        exit 1
    fi
done

# flask-websub, a real WebSub hub (tests/clients/websub_hub.py, tests/it/websub.rs), with
# Celery, whose tasks it runs (eagerly there: no broker). PyPI only: Debian has neither
# at a usable version.
if ! has_modules "flask_websub, celery"; then
    run python3 -m pip install --quiet flask-websub celery
    if ! has_modules "flask_websub, celery"; then
        echo "clients.sh: flask_websub and celery still not importable by $(command -v python3)" >&2
        exit 1
    fi
fi
