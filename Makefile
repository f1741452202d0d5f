# Developer shortcuts for parts of what CI runs (all of it: `make check`, which .ci/run runs too).
# Run them with .venv activated (tools/check.sh creates it).
.PHONY: protos lint test check-protos check

protos:  ## regenerate client/jdlens/v1 from protos/ (pinned grpcio-tools + mypy-protobuf)
	bash tools/gen_protos.sh

check-protos: protos  ## fail when the committed stubs differ from what the protos generate
	git diff --exit-code -- client/jdlens/v1 && test -z "$$(git status --porcelain -- client/jdlens/v1)"

lint:
	npx buf lint && npx buf format --diff --exit-code
	ruff check .
	ruff format --check .
	mypy

test:
	pytest -q

check:  ## everything CI runs (the README test command): set-up if missing, lint, drift, mypy, tests
	bash tools/check.sh
