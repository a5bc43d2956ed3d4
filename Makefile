# Guardian — the two commands that matter are `make run` and `make test` (see README.md).
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
CARGO ?= cargo
KEYRING := scripts/with-keyring
XVFB := xvfb-run -a -s "-screen 0 1280x800x24"

.PHONY: audit fuzz run test test-core setup-run setup-test ui check rust-test ui-test desktop e2e bindings screenshot screenshots clean contract bench package bench-desktop size-profile

## Run the desktop app on the embedded demo family (GUARDIAN_PROVIDER_URL=… chooses a real provider;
## an installed Guardian asks on its first screen).
run: setup-run ui
	GUARDIAN_PROVIDER=demo $(CARGO) run -p guardian-desktop

## Everything CI runs: formatting, lints, every Rust test, the UI tests and the desktop end-to-end tests.
test: setup-test ui check audit rust-test ui-test contract e2e package
	@echo "All checks passed."

## Rust and UI tests without the desktop end-to-end suite (e.g. on macOS or Windows).
test-core: setup-run ui rust-test ui-test

setup-run:
	@scripts/setup run

setup-test:
	@scripts/setup test

ui:
	@echo "==> Building the UI"
	npm --prefix ui run build

check:
	@echo "==> cargo fmt --check"
	$(CARGO) fmt --all --check
	@echo "==> clippy (all crates, all targets, warnings are errors)"
	$(CARGO) clippy --workspace --exclude guardian-bench-minimal --all-targets --locked -- -D warnings
	@echo "==> clippy: the shells without the embedded demo (--no-default-features)"
	$(CARGO) clippy -p guardian-cli -p guardian-desktop --no-default-features --locked -- -D warnings
	@scripts/check-vocabulary
	@echo "==> svelte-check"
	npm --prefix ui run check

## The dependency audit: cargo-deny (RustSec advisories from ../shared/advisory-db, offline;
## licences; duplicate and banned crates; sources) and npm's audit where the registry answers it.
audit:
	@echo "==> Dependency audit"
	scripts/audit

rust-test:
	@echo "==> Rust tests (real keyring in a private D-Bus session)"
	$(KEYRING) $(CARGO) test --workspace --locked --exclude guardian-desktop --exclude guardian-bench-minimal
	$(CARGO) test -p guardian-desktop --lib --locked

ui-test:
	@echo "==> UI unit tests"
	npm --prefix ui test

## The real desktop binary under Xvfb, driven through tauri-driver + WebKitWebDriver.
e2e:
	@echo "==> Desktop end-to-end tests (Xvfb + WebDriver + keyring)"
	$(XVFB) $(KEYRING) $(CARGO) test -p guardian-desktop --test desktop_e2e --locked -- --test-threads=1

## The provider contract: Schemathesis (in target/contract-venv) against a live sandbox and api/openapi.yaml.
contract:
	@echo "==> Contract test (Schemathesis against the sandbox)"
	CARGO="$(CARGO)" scripts/contract-test

## The Linux package: build the .deb (Tauri bundler, release profile), install it, launch it, remove it.
package:
	@echo "==> Package (.deb): build, install, launch"
	scripts/package

## Regenerate ui/src/bindings.ts from the Rust commands.
bindings:
	UPDATE_BINDINGS=1 $(CARGO) test -p guardian-desktop --lib typescript_bindings_are_up_to_date

## Benchmarks (each against a baseline measured in the same run); rewrites docs/PERFORMANCE.md.
bench:
	$(CARGO) bench -p guardian-core --bench sync
	$(CARGO) bench -p guardian-core --bench export

## Coverage-guided fuzzing (cargo-fuzz, nightly) of the response decoding, archive reader and flow parser; FUZZ_SECONDS per target.
fuzz:
	scripts/fuzz

## Desktop benchmarks against an empty Tauri app (cold start, idle memory, binary size); rewrites
## the desktop section of docs/PERFORMANCE.md.
bench-desktop: ui
	$(CARGO) build --release --locked -p guardian-desktop -p guardian-bench-minimal
	$(XVFB) $(KEYRING) $(CARGO) bench --locked -p guardian-desktop --bench desktop

## What the release binary is made of, crate by crate (cargo-bloat on an unstripped build in its
## own target folder, so the stripped one the benchmark measures is left as it is).
size-profile: ui
	command -v cargo-bloat >/dev/null || $(CARGO) install --locked cargo-bloat
	CARGO_TARGET_DIR=target/size-profile CARGO_PROFILE_RELEASE_STRIP=false \
	  $(CARGO) bloat --release --locked -p guardian-desktop --bin guardian-desktop --crates -n 25

## Screenshots of the screens the end-to-end tests visit, into docs/screenshots/.
screenshots: ui
	GUARDIAN_SCREENSHOTS=$(CURDIR)/docs/screenshots $(XVFB) $(KEYRING) $(CARGO) test -p guardian-desktop --test desktop_e2e -- --test-threads=1

## Screenshot of the running app on the demo provider into docs/screenshot.png.
screenshot: ui
	$(CARGO) build -p guardian-desktop
	GUARDIAN_PROVIDER=demo $(KEYRING) ../shared/tools/screenshot docs/screenshot.png 12 -- target/debug/guardian-desktop

clean:
	$(CARGO) clean
	rm -rf ui/dist ui/node_modules
