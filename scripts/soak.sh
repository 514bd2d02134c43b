#!/usr/bin/env bash
# Soak: a looping live RTSP source (vtest.avi pushed into Debian's rtsp-server-perl relay) through the whole people
# pipeline for N minutes, the relay killed every K minutes and started again. Prints StreamSeg's stats every minute
# (managed heap, RSS, reconnects) and ends with the reconnect count, time-to-recover and RSS growth from minute 2.
# Usage: scripts/soak.sh [minutes=30] [kill-every-minutes=3]     (run.sh soak does the set-up first)
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES=${1:-30}
KILL_EVERY=${2:-3}
CONFIG=${STREAMSEG_CONFIGURATION:-Release}
VIDEO=/usr/share/doc/opencv-doc/examples/data/vtest.avi
WORK=$(mktemp -d /tmp/streamseg-soak.XXXXXX)
CLIENT_PORT=$((20000 + RANDOM % 10000)); SOURCE_PORT=$((CLIENT_PORT + 1)); RTP_PORT=$((40000 + RANDOM % 10000))
RELAY=""; PUSHER=""; APP=""

start_stream() {
  rtsp-server-perl -c "$CLIENT_PORT" -s "$SOURCE_PORT" --client_listen_address 127.0.0.1 --source_listen_address 127.0.0.1 \
    --rtp_start_port "$RTP_PORT" >/dev/null 2>&1 &
  RELAY=$!
  sleep 1
  ffmpeg -v error -re -stream_loop -1 -i "$VIDEO" -c:v libx264 -preset ultrafast -tune zerolatency -g 10 \
    -f rtsp -rtsp_transport udp "rtsp://127.0.0.1:$SOURCE_PORT/live" >/dev/null 2>&1 &
  PUSHER=$!
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
dotnet "src/StreamSeg.Cli/bin/$CONFIG/net10.0/StreamSeg.Cli.dll" run --source "rtsp://127.0.0.1:$CLIENT_PORT/live" --rtsp-transport udp \
  --stall-timeout 3 --report-every 60 --out "$WORK/soak.mp4" --meta "$WORK/soak.ndjson" 2> >(tee "$WORK/log" >&2) &
APP=$!

end=$((SECONDS + MINUTES * 60))
next_kill=$((SECONDS + KILL_EVERY * 60))
while [ $SECONDS -lt $end ]; do
  sleep 5
  if [ $SECONDS -ge $next_kill ] && [ $((end - SECONDS)) -gt 60 ]; then
    echo "soak: killing the relay at minute $((SECONDS / 60))" >&2
    stop_stream
    sleep 8
    start_stream
    next_kill=$((SECONDS + KILL_EVERY * 60))
  fi
done

kill -TERM "$APP"; wait "$APP" || true; APP=""
echo "---- soak summary (${MINUTES} min, relay killed every ${KILL_EVERY} min) ----"
grep -E "stats: " "$WORK/log" | sed 's/.*stats: //' | awk '{print "  " $0}'
rss2=$(grep -E "stats: " "$WORK/log" | sed -n 2p | sed -E 's/.*rss_mib=([0-9.]+).*/\1/')
rssN=$(grep -E "stats: " "$WORK/log" | tail -1 | sed -E 's/.*rss_mib=([0-9.]+).*/\1/')
echo "  reconnects: $(grep -c 'live again after' "$WORK/log" || true)"
echo "  time to recover (s): $(grep -oE 'live again after [0-9.]+' "$WORK/log" | awk '{print $4}' | paste -sd' ' -)"
if [ -n "$rss2" ] && [ -n "$rssN" ]; then
  awk -v a="$rss2" -v b="$rssN" 'BEGIN { printf "  RSS minute 2: %.1f MiB, end: %.1f MiB, growth: %+.1f %%\n", a, b, (b - a) * 100 / a }'
fi
