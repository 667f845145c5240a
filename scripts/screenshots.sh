#!/usr/bin/env sh
# Renders the README's pictures (assets/*.svg) from the real drawing code: a fresh demo
# database, the app driven as keys drive it, each screen drawn on ratatui's TestBackend and
# written as SVG by examples/screenshots.rs. Run from anywhere; rewrites assets/.
set -eu
cd "$(dirname "$0")/.."
cargo run --quiet --example screenshots -- assets
