"""Record what real OpenSSL does for every conformance case.

``python -m tests.conformance.record`` plays every setup of :data:`~.cases.CASES` with
:func:`~.openssl_harness.run_real` and writes ``openssl_transcripts.json`` beside this file:
the OpenSSL version, then case name → ``{"setup": …, "result": …}``.  The output is
deterministic, so re-recording on the same OpenSSL changes nothing.  ``--check`` writes
nothing and exits 1 when the stored file differs from a fresh recording.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from tests.conformance.cases import CASES
from tests.conformance.openssl_harness import openssl_version, run_real

__all__ = ["TRANSCRIPTS", "main", "record", "render"]

#: Where the recording lives.
TRANSCRIPTS = Path(__file__).with_name("openssl_transcripts.json")


def record() -> dict[str, object]:
    """Play every case on real OpenSSL; the document ``openssl_transcripts.json`` holds."""
    return {
        "openssl_version": openssl_version(),
        "cases": {
            name: {"setup": setup, "result": run_real(setup)} for name, setup in CASES.items()
        },
    }


def render(document: dict[str, object]) -> str:
    """The file's text: two-space indented JSON, keys in insertion order, final newline."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.conformance.record", description=__doc__)
    parser.add_argument(
        "--check", action="store_true", help="compare with the stored file instead of writing it"
    )
    parser.add_argument(
        "--output", type=Path, default=TRANSCRIPTS, help="where to write (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    started = time.monotonic()
    text = render(record())
    elapsed = time.monotonic() - started
    if args.check:
        stored = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if stored != text:
            print(f"{args.output} is out of date: re-run without --check", file=sys.stderr)
            return 1
        print(f"{args.output}: up to date ({len(CASES)} cases, {elapsed:.2f} s)")
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output} ({len(CASES)} cases, {elapsed:.2f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
