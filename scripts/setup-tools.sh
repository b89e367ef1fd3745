#!/usr/bin/env bash
# Provisions the two Temporal servers the project runs on, into the git-ignored .tools/ folder:
#   .tools/bin/temporal              the dev server (persistent, with Web UI), built from the Go module proxy
#   .tools/bin/temporal-test-server  the time-skipping test server (Maven artifact), a wrapper that execs java
# Fast when both are already there. Fails loudly, saying what to install, when it cannot provide one.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
bin="$tools/bin"
mkdir -p "$bin"
log() { printf '[setup] %s\n' "$*" >&2; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

# --- dev server -------------------------------------------------------------------------
dev_server() {
  if [ -n "${TEMPORAL_CLI_PATH:-}" ]; then
    [ -x "$TEMPORAL_CLI_PATH" ] || die "TEMPORAL_CLI_PATH=$TEMPORAL_CLI_PATH is not an executable file"
    log "dev server: using TEMPORAL_CLI_PATH=$TEMPORAL_CLI_PATH"; return
  fi
  if [ -x "$bin/temporal" ]; then log "dev server: $bin/temporal (cached)"; return; fi
  if command -v temporal >/dev/null 2>&1; then
    ln -sf "$(command -v temporal)" "$bin/temporal"; log "dev server: using $(command -v temporal) from PATH"; return
  fi
  command -v go >/dev/null 2>&1 || die "no Temporal CLI found and no Go toolchain to build one: install Go >= 1.23 or set TEMPORAL_CLI_PATH"
  # Later tags carry a replace directive, which go install refuses; older tags are fallbacks.
  for tag in v1.5.1 v1.4.1 v1.3.0; do
    log "dev server: building github.com/temporalio/cli/cmd/temporal@$tag (a few minutes the first time)"
    if GOBIN="$bin" GOFLAGS=-mod=mod go install "github.com/temporalio/cli/cmd/temporal@$tag"; then
      log "dev server: built $tag"; return
    fi
    log "dev server: $tag failed to build, trying an older tag"
  done
  die "could not build the Temporal CLI (tried v1.5.1, v1.4.1, v1.3.0); install it yourself and set TEMPORAL_CLI_PATH"
}

# --- time-skipping test server -----------------------------------------------------------
test_server() {
  local wrapper="$bin/temporal-test-server" lib="$tools/test-server/lib"
  if [ -n "${TEMPORAL_TEST_SERVER_PATH:-}" ]; then
    [ -x "$TEMPORAL_TEST_SERVER_PATH" ] || die "TEMPORAL_TEST_SERVER_PATH=$TEMPORAL_TEST_SERVER_PATH is not an executable file"
    log "test server: using TEMPORAL_TEST_SERVER_PATH"; return
  fi
  if [ -x "$wrapper" ] && ls "$lib"/temporal-test-server-*.jar >/dev/null 2>&1; then
    log "test server: $wrapper (cached)"; return
  fi
  command -v java >/dev/null 2>&1 || die "the time-skipping test server needs Java 11+ (apt-get install openjdk-17-jre-headless)"
  command -v mvn >/dev/null 2>&1 || die "the time-skipping test server is fetched with Maven (apt-get install maven)"
  log "test server: copying io.temporal:temporal-test-server and its dependencies"
  rm -rf "$lib"; mkdir -p "$lib"
  mvn -q -B -f "$root/scripts/test-server/pom.xml" dependency:copy-dependencies -DoutputDirectory="$lib" \
    || die "Maven could not fetch io.temporal:temporal-test-server; check Maven Central access"
  # exec matters: the SDK stops the server with SIGKILL, which must reach the JVM itself.
  cat >"$wrapper" <<WRAP
#!/bin/sh
exec java -Xss4m -cp '$lib/*' io.temporal.testserver.TestServer "\$@"
WRAP
  chmod +x "$wrapper"
}

dev_server
test_server
# Debian packages the tests use: chromium (the Web UI browser test) and docker-compose (validates
# docker-compose.yml without an engine). Installed when missing and we may; otherwise say what to install.
system_packages() {
  local missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
  [ ${#missing[@]} -eq 0 ] && { log "system packages: chromium, docker-compose (present)"; return; }
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing ${missing[*]} with apt-get"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
      || die "apt-get could not install ${missing[*]}"
  else
    die "the tests need ${missing[*]}: install them (Debian: sudo apt-get install ${missing[*]})"
  fi
}

if [ "${1:-}" = "--with-test-tools" ]; then
  # The tests' independent AWS emulator (moto, from PyPI, in a virtualenv under .tools/moto).
  bash "$root/scripts/setup-moto.sh"
  system_packages
  command -v gcloud >/dev/null 2>&1 || die "the GCP tests need gcloud with the Pub/Sub emulator component"
fi
