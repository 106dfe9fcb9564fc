#!/bin/sh
# What the test suite needs beyond Python packages, installed only when missing:
# - Debian's Chromium for the browser tests (Playwright cannot download its own browser here);
# - Java and Node.js with npm, to run and fetch the checkers;
# - the Nu Html Checker (vnu.jar) and axe-core, from npm, into tests/.tools/ (git-ignored).
set -e
cd "$(dirname "$0")"
if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
missing=
command -v chromium >/dev/null || missing="$missing chromium"
command -v java >/dev/null || missing="$missing default-jre-headless"
command -v npm >/dev/null || missing="$missing nodejs npm"
if [ -n "$missing" ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi
VNU=vnu-jar@26.9.27
AXE=axe-core@4.14.1
if [ ! -f .tools/node_modules/vnu-jar/build/dist/vnu.jar ] || [ ! -f .tools/node_modules/axe-core/axe.min.js ]; then
  mkdir -p .tools
  npm install --prefix .tools --no-save --no-audit --no-fund --loglevel=error "$VNU" "$AXE"
fi
