"""Which server-side modules a piece of client code imports, run in a fresh interpreter.

`jdlens --help` and the `--server` clients must not pay for the database, the model or the
pipeline (they had cost ~1 s of imports before doing anything): test_cli_imports.py and
test_batch.py list what a command loaded with this.
"""

from __future__ import annotations

import json
import subprocess
import sys

# What the server side needs and a client or the help text does not.
HEAVY = ("sqlalchemy", "alembic", "numpy", "onnxruntime", "anthropic", "jdlens_server.pipeline")


def heavy_modules_after(code: str) -> list[str]:
    """The HEAVY modules (and their submodules) loaded once ``code`` has run; a failing ``code``
    (an assert in it) raises CalledProcessError."""
    probe = (
        f"{code}\nimport json, sys\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}"
        f" or m.startswith('jdlens_server.pipeline'))))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    loaded: list[str] = json.loads(out.stdout.strip().splitlines()[-1])
    return loaded
