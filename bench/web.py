"""The teachers' web app in a real browser (issue 14): the bytes of the first load of the
batches page and the time from a judge's choice to the next pair on screen, both from
Chromium's own performance timings (Resource/Navigation Timing ``transferSize`` and a
``performance.measure`` between the marks the judging script sets on a choice and when the
next pair is drawn).

    pdm run python -m bench.web

It runs the browser tests that record these figures (tests/browser/test_judging.py and
test_measure.py: the six services and the gateway as real processes on fresh databases,
Debian's Chromium) with ``BROWSER_MEASURE_OUT`` set, and prints what they wrote. Goals
(docs/benchmarks.md): first load of the batches page < 200 KB; choice to next pair < 150 ms.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "measures.jsonl"
        env = {**os.environ, "BROWSER_MEASURE_OUT": str(out)}
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "tests/browser/test_judging.py",
                "tests/browser/test_measure.py",
            ],
            cwd=REPO,
            env=env,
            check=False,
        )
        figures: dict[str, object] = {}
        if out.exists():
            for line in out.read_text().splitlines():
                figures.update(json.loads(line))
        print(json.dumps(figures, indent=2))
        return done.returncode


if __name__ == "__main__":
    sys.exit(main())
