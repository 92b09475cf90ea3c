#!/usr/bin/env python3
"""Write the real-feed quality set's saved feeds into a directory, for tests that poll them.

usage: quality_feeds.py OUT_DIR

Reuses bench/quality.py's materializing (tests/quality/README.md): every file of every set
under tests/quality/ is read with `git show <commit>:<path>` from its mirror under
$SHOWFEED_MIRRORS (default /work/.mirror) and written to OUT_DIR/<id>.<ext>; one line per
file, `<id>\\t<path>`, goes to stdout. Exit 3 (with the repositories to fetch on stderr) when
a mirror or a pinned commit is missing, as bench/quality.py does.
"""

import importlib.util
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    spec = importlib.util.spec_from_file_location("quality", ROOT / "bench" / "quality.py")
    quality = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(quality)
    sets = quality.load_sets(None)
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    mirrors = os.environ.get("SHOWFEED_MIRRORS", "/work/.mirror")
    paths = quality.materialize(sets, mirrors, out)
    for file_id, path in sorted(paths.items()):
        print(f"{file_id}\t{path}")


if __name__ == "__main__":
    main()
