#!/usr/bin/env bash
# Regenerates the Python messages, gRPC services and type stubs under client/jdlens/v1
# from protos/jdlens/v1. Generated files are never edited by hand; CI runs this and fails on any diff.
set -euo pipefail
cd "$(dirname "$0")/.."
out=client
# The project's venv when there is one (its pinned grpcio-tools and mypy-protobuf plugins), else PATH's.
if [ -x .venv/bin/python ]; then
  export PATH="$PWD/.venv/bin:$PATH"
fi
rm -f "$out"/jdlens/v1/*_pb2*.py "$out"/jdlens/v1/*_pb2*.pyi
python -m grpc_tools.protoc \
  -I protos \
  --python_out="$out" \
  --grpc_python_out="$out" \
  --mypy_out="$out" \
  --mypy_grpc_out="$out" \
  protos/jdlens/v1/*.proto
touch "$out/jdlens/v1/__init__.py"
echo "generated $(ls "$out"/jdlens/v1/*_pb2*.py* | wc -l) files in $out/jdlens/v1"
