#!/usr/bin/env bash
# Installs code-server (a real VS Code 1.100 server with a Node extension host) into .vscode-test/code-server/,
# outside the project's dependency tree: it is a test tool, 300 MB, and must never end up in the VSIX or in
# package-lock.json. Skips when the pinned version is already there.
#
# Offline workarounds (see ../shared/docs/real-vscode-offline.md):
# - native modules (kerberos, node-pty) build from source because prebuilt downloads fail: needs
#   build-essential, python3 and libkrb5-dev (apt, installed by .ci/run, not here);
# - as root code-server's postinstall exits unless npm_config_unsafe_perm=true; node-pty's postinstall runs
#   `npx node-gyp`, which needs npm_config_yes=true;
# - @vscode/ripgrep downloads rg from GitHub unless its cache tarball exists: we build that tarball from
#   Debian's /usr/bin/rg inside a private TMPDIR so we never touch the shared /tmp cache.
set -euo pipefail

VERSION="${CODE_SERVER_VERSION:-4.100.3}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="${CODE_SERVER_DIR:-$ROOT/.vscode-test/code-server}"
BIN="$DEST/node_modules/.bin/code-server"
PKG="$DEST/node_modules/code-server/package.json"

if [[ -x "$BIN" && -f "$PKG" ]] && [[ "$(node -p "require('$PKG').version")" == "$VERSION" ]]; then
  echo "code-server $VERSION already installed in $DEST"
  exit 0
fi

RG="$(command -v rg || true)"
if [[ -z "$RG" ]]; then
  echo "install-code-server: ripgrep not found; install it first (apt-get install ripgrep)" >&2
  exit 1
fi
if ! [[ -f /usr/include/krb5.h || -f /usr/include/krb5/krb5.h ]]; then
  echo "install-code-server: Kerberos headers missing; install libkrb5-dev (apt-get install libkrb5-dev)" >&2
  exit 1
fi

# node-gyp downloads Node's headers from nodejs.org unless told where they are: use the ones that ship with
# this Node (e.g. /usr/include/node from the nodesource package) when their version matches.
NODE_PREFIX="$(dirname "$(dirname "$(command -v node)")")"
NODEDIR=""
if [[ -f "$NODE_PREFIX/include/node/node_version.h" ]]; then
  hv="$(awk '/define NODE_(MAJOR|MINOR|PATCH)_VERSION/ {printf "%s.", $3}' "$NODE_PREFIX/include/node/node_version.h")"
  [[ "v${hv%.}" == "$(node -v)" ]] && NODEDIR="$NODE_PREFIX"
fi
if [[ -n "$NODEDIR" ]]; then
  export npm_config_nodedir="$NODEDIR"
else
  echo "install-code-server: no local Node headers for $(node -v); node-gyp will try to download them" >&2
fi
# npm's cache stays the caller's (a re-install then needs no network); everything else goes to temp dirs.
NPM_CACHE="${npm_config_cache:-$HOME/.npm}"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/code-server-install.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# @vscode/ripgrep 1.15.11 looks for this exact file in os.tmpdir() before downloading.
CACHE="$WORK/tmp/vscode-ripgrep-cache-1.15.11"
mkdir -p "$CACHE" "$WORK/stage" "$WORK/home"
tar -czf "$CACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$(dirname "$RG")" "$(basename "$RG")"

# Install into a staging folder, then move into place, so an interrupted install never looks complete.
STAGE="$WORK/stage/code-server"
mkdir -p "$STAGE"
echo '{"name":"code-server-test-install","private":true}' > "$STAGE/package.json"
echo "installing code-server@$VERSION (about 2 minutes; native modules build from source)"
start=$(date +%s)
(
  cd "$STAGE"
  TMPDIR="$WORK/tmp" \
  HOME="$WORK/home" \
  npm_config_cache="$NPM_CACHE" \
  npm_config_unsafe_perm=true \
  npm_config_yes=true \
  npm_config_update_notifier=false \
  npm_config_fund=false \
  npm_config_audit=false \
    npm install --no-save --no-package-lock "code-server@$VERSION"
)
if [[ ! -x "$STAGE/node_modules/.bin/code-server" ]]; then
  echo "install-code-server: npm finished but $STAGE/node_modules/.bin/code-server is missing" >&2
  exit 1
fi
rm -rf "$DEST"
mkdir -p "$(dirname "$DEST")"
mv "$STAGE" "$DEST"
echo "code-server $VERSION installed in $DEST in $(( $(date +%s) - start )) s"
