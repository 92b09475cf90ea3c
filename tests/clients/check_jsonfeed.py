#!/usr/bin/env python3
"""Validate a JSON Feed document against the JSON Feed 1.1 schema.

usage: check_jsonfeed.py FILE [--schema SCHEMA]

The schema (jsonfeed-1.1.schema.json beside this script) is written from the
specification at https://jsonfeed.org/version/1.1; the validator is the `jsonschema`
package (pip install jsonschema, see .ci/clients.sh), draft 2020-12. Prints every
violation, one a line (`at <JSON path>: <message>`), then one summary line; exit 0 when the
document is valid, 1 when it is not (or is not JSON), 2 when the check cannot run.
"""

import argparse
import json
import sys
from pathlib import Path

SCHEMA = Path(__file__).resolve().parent / "jsonfeed-1.1.schema.json"


def main() -> None:
    ap = argparse.ArgumentParser(description="Validate JSON Feed 1.1 with jsonschema.")
    ap.add_argument("file", metavar="FILE")
    ap.add_argument("--schema", default=str(SCHEMA))
    args = ap.parse_args()
    try:
        import jsonschema
    except ImportError:
        print("check_jsonfeed: cannot run: python module jsonschema is missing "
              "(pip install jsonschema; .ci/clients.sh)", file=sys.stderr)
        sys.exit(2)
    schema = json.loads(Path(args.schema).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    try:
        doc = json.loads(Path(args.file).read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as e:
        print(f"check_jsonfeed: FAIL: {args.file}: not a JSON document: {e}")
        sys.exit(1)
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    for e in errors:
        path = "$" + "".join(f"[{p!r}]" for p in e.absolute_path)
        print(f"at {path}: {e.message[:300]}")
    items = len(doc.get("items", [])) if isinstance(doc, dict) else 0
    if errors:
        print(f"check_jsonfeed: FAIL: {args.file}: {len(errors)} violations of JSON Feed 1.1")
        sys.exit(1)
    print(f"check_jsonfeed: OK: {args.file}: valid JSON Feed 1.1, {items} items")


if __name__ == "__main__":
    main()
