#!/usr/bin/env bash
# StreamSeg's GPU check: on a machine with an NVIDIA GPU, CUDA and cuDNN (TensorRT optional), unattended and in
# under 10 minutes, measures the people preset and writes one Markdown report.
#
#   scripts/gpu-check.sh [--app DIR] [--out FILE] [--source VIDEO] [--models-dir DIR] [--frames N]
#                        [--devices "tensorrt cuda"] [--uploads "uint8 float"] [--skip-tests]
#   ./run.sh gpu-check [same options]
#
# The app, in this order: --app DIR (a publish folder with StreamSeg.Cli.dll, or a self-contained one), the unpacked
# GPU bundle at /opt/ss (../shared/gpu/README.md: run through /opt/ss/run-on-gpu.sh), or a self-contained publish made
# here into .gpu/publish when the .NET SDK is present. Steps: the machine's GPU, driver, CUDA, cuDNN and TensorRT
# versions; the GPU-only tests (where the .NET SDK and the tests are here); 'models build-engine' of each preset model
# when TensorRT loads; 'streamseg bench' for each device × upload, with its N-streams table (1, 2, 4 … streams until
# the p95 passes 100 ms); the provider each model actually ran on. Each step has a time limit; a step that fails or
# times out is reported as such and the others still run.
#
# Exit: 0 the report is written (read it: a device that did not load is in it, with the reason); 3 no NVIDIA GPU here;
# 2 a bad option; 1 no app could be found or made.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
app_dir=""
out=""
source_video=""
models_dir=""
frames=200
devices="tensorrt cuda"
uploads="uint8 float"
skip_tests=0
budget_s=${STREAMSEG_GPU_CHECK_BUDGET_S:-570}
started=$(date +%s)

die() { printf 'gpu-check: error: %s\n' "$1" >&2; exit "${2:-1}"; }
log() { printf 'gpu-check: %s\n' "$*" >&2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --app) app_dir=${2:?--app needs a folder}; shift 2 ;;
    --out) out=${2:?--out needs a file}; shift 2 ;;
    --source) source_video=${2:?--source needs a video}; shift 2 ;;
    --models-dir) models_dir=${2:?--models-dir needs a folder}; shift 2 ;;
    --frames) frames=${2:?--frames needs a number}; shift 2 ;;
    --devices) devices=${2:?--devices needs a list}; shift 2 ;;
    --uploads) uploads=${2:?--uploads needs a list}; shift 2 ;;
    --skip-tests) skip_tests=1; shift ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (see --help)" 2 ;;
  esac
done
case "$frames" in ''|*[!0-9]*) die "--frames '$frames' is not a whole number" 2 ;; esac
for d in $devices; do case "$d" in tensorrt|cuda|cpu) ;; *) die "--devices: '$d' is not tensorrt, cuda or cpu" 2 ;; esac; done
for u in $uploads; do case "$u" in uint8|float) ;; *) die "--uploads: '$u' is not uint8 or float" 2 ;; esac; done

# --- is there an NVIDIA GPU? -------------------------------------------------------------------------------------
gpu_lines=""
if command -v nvidia-smi >/dev/null 2>&1; then
  gpu_lines=$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || true)
fi
if [ -z "$gpu_lines" ] && [ -d /proc/driver/nvidia/gpus ] && [ -n "$(ls -A /proc/driver/nvidia/gpus 2>/dev/null)" ]; then
  for g in /proc/driver/nvidia/gpus/*; do
    gpu_lines+="$(sed -n 's/^Model:[[:space:]]*//p' "$g/information" 2>/dev/null)"$'\n'
  done
fi
if [ -z "${gpu_lines//[[:space:]]/}" ] && [ "${STREAMSEG_GPU_CHECK_REHEARSAL:-}" != 1 ]; then
  why="nvidia-smi $(command -v nvidia-smi >/dev/null 2>&1 && echo 'lists no GPU' || echo 'is not installed')"
  [ -e /dev/nvidia0 ] || why+=", /dev/nvidia0 is absent"
  [ -d /proc/driver/nvidia ] || why+=", no NVIDIA driver is loaded (/proc/driver/nvidia is absent)"
  die "no NVIDIA GPU found ($why). This script measures StreamSeg on an NVIDIA GPU with CUDA and cuDNN; run it on such a machine (correctness is checked on the CPU by './run.sh test')." 3
fi

remaining() { echo $(( budget_s - ($(date +%s) - started) )); }
limit() { local r; r=$(remaining); [ "$r" -lt "$1" ] && echo "$r" || echo "$1"; }

# --- the app ---------------------------------------------------------------------------------------------------------
cuda_lib=$(ls -d /usr/local/cuda*/targets/x86_64-linux/lib 2>/dev/null | head -1)
if [ -n "$app_dir" ]; then
  app_dir=$(cd "$app_dir" 2>/dev/null && pwd) || die "--app: no folder '$app_dir'"
elif [ -x /opt/ss/run-on-gpu.sh ]; then
  app_dir=/opt/ss/app
elif command -v dotnet >/dev/null 2>&1 && [ -n "$(dotnet --list-sdks 2>/dev/null)" ] && [ -f "$root/src/StreamSeg.Cli/StreamSeg.Cli.csproj" ]; then
  app_dir=$root/.gpu/publish
  if [ ! -f "$app_dir/StreamSeg.Cli.dll" ] || [ -n "$(find "$root/src" -name '*.cs' -newer "$app_dir/StreamSeg.Cli.dll" -print -quit)" ]; then
    log "publishing a self-contained build into $app_dir"
    timeout "$(limit 300)" dotnet publish "$root/src/StreamSeg.Cli" -c Release -r linux-x64 --self-contained true -nologo -v quiet -o "$app_dir" >&2 \
      || die "dotnet publish failed; see above"
  fi
else
  die "no StreamSeg app: give --app DIR (a publish folder), unpack the GPU bundle to /opt/ss (../shared/gpu/README.md), or install the .NET 10 SDK here"
fi
[ -f "$app_dir/StreamSeg.Cli.dll" ] || die "no StreamSeg.Cli.dll in '$app_dir'"

# The command that runs streamseg (an array, so that 'timeout' can run it).
libs="$app_dir${cuda_lib:+:$cuda_lib}:/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
if [ "$app_dir" = /opt/ss/app ] && [ -x /opt/ss/run-on-gpu.sh ]; then
  streamseg=(/opt/ss/run-on-gpu.sh StreamSeg.Cli.dll)
elif [ -x "$app_dir/StreamSeg.Cli" ]; then
  streamseg=(env "LD_LIBRARY_PATH=$libs" "$app_dir/StreamSeg.Cli")
else
  streamseg=(env "LD_LIBRARY_PATH=$libs" dotnet "$app_dir/StreamSeg.Cli.dll")
fi

# Absolute paths only: the bundle's launcher runs from its own folder.
if [ -z "$models_dir" ]; then
  for d in "$root/models" "$app_dir/extra/models" "$app_dir/extra"; do [ -f "$d/rvm.onnx" ] && { models_dir=$d; break; }; done
fi
[ -n "$models_dir" ] && [ -f "$models_dir/rvm.onnx" ] || die "no people-preset models (rvm.onnx, movenet-multipose.onnx): give --models-dir, or pack models/ with the bundle"
models_dir=$(cd "$models_dir" && pwd)
if [ -z "$source_video" ]; then
  for v in /usr/share/doc/opencv-doc/examples/data/vtest.avi "$app_dir/extra/vtest.avi"; do [ -f "$v" ] && { source_video=$v; break; }; done
fi
[ -n "$source_video" ] && [ -f "$source_video" ] || die "no source video: give --source (vtest.avi is looked for in opencv-doc and the bundle's extra/)"
source_video=$(cd "$(dirname "$source_video")" && pwd)/$(basename "$source_video")

stamp=$(date -u +%Y%m%dT%H%M%SZ)
[ -n "$out" ] || out=$root/bench/gpu-check-$stamp.md
mkdir -p "$(dirname "$out")"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
# build-engine and bench share the default engine cache (models/cache/tensorrt under the working folder: the bundle's
# launcher runs in its app folder, a publish here runs in the repository), so the benches find the engines built first.
cd "$root"
export STREAMSEG_MODELS=$models_dir

# --- versions ----------------------------------------------------------------------------------------------------------
lib_version() {  # the version in the file name a library link resolves to: libcudnn.so.9 → 9.1.0
  local name=$1 f
  for f in $(ldconfig -p 2>/dev/null | awk -v n="$name" '$1 ~ "^"n"\\.so" {print $NF}') \
           /usr/lib/x86_64-linux-gnu/$name.so.* ${cuda_lib:+$cuda_lib/$name.so.*} /usr/local/cuda*/lib64/$name.so.*; do
    [ -e "$f" ] || continue
    basename "$(readlink -f "$f")" | sed -n "s/^$name\.so\.\([0-9.]*\).*/\1/p"
    return 0
  done
  echo "not found"
}
driver=$(printf '%s\n' "$gpu_lines" | head -1 | awk -F', ' '{print $2}')
[ -n "$driver" ] || driver=$(sed -n 's/.*Kernel Module[^0-9]*\([0-9.]*\).*/\1/p' /proc/driver/nvidia/version 2>/dev/null | head -1)
cuda_driver=$(nvidia-smi 2>/dev/null | sed -n 's/.*CUDA Version: *\([0-9.]*\).*/\1/p' | head -1)
cuda_toolkit=$(sed -n 's/.*"cuda" *: *{ *"name"[^}]*"version" *: *"\([0-9.]*\)".*/\1/p' /usr/local/cuda*/version.json 2>/dev/null | head -1)
[ -n "$cuda_toolkit" ] || cuda_toolkit=$(ls -d /usr/local/cuda-* 2>/dev/null | sed -n 's/.*cuda-//p' | head -1)

# --- report helpers --------------------------------------------------------------------------------------------------------
body=$work/body.md
: >"$body"
say() { printf '%s\n' "$*" >>"$body"; }
run_step() {  # run_step NAME SECONDS LOGFILE -- command...: runs with a time limit, returns its status (124: timed out)
  local name=$1 secs=$2 logf=$3; shift 4
  secs=$(limit "$secs")
  if [ "$secs" -le 5 ]; then log "$name: skipped, the 10-minute budget is spent"; echo "skipped: out of time" >"$logf"; return 125; fi
  log "$name (at most ${secs}s)"
  timeout --kill-after=10 "$secs" "$@" >"$logf" 2>&1
}
needs() {  # needs SONAME...: each library ONNX Runtime's GPU providers link against, found by the loader or missing
  local n out=
  for n in "$@"; do
    if ldconfig -p 2>/dev/null | grep -q "^[[:space:]]*$n "; then out+="$n found; "; else out+="$n **missing**; "; fi
  done
  printf '%s' "${out%; }"
}
input_memory_of() {  # where each model's input tensors are pooled, from a run's start-up log
  sed -n "s/.*model '\([^']*\)' (\([^)]*\)): input tensors pooled in \([A-Za-z ]*\) memory.*/\1 (\2): \3/p" "$1" | paste -sd';' -
}
providers_of() {  # the provider each model loaded on (MoveNet once per pose size), from a run's log, each model once
  sed -nE "s/.*model '([^']*)': adapter.* long side ([0-9]+) .*provider ([A-Za-z]+).*/\1 (\2) \3/p; t; s/.*model '([^']*)': adapter.*provider ([A-Za-z]+).*/\1 \2/p" "$1" |
    awk '!seen[$0]++' | while read -r p rest; do printf '%s %s; ' "$(basename "$p")" "$rest"; done | sed -E 's/ ([A-Za-z]+); /: \1; /g'
}

# --- GPU-only tests ----------------------------------------------------------------------------------------------------
say "## GPU-only tests"
if [ "$skip_tests" = 1 ]; then
  say "Not run (--skip-tests)."
elif command -v dotnet >/dev/null 2>&1 && [ -n "$(dotnet --list-sdks 2>/dev/null)" ] && [ -d "$root/tests/StreamSeg.Tests" ]; then
  classes=$(grep -rlE '\[(GpuFact|TensorRtFact)(\(available: true\))?\]' "$root/tests" --include='*.cs' | grep -v '/Support/' | xargs -r -n1 basename | sed 's/\.cs$//' | sort -u)
  filter=$(printf 'FullyQualifiedName~%s|' $classes); filter=${filter%|}
  run_step "GPU-only tests ($(echo $classes | wc -w) classes)" 240 "$work/tests.log" -- \
    dotnet test "$root/StreamSeg.sln" -c Release -nologo --filter "$filter" --logger "console;verbosity=minimal"
  rc=$?
  say "Classes: $(echo $classes | tr '\n' ' '); exit $rc$([ $rc = 124 ] && echo ' (timed out)')."
  say '```'; grep -E '^(Passed!|Failed!|  Failed |Total tests|     Passed|     Failed|     Skipped)' "$work/tests.log" | tail -20 >>"$body"; say '```'
else
  say "Not run: no .NET SDK here (the bundle carries the runtime only). The device runs below exercise the same GPU paths through the CLI."
fi
say ""

# --- engines ----------------------------------------------------------------------------------------------------------
frame_size=$(ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=p=0:s=x "$source_video" 2>/dev/null | head -1)
[ -n "$frame_size" ] || frame_size=768x576
say "## TensorRT engines (models build-engine, frame size $frame_size)"
if [[ " $devices " == *" tensorrt "* ]]; then
  say "| model | result |"
  say "|---|---|"
  for m in movenet-multipose rvm; do
    run_step "build-engine $m" 150 "$work/engine-$m.log" -- "${streamseg[@]}" models build-engine "$models_dir/$m.onnx" --frame-size "$frame_size" --batch 1
    rc=$?
    if [ $rc = 0 ]; then
      # MoveNet gets one engine per pose size (default 512,256, as the people preset runs it): one row part per engine.
      say "| $m | $(paste -d' ' <(grep -E '^(built|reused):' "$work/engine-$m.log") <(grep -E '^profile:' "$work/engine-$m.log") | paste -sd';' - | sed 's/|/\\|/g') |"
    else
      say "| $m | exit $rc: $(grep -m1 'error' "$work/engine-$m.log" | sed 's/^streamseg: error: //; s/|/\\|/g' | cut -c1-300) |"
    fi
  done
else
  say "Not asked for (--devices has no tensorrt)."
fi
say ""

# --- benches ----------------------------------------------------------------------------------------------------------
summary=$work/summary.md
: >"$summary"
for d in $devices; do
  for u in $uploads; do
    name="$d-$u"
    run_step "bench --device $d --upload $u" 170 "$work/bench-$name.log" -- \
      "${streamseg[@]}" bench --source "$source_video" --device "$d" --upload "$u" --frames "$frames" --json "$work/bench-$name.json"
    rc=$?
    inf=$(sed -n 's/^  inference only *\([0-9.]*\) fps.*/\1/p' "$work/bench-$name.log" | head -1)
    pipe=$(sed -n 's/^  whole pipeline *\([0-9.]*\) fps.*/\1/p' "$work/bench-$name.log" | head -1)
    streams=$(awk '/paced at the source/ {t=1; next} t && /^ +[0-9]+ / {if ($6+0 <= 100) n=$1} END {print n+0}' "$work/bench-$name.log")
    status=$([ $rc = 0 ] && echo ok || { [ $rc = 124 ] && echo "timed out" || echo "exit $rc"; })
    why=$(grep -m1 '^streamseg: error: ' "$work/bench-$name.log" | sed 's/^streamseg: error: //; s/|/\\|/g' | cut -c1-200)
    [ -n "$why" ] && status="$status: $why"
    printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$d" "$u" "$status" "$(providers_of "$work/bench-$name.log")" "$(input_memory_of "$work/bench-$name.log")" "${inf:--}" "${pipe:--}" "$streams" >>"$summary"
    {
      echo "### --device $d --upload $u ($status)"
      echo '```'
      grep -vE '^\s*$' "$work/bench-$name.log" | grep -vE '\[[#=> .-]*\]|frames/s.*eta' | tail -60
      echo '```'
      echo
    } >>"$body"
  done
done

# --- the report -----------------------------------------------------------------------------------------------------------
ort=$(grep -h -m1 -o 'ONNX Runtime [0-9.]*' "$work"/bench-*.log 2>/dev/null | head -1)
{
  echo "# StreamSeg GPU check, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  [ "${STREAMSEG_GPU_CHECK_REHEARSAL:-}" = 1 ] && [ -z "${gpu_lines//[[:space:]]/}" ] && { echo "**Rehearsal without a GPU (STREAMSEG_GPU_CHECK_REHEARSAL=1): no figure here is a GPU figure.**"; echo; }
  echo "## Machine"
  echo "| | |"
  echo "|---|---|"
  echo "| GPU | $(printf '%s' "$gpu_lines" | awk -F', ' 'NF {print $1 ($3 ? " (" $3 ")" : "")}' | paste -sd ';' -) |"
  echo "| NVIDIA driver | ${driver:-not found} |"
  echo "| CUDA | driver supports ${cuda_driver:-?}; toolkit ${cuda_toolkit:-not found}; libcudart $(lib_version libcudart) |"
  echo "| cuDNN | $(lib_version libcudnn) |"
  echo "| TensorRT | $(lib_version libnvinfer) |"
  echo "| ONNX Runtime | ${ort#ONNX Runtime } |"
  # What Microsoft.ML.OnnxRuntime.Gpu 1.32.0's provider libraries link against (readelf -d of the package's .so files).
  echo "| ONNX Runtime 1.32.0 needs | CUDA 13.x: $(needs libcudart.so.13 libcublas.so.13 libcublasLt.so.13 libcurand.so.10); cuDNN 9.x: $(needs libcudnn.so.9); TensorRT 10.x (optional): $(needs libnvinfer.so.10 libnvonnxparser.so.10) |"
  echo "| CPU | $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) |"
  echo "| OS | $(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME"), glibc $(ldd --version 2>/dev/null | head -1 | awk '{print $NF}') |"
  echo "| app | $app_dir |"
  echo "| source | $(basename "$source_video") ($frame_size), $frames frames per pipeline run |"
  echo
  echo "## Summary (people preset)"
  echo "Streams: the most paced streams (1, 2, 4 …) whose end-to-end p95 stayed at or under 100 ms."
  echo
  echo "Input memory: where the pipeline's input tensors were pooled per model (CUDA pinned host memory on CUDA and TensorRT;"
  echo "the inference-only figure prepares its inputs in managed memory, so pipeline vs inference-only is not a pinned/unpinned comparison)."
  echo
  echo "| device | upload | status | provider per model | input memory | inference fps | pipeline fps | streams ≤ 100 ms p95 |"
  echo "|---|---|---|---|---|---|---|---|"
  cat "$summary"
  echo
  cat "$body"
  echo "Took $(( $(date +%s) - started )) s."
} >"$out"
log "report: $out"
