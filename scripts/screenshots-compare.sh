#!/usr/bin/env bash
# Regenerates screenshots/compare.png: the compare view of `slimtui diff` on the bundled demo image (A) and its
# "1.5" (B, made by scripts/make-diff-demo.mjs: a pip install, a deleted file, an edited config), in tmux at 120x36,
# captured with colours and drawn by scripts/ansi-to-svg.mjs and rsvg-convert (as scripts/screenshots.sh does).
# Needs: tmux, rsvg-convert (librsvg2-bin), fonts-dejavu-core, and `npm run build` done.
set -euo pipefail
cd "$(dirname "$0")/.."
out=screenshots
mkdir -p "$out"
tmp="$(mktemp -d)"
sock="$tmp/tmux.sock"
trap 'tmux -S "$sock" kill-server 2>/dev/null || true; rm -rf "$tmp"' EXIT
node scripts/make-diff-demo.mjs "$tmp/demo-1.5.tar"
tmux -S "$sock" new-session -d -x 120 -y 36 -s shots "env CI=false TERM=xterm-256color FORCE_COLOR=1 node bin/slimtui diff --tui demo/demo-image.tar $tmp/demo-1.5.tar"
wait_for() { # text
  for _ in $(seq 1 300); do
    if tmux -S "$sock" capture-pane -p -t shots | grep -qF -- "$1"; then return 0; fi
    sleep 0.05
  done
  echo "screenshots-compare: timed out waiting for: $1" >&2
  tmux -S "$sock" capture-pane -p -t shots >&2
  exit 1
}
wait_for "Differences ·"
# Down to the config file the layer rewrote, after the grown package tree.
tmux -S "$sock" send-keys -t shots /
wait_for "Search:"
tmux -S "$sock" send-keys -t shots -l "config.yaml"
wait_for "match"
tmux -S "$sock" send-keys -t shots Enter
wait_for "caused by B"
tmux -S "$sock" send-keys -t shots k k k
sleep 0.4
tmux -S "$sock" capture-pane -e -p -t shots > "$tmp/compare.ansi"
node scripts/ansi-to-svg.mjs "$tmp/compare.ansi" "$tmp/compare.svg" 120 36
rsvg-convert -o "$out/compare.png" "$tmp/compare.svg"
echo "wrote $out/compare.png"
tmux -S "$sock" send-keys -t shots q
