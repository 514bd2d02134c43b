#!/usr/bin/env bash
# Checks what can be checked of deploy/ without a container engine or a cluster (deploy/README.md, "What is tested"):
#   1. every YAML file parses (python3-yaml);
#   2. node.yaml is a config `streamseg` accepts (its loader refuses unknown keys and wrong types);
#   3. the kustomization renders (kubectl kustomize);
#   4. every rendered object decodes strictly into the Kubernetes typed models (deploy/check, KubernetesClient).
# Run from the repository root after `dotnet build StreamSeg.sln -c Release`.
set -euo pipefail
cd "$(dirname "$0")/.."
CONFIG=${CONFIG:-Release}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

python3 - deploy/k8s/*.yaml <<'PY'
import sys, yaml
for path in sys.argv[1:]:
    with open(path) as f:
        docs = [d for d in yaml.safe_load_all(f) if d is not None]
    print(f"yaml: {path}: {len(docs)} document(s)")
PY

# `run` loads the config before it looks for sources: "No source given" means every key was accepted.
set +e
msg=$(timeout 60 dotnet "src/StreamSeg.Cli/bin/$CONFIG/net10.0/StreamSeg.Cli.dll" run --config deploy/k8s/node.yaml 2>&1)
set -e
if ! grep -q "No source given" <<<"$msg"; then
  printf 'node.yaml: not accepted: %s\n' "$msg" >&2
  exit 1
fi
echo "node.yaml: accepted by the config loader"

kubectl kustomize deploy/k8s >"$out/rendered.yaml"
echo "kustomize: rendered $(grep -c '^kind:' "$out/rendered.yaml") objects"

dotnet run --project deploy/check -c "$CONFIG" -- "$out/rendered.yaml"
