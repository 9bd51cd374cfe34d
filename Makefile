# itcare — build, test and demo. `make demo` and `make test` are all a new
# machine needs: Go modules come from the module proxy, nothing else is required.

GO       ?= go
BIN      := bin/itcare
PKG      := github.com/itcare-cli/itcare
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT   ?= $(shell git rev-parse HEAD 2>/dev/null)
DATE     ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS  := -s -w -X $(PKG)/internal/build.Version=$(VERSION) -X $(PKG)/internal/build.Commit=$(COMMIT) -X $(PKG)/internal/build.Date=$(DATE)
FUZZTIME ?= 3s

.PHONY: all build test unit test-deps fuzz lint demo clean keyring-test keyring-deps

all: build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) .

## test: every test (vet, formatting, unit and end-to-end against the sandbox, short fuzzing, interop)
test: lint unit fuzz interop

unit: test-deps
	$(GO) test -count=1 ./...

# Shells the person-like tests type TAB into (bash with bash-completion, zsh,
# fish), installed from Debian's packages when missing.
TEST_DEBS := bash-completion zsh fish
test-deps:
	@missing=""; \
	[ -r /usr/share/bash-completion/bash_completion ] || missing="$$missing bash-completion"; \
	command -v zsh >/dev/null || missing="$$missing zsh"; \
	command -v fish >/dev/null || missing="$$missing fish"; \
	if [ -n "$$missing" ]; then \
		echo "installing$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

# The real-keyring tests are part of `make test`.
test: keyring-test

## keyring-test: the itcare binary against a real Secret Service (gnome-keyring on a private D-Bus session; Linux only)
keyring-test: keyring-deps build
	./scripts/keyring-test.sh $(BIN)

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

# Each fuzz target runs briefly; `make fuzz FUZZTIME=5m` searches longer.
fuzz:
	FUZZTIME=$(FUZZTIME) ./scripts/fuzz.sh

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	@$(GO) mod tidy -diff >/dev/null 2>&1 || { echo "go.mod/go.sum are not tidy: run 'go mod tidy'"; $(GO) mod tidy -diff; exit 1; }

## demo: build itcare, start the sandbox, and tour the main commands
demo: build
	./scripts/demo.sh $(BIN)

clean:
	rm -rf bin dist interop/.bin

# --- completion, docs and releases --------------------------------------------
GORELEASER_VERSION ?= v2.16.0
GORELEASER         := bin/tools/$(GORELEASER_VERSION)/goreleaser

.PHONY: completions docs snapshot release-check

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

# goreleaser, pinned, from the Go module proxy into bin/tools (a few minutes, once).
$(GORELEASER):
	GOBIN=$(CURDIR)/bin/tools/$(GORELEASER_VERSION) $(GO) install github.com/goreleaser/goreleaser/v2@$(GORELEASER_VERSION)

# --- benchmarks (not part of `make test`) --------------------------------------
.PHONY: bench

## bench: build the release binary, start a sandbox, print medians against hello-world and curl (docs/benchmarks.md)
bench:
	GO='$(GO)' LDFLAGS='$(LDFLAGS)' ./scripts/bench.sh

# --- interop tests (part of `make test`) ---------------------------------------
OAUTH2_PROXY_VERSION ?= v7.15.6

.PHONY: interop

## interop: the itcare binary against third-party servers (oauth2-mock-server, oidc-provider, Prism, oauth2-proxy); installs them, pinned, on first use (npm ci into interop/node_modules, go install into bin/tools)
interop:
	GO='$(GO)' OAUTH2_PROXY_VERSION=$(OAUTH2_PROXY_VERSION) ./interop/run.sh
