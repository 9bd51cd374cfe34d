# itcare — build, test and demo. `make demo` needs Go and make only.
# `make test` also needs bash 4.1+ with bash-completion, zsh and fish (installed
# by `make test-deps` with apt-get or Homebrew where they are missing) and
# Node.js 20+ with npm (checked, not installed). Go tools (goreleaser,
# actionlint, oauth2-proxy) are installed, pinned, from the Go module proxy
# into bin/tools on first use; `make clean` keeps them, `make distclean` not.

GO       ?= go
BIN      := bin/itcare
PKG      := github.com/itcare-cli/itcare
TOOLS    := bin/tools
# One version format everywhere (make build, go install, goreleaser):
# 0.1.0 on a tag, 0.1.1-dev+5579b16 between tags; see scripts/version.sh.
VERSION  ?= $(shell ./scripts/version.sh)
COMMIT   ?= $(shell git rev-parse HEAD 2>/dev/null)
DATE     ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS  := -s -w -X $(PKG)/internal/build.Version=$(VERSION) -X $(PKG)/internal/build.Commit=$(COMMIT) -X $(PKG)/internal/build.Date=$(DATE)
FUZZTIME ?= 3s

# actionlint, pinned, from the Go module proxy into bin/tools (about 30 seconds, once).
ACTIONLINT_VERSION ?= v1.7.12
ACTIONLINT         := $(TOOLS)/actionlint-$(ACTIONLINT_VERSION)/actionlint

.PHONY: all build test unit test-deps fuzz lint demo clean distclean keyring-test keyring-deps

all: build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) .

# --- tests ---------------------------------------------------------------------
# `make test` runs every stage of TEST_STAGES, all of them even when one fails,
# shows only what failed, records each stage's results in $(RESULTS)/STAGE.json
# (go test -json events, through $(TESTSUM)) and ends with the one line CI
# reads: "N passed, M failed" (", K skipped" when some were). It exits non-zero
# when anything failed. A new stage: a target that records through $(TESTSUM)
# into $(RESULTS)/<stage>.json, added to TEST_STAGES.
RESULTS     := bin/test-results
TESTSUM     := bin/testsum
TEST_STAGES := lint unit keyring-test fuzz interop

## test: every test (gofmt, vet, actionlint; unit, end-to-end, pseudo-terminal; short fuzzing; interop), then one summary line
test: $(TESTSUM)
	@rm -rf $(RESULTS)
	@rc=0; $(MAKE) --no-print-directory -k $(TEST_STAGES) || rc=$$?; \
	$(TESTSUM) -summary $(RESULTS) -exit $$rc

$(TESTSUM): $(wildcard internal/testsum/*.go internal/testsum/cmd/testsum/*.go)
	@$(GO) build -o $@ ./internal/testsum/cmd/testsum

## unit: the Go tests of ./... (unit, end-to-end against the sandbox, pseudo-terminal and shells)
unit: test-deps $(TESTSUM)
	@rm -f $(RESULTS)/unit.json
	@echo "unit: go test ./..."
	@$(TESTSUM) -o $(RESULTS)/unit.json -- $(GO) test -json -count=1 ./...

## test-deps: check (and where apt-get or brew can, install) what the tests need besides Go
test-deps:
	@./scripts/test-deps.sh

## keyring-test: the itcare binary against a real Secret Service (gnome-keyring on a private D-Bus session; Linux only)
keyring-test: keyring-deps build $(TESTSUM)
	@rm -f $(RESULTS)/keyring.json
	@echo "keyring: the itcare binary against a real Secret Service"
	@$(TESTSUM) -o $(RESULTS)/keyring.json -pkg keyring -check "real Secret Service" -- ./scripts/keyring-test.sh $(BIN)

# What keyring-test needs, installed from Debian's packages when missing
# (Linux only: elsewhere the script says it is skipped).
KEYRING_DEBS := dbus-daemon dbus-bin gnome-keyring libsecret-tools
keyring-deps:
	@[ "$$(uname -s)" = Linux ] || exit 0; \
	missing=""; \
	command -v dbus-run-session >/dev/null || missing="$$missing dbus-daemon"; \
	command -v dbus-send >/dev/null || missing="$$missing dbus-bin"; \
	command -v gnome-keyring-daemon >/dev/null || missing="$$missing gnome-keyring"; \
	command -v secret-tool >/dev/null || missing="$$missing libsecret-tools"; \
	if [ -n "$$missing" ]; then \
		command -v apt-get >/dev/null || { echo "keyring-test needs:$$missing (Debian package names); install them and run again" >&2; exit 1; }; \
		echo "installing$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

## fuzz: each fuzz target briefly; `make fuzz FUZZTIME=5m` searches longer
fuzz: $(TESTSUM)
	@rm -f $(RESULTS)/fuzz.json
	@echo "fuzz: each target for $(FUZZTIME)"
	@GO='$(GO)' FUZZTIME=$(FUZZTIME) TESTSUM=$(TESTSUM) RESULTS=$(RESULTS) ./scripts/fuzz.sh

## lint: gofmt, go vet, go mod tidy and actionlint (the GitHub workflows)
lint: $(TESTSUM) $(ACTIONLINT)
	@rm -f $(RESULTS)/lint.json
	@echo "lint: gofmt, go vet, go mod tidy, actionlint"
	@rc=0; \
	$(TESTSUM) -o $(RESULTS)/lint.json -pkg lint -check gofmt -- ./scripts/gofmt-check.sh || rc=1; \
	$(TESTSUM) -o $(RESULTS)/lint.json -pkg lint -check "go vet" -- $(GO) vet ./... || rc=1; \
	$(TESTSUM) -o $(RESULTS)/lint.json -pkg lint -check "go mod tidy" -- $(GO) mod tidy -diff || rc=1; \
	$(TESTSUM) -o $(RESULTS)/lint.json -pkg lint -check actionlint -- $(ACTIONLINT) -no-color || rc=1; \
	exit $$rc

## demo: build itcare, start the sandbox, and tour the main commands
demo: build
	./scripts/demo.sh $(BIN)

## clean: remove what builds and tests write (bin/tools, the pinned tools, stays)
clean:
	@find bin -mindepth 1 -maxdepth 1 ! -name tools -exec rm -rf {} + 2>/dev/null || true
	rm -rf dist interop/.bin

## distclean: clean, and remove the installed tools and the interop tests' npm packages
distclean: clean
	rm -rf bin interop/node_modules

$(ACTIONLINT):
	@echo "installing actionlint $(ACTIONLINT_VERSION), about 30 seconds, once"
	@GOBIN=$(CURDIR)/$(dir $@) $(GO) install github.com/rhysd/actionlint/cmd/actionlint@$(ACTIONLINT_VERSION)

# --- completion, docs and releases --------------------------------------------
GORELEASER_VERSION ?= v2.16.0
GORELEASER         := $(TOOLS)/goreleaser-$(GORELEASER_VERSION)/goreleaser

.PHONY: completions docs snapshot release-check release

## completions: regenerate the shell completion scripts in completions/
completions:
	$(GO) run ./internal/gendocs/cmd/gendocs completions

## docs: regenerate the man pages (docs/man/) and the Markdown reference (docs/reference/)
docs:
	$(GO) run ./internal/gendocs/cmd/gendocs docs

## snapshot: local release into dist/ (archives, checksums, Homebrew cask, deb, rpm), checked, nothing published
snapshot: $(GORELEASER)
	./scripts/release-snapshot.sh $(GORELEASER)

## release-check: validate .goreleaser.yaml
release-check: $(GORELEASER)
	$(GORELEASER) check

## release: publish the release of the current tag (CI does it on a v* tag: .github/workflows/release.yml)
release: $(GORELEASER)
	$(GORELEASER) release --clean

# goreleaser, pinned, from the Go module proxy into bin/tools (a few minutes, once).
$(GORELEASER):
	@echo "installing goreleaser $(GORELEASER_VERSION), about 3 minutes, once"
	GOBIN=$(CURDIR)/$(dir $@) $(GO) install github.com/goreleaser/goreleaser/v2@$(GORELEASER_VERSION)

# --- benchmarks (not part of `make test`) --------------------------------------
.PHONY: bench

## bench: build the release binary, start a sandbox, print medians against hello-world and curl (docs/benchmarks.md)
bench:
	GO='$(GO)' LDFLAGS='$(LDFLAGS)' ./scripts/bench.sh

# --- interop tests (part of `make test`) ---------------------------------------
OAUTH2_PROXY_VERSION ?= v7.15.6

.PHONY: interop

## interop: the itcare binary against third-party servers (oauth2-mock-server, oidc-provider, Prism, oauth2-proxy); installs them, pinned, on first use (npm ci into interop/node_modules, go install into bin/tools)
interop: $(TESTSUM)
	@rm -f $(RESULTS)/interop.json
	@GO='$(GO)' OAUTH2_PROXY_VERSION=$(OAUTH2_PROXY_VERSION) TESTSUM=$(TESTSUM) RESULTS=$(RESULTS) ./interop/run.sh
