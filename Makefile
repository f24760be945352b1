# Stepwise — the two commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := run
PRESET ?= release

.PHONY: run test cluster-test build deps npm-deps server server-asan web bench fuzz lint format clean

deps:
	@scripts/install-deps.sh run

npm-deps: deps
	@scripts/npm-deps.sh

server: deps npm-deps
	@scripts/build-server.sh $(PRESET)

server-asan: deps
	@scripts/build-server.sh asan

web: npm-deps
	@npm run build --workspaces --if-present --silent

build: server web

run: build
	@scripts/run.sh

test:
	@scripts/test.sh

# HAProxy, 2 serve + 2 worker nodes, PostgreSQL, Redis, s3rver under load and restarts (deploy/cluster).
cluster-test:
	@deploy/cluster/run.sh

bench:
	@scripts/bench.sh

fuzz:
	@scripts/fuzz.sh

lint:
	@scripts/lint.sh
	@npm run lint --silent --workspaces --if-present

format:
	@scripts/lint.sh --fix

clean:
	rm -rf build
