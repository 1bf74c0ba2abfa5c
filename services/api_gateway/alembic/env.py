"""api_gateway migrations: the shared env body with this service's models."""

import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[3]
for _path in (_ROOT, _ROOT / "libs"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from service_kit.migrations import run_env  # noqa: E402
from services.api_gateway.models_db import Base  # noqa: E402

run_env("api_gateway", Base.metadata)
