#!/usr/bin/env bash
# Soak: a looping live RTSP source (vtest.avi pushed into Debian's rtsp-server-perl relay) through the whole people
# pipeline for N minutes, the relay killed every K minutes and started again. Prints StreamSeg's stats every minute
# (managed heap, RSS, reconnects) and ends with the reconnect count, time-to-recover and RSS growth from minute 2.
# Time to recover is measured from the stream's return (the relay answers DESCRIBE with 200 again, polled every
# 50 ms) to the capture time of the first frame line after it in the metadata; the source's own account (away and
# reopen, from its health records) is printed beside it.
# Usage: scripts/soak.sh [minutes=30] [kill-every-minutes=3] [outage-seconds=8]     (run.sh soak does the set-up first)
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES=${1:-30}
KILL_EVERY=${2:-3}
OUTAGE=${3:-8}
CONFIG=${STREAMSEG_CONFIGURATION:-Release}
VIDEO=/usr/share/doc/opencv-doc/examples/data/vtest.avi
WORK=$(mktemp -d /tmp/streamseg-soak.XXXXXX)
CLIENT_PORT=$((20000 + RANDOM % 10000)); SOURCE_PORT=$((CLIENT_PORT + 1)); RTP_PORT=$((40000 + RANDOM % 10000))
RELAY=""; PUSHER=""; APP=""

start_stream() {
  rtsp-server-perl -c "$CLIENT_PORT" -s "$SOURCE_PORT" --client_listen_address 127.0.0.1 --source_listen_address 127.0.0.1 \
    --rtp_start_port "$RTP_PORT" >/dev/null 2>&1 &
  RELAY=$!
  # Perl and Moose start slowly on a loaded machine: wait for the publishers' port (up to 20 s), not a fixed second.
  for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$SOURCE_PORT") 2>/dev/null && break; sleep 0.1; done
  ffmpeg -v error -re -stream_loop -1 -i "$VIDEO" -c:v libx264 -preset ultrafast -tune zerolatency -g 10 \
    -f rtsp -rtsp_transport udp "rtsp://127.0.0.1:$SOURCE_PORT/live" >/dev/null 2>&1 &
  PUSHER=$!
}

# Whether the relay serves /live to viewers (one DESCRIBE over bash's /dev/tcp; 200 once the publisher is back).
serving() {
  local line=""
  { exec 3<>"/dev/tcp/127.0.0.1/$CLIENT_PORT"; } 2>/dev/null || return 1
  printf 'DESCRIBE rtsp://127.0.0.1:%s/live RTSP/1.0\r\nCSeq: 1\r\n\r\n' "$CLIENT_PORT" >&3
  read -r -t 2 line <&3 || true
  exec 3>&- 3<&-
  [[ "$line" == "RTSP/1.0 200"* ]]
}

stop_stream() {
  kill "$PUSHER" "$RELAY" 2>/dev/null || true
  wait "$PUSHER" "$RELAY" 2>/dev/null || true
}

cleanup() {
  stop_stream
  [ -n "$APP" ] && kill -TERM "$APP" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

start_stream
sleep 2
# The default transport (auto): this relay refuses TCP, so the run finds UDP by itself.
dotnet "src/StreamSeg.Cli/bin/$CONFIG/net10.0/StreamSeg.Cli.dll" run --source "rtsp://127.0.0.1:$CLIENT_PORT/live" \
  --stall-timeout 3 --report-every 60 --out "$WORK/soak.mp4" --meta "$WORK/soak.ndjson" 2> >(tee "$WORK/log" >&2) &
APP=$!

end=$((SECONDS + MINUTES * 60))
next_kill=$((SECONDS + KILL_EVERY * 60))
while [ $SECONDS -lt $end ]; do
  sleep 5
  if [ $SECONDS -ge $next_kill ] && [ $((end - SECONDS)) -gt 60 ]; then
    echo "soak: killing the relay at minute $((SECONDS / 60))" >&2
    stop_stream
    sleep "$OUTAGE"
    start_stream
    for _ in $(seq 600); do serving && break; sleep 0.05; done
    date -u +%s.%N >> "$WORK/returns"
    next_kill=$((SECONDS + KILL_EVERY * 60))
  fi
done

kill -TERM "$APP"; wait "$APP" || true; APP=""
echo "---- soak summary (${MINUTES} min, relay killed every ${KILL_EVERY} min) ----"
grep -E "stats: " "$WORK/log" | sed 's/.*stats: //' | awk '{print "  " $0}'
rss2=$(grep -E "stats: " "$WORK/log" | sed -n 2p | sed -E 's/.*rss_mib=([0-9.]+).*/\1/')
rssN=$(grep -E "stats: " "$WORK/log" | tail -1 | sed -E 's/.*rss_mib=([0-9.]+).*/\1/')
echo "  reconnects: $(grep -c 'live again after' "$WORK/log" || true)"
echo "  offline (s), kill to live: $(grep -oE 'live again after [0-9.]+' "$WORK/log" | awk '{print $4}' | paste -sd' ' -)"
echo "  away / reopen (s), the source's account: $(grep -oE 'away [0-9.]+ s, reopen [0-9.]+' "$WORK/log" | awk '{print $2 "/" $5}' | paste -sd' ' -)"
if [ -f "$WORK/returns" ]; then
  echo "  stream's return to first frame out (s): $(python3 - "$WORK/returns" "$WORK/soak.ndjson" <<'PY'
import json, sys
from datetime import datetime
returns = [float(l) for l in open(sys.argv[1]) if l.strip()]
frames = []
for line in open(sys.argv[2]):
    try:
        r = json.loads(line)
    except ValueError:
        continue
    if r.get("schema") == "streamseg.frame/1" and r.get("capture_time"):
        frames.append(datetime.fromisoformat(r["capture_time"].replace("Z", "+00:00")).timestamp())
out = []
for t in returns:
    after = [f for f in frames if f >= t]
    out.append(f"{min(after) - t:.2f}" if after else "none")
print(" ".join(out))
PY
)"
fi
if [ -n "$rss2" ] && [ -n "$rssN" ]; then
  awk -v a="$rss2" -v b="$rssN" 'BEGIN { printf "  RSS minute 2: %.1f MiB, end: %.1f MiB, growth: %+.1f %%\n", a, b, (b - a) * 100 / a }'
fi
