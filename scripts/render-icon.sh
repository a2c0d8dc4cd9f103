#!/bin/sh
# Renders media/icon.svg to media/icon.png (256x256, transparent corners) for the Marketplace, which takes no
# SVG icons. Uses headless Chromium with a throwaway HOME.
set -e
cd "$(dirname "$0")/.."
home=$(mktemp -d)
HOME=$home chromium --headless --no-sandbox --disable-gpu --default-background-color=00000000 --hide-scrollbars \
  --window-size=256,256 --screenshot=media/icon.png media/icon.svg 2>/dev/null
rm -rf "$home"
