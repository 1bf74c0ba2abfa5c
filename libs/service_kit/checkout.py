"""Which checkout a subprocess imports.

``pdm install`` installs the repository editable: a .pth file in the venv puts the libs and
the repository root of ONE checkout on ``sys.path``, so services start with no PYTHONPATH.
A subprocess that must run a different checkout's code (a git worktree tested with another
checkout's venv, as pytest's ``pythonpath`` does for the test process itself) still needs
PYTHONPATH; ``pythonpath_for`` gives it exactly then, and nothing when the venv's install
already is this checkout.
"""

from __future__ import annotations

import json
import os
from functools import cache
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parents[2]


@cache
def installed_checkout() -> Path | None:
    """The checkout the venv's editable install of the project points to, if any."""
    try:
        raw = metadata.distribution("essay-platform").read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        return None
    if not raw:
        return None
    url = json.loads(raw).get("url", "")
    if not url.startswith("file://"):
        return None
    return Path(unquote(urlparse(url).path)).resolve()


def pythonpath_for(root: Path = ROOT) -> dict[str, str]:
    """``{"PYTHONPATH": "<root>/libs:<root>"}`` when the venv's install is not ``root``
    (another checkout, or none), else ``{}``: merge it into a subprocess's environment."""
    if installed_checkout() == root.resolve():
        return {}
    return {"PYTHONPATH": os.pathsep.join([str(root / "libs"), str(root)])}
