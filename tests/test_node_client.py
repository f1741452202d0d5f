"""A Node.js client (@grpc/grpc-js + @grpc/proto-loader over the same .proto files) against a real
server: AnalyzeJd on the reference JD and a 10-item AnalyzeJdStream with one malformed item.

Needs ``node`` (skipped with the reason when it is not installed); runs ``npm ci`` in tests/node
the first time (the lockfile pins the versions).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from grpc_harness import fresh_sqlite_url
from jdlens.client import JdlensClient
from jdlens_server.app import build_runtime, embedded_server
from jdlens_server.library.importer import import_pack
from jdlens_server.library.packs.esco import esco_subset, read_esco

REPO = Path(__file__).resolve().parents[1]
NODE_DIR = REPO / "tests" / "node"
NODE_PACKAGES = ("@grpc/grpc-js", "@grpc/proto-loader", "protobufjs")
REFERENCE_JD = REPO / "examples" / "reference_jd.txt"


@pytest.fixture(scope="module")
def node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed (needed for the polyglot client test)")
    if not all((NODE_DIR / "node_modules" / p / "package.json").exists() for p in NODE_PACKAGES):
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is not installed and tests/node/node_modules is missing")
        subprocess.run(
            [npm, "ci", "--prefix", str(NODE_DIR), "--no-audit", "--no-fund", "--loglevel=error"],
            check=True,
            timeout=600,
        )
    return node


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = fresh_sqlite_url(tmp_path_factory.mktemp("node-client"))
    import_pack(url, "esco", contents=esco_subset(read_esco(), occupations=3), progress=False)
    runtime = build_runtime(url)
    try:
        with embedded_server(runtime) as target:
            yield target
    finally:
        runtime.close()


def test_node_client_analyzes_and_streams(node: str, server: str) -> None:
    done = subprocess.run(
        [node, str(NODE_DIR / "client.mjs"), server, str(REFERENCE_JD)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"node client failed:\n{done.stderr}"
    result = json.loads(done.stdout)

    analyzed = result["analyze"]
    assert analyzed["status"] in ("RUN_STATUS_EXTRACTED", "RUN_STATUS_DETAILED", "RUN_STATUS_COMPLETED")
    assert analyzed["skills"] > 0 and analyzed["replayed"] is False
    reference = REFERENCE_JD.read_text(encoding="utf-8")
    with JdlensClient(server) as client:
        # The run the Node client made is stored, and a Python client sending the same JD gets it back.
        stored = client.get_run(analyzed["name"])
        assert stored.jd_text == reference
        assert client.analyze(reference).name == analyzed["name"]

    stream = result["stream"]
    assert sorted(r["request_id"] for r in stream["runs"]) == [f"node-{i}" for i in range(9)]
    assert all(r["name"].startswith("runs/") for r in stream["runs"])
    assert len({r["name"] for r in stream["runs"]}) == 9
    [error] = stream["errors"]
    assert error["request_id"] == "node-malformed" and error["code"] == 3  # INVALID_ARGUMENT
    by_type = {d["@type"].rsplit(".", 1)[-1]: d for d in error["details"]}
    assert by_type["BadRequest"]["fieldViolations"][0]["field"] == "jd.text"
    assert by_type["RequestInfo"]["requestId"]  # the correlation id on the server's log lines
