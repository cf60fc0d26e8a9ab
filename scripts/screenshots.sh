#!/usr/bin/env bash
# Regenerates screenshots/{main,search,wasted,help,findings,plan}.png from the real explorer running in a real terminal:
# tmux at 120x36 on the bundled demo image, `tmux capture-pane -e -p` (ANSI colours), then
# scripts/ansi-to-svg.mjs and rsvg-convert (Debian package librsvg2-bin) to PNG. Needs: tmux, rsvg-convert,
# the DejaVu Sans Mono font (fonts-dejavu-core), and `npm run build` done.
set -euo pipefail
cd "$(dirname "$0")/.."
out=screenshots
mkdir -p "$out"
tmp="$(mktemp -d)"
# A private tmux socket in the temp dir (-S), removed with it: nothing left in /tmp/tmux-UID.
sock="$tmp/tmux.sock"
trap 'tmux -S "$sock" kill-server 2>/dev/null || true; rm -rf "$tmp"' EXIT

tmux -S "$sock" new-session -d -x 120 -y 36 -s shots "env CI=false TERM=xterm-256color FORCE_COLOR=1 node bin/slimtui --tui demo/demo-image.tar"
wait_for() { # text
  for _ in $(seq 1 200); do
    if tmux -S "$sock" capture-pane -p -t shots | grep -qF -- "$1"; then return 0; fi
    sleep 0.05
  done
  echo "screenshots: timed out waiting for: $1" >&2
  tmux -S "$sock" capture-pane -p -t shots >&2
  exit 1
}
shot() { # name
  sleep 0.3
  tmux -S "$sock" capture-pane -e -p -t shots > "$tmp/$1.ansi"
  node scripts/ansi-to-svg.mjs "$tmp/$1.ansi" "$tmp/$1.svg" 120 36
  rsvg-convert -o "$out/$1.png" "$tmp/$1.svg"
  echo "wrote $out/$1.png"
}

wait_for "Files · layer"
tmux -S "$sock" send-keys -t shots j j
shot main
tmux -S "$sock" send-keys -t shots /
wait_for "Search:"
tmux -S "$sock" send-keys -t shots -l "libc"
wait_for "match"
shot search
tmux -S "$sock" send-keys -t shots Escape
sleep 0.1
tmux -S "$sock" send-keys -t shots w s
wait_for "wasted only"
shot wasted
tmux -S "$sock" send-keys -t shots w '?'
wait_for "Esc or ? closes"
shot help
tmux -S "$sock" send-keys -t shots Escape
sleep 0.2
# The findings view (F): legacy-tool, a glibc binary in the musl image, will not start.
tmux -S "$sock" send-keys -t shots F
wait_for "Findings ("
shot findings
tmux -S "$sock" send-keys -t shots Escape
sleep 0.2
# The plan view (v): the deleted-files and C-headers classes (W, x), legacy-tool removed (x), demo-app stripped (S).
tmux -S "$sock" send-keys -t shots W
wait_for "deleted: deleted in a later layer"
tmux -S "$sock" send-keys -t shots x j x
wait_for "remove class headers"
tmux -S "$sock" send-keys -t shots Escape
sleep 0.2
tmux -S "$sock" send-keys -t shots /
wait_for "Search:"
tmux -S "$sock" send-keys -t shots -l "legacy-tool"
wait_for "match"
tmux -S "$sock" send-keys -t shots Enter
sleep 0.2
tmux -S "$sock" send-keys -t shots x k k S
wait_for "plan: "
sleep 0.3
tmux -S "$sock" send-keys -t shots v
wait_for "Plan ·"
shot plan
tmux -S "$sock" send-keys -t shots Escape
sleep 0.2
tmux -S "$sock" send-keys -t shots q
