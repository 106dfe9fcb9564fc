#!/bin/sh
# The browser tests drive Debian's Chromium; Playwright cannot download its own browser here.
set -e
if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
