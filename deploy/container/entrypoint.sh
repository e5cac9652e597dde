#!/bin/sh
# The image's entrypoint: pulls the packs named in MODELS_PULL (from MODELS_REGISTRY) into
# MODELS_DIR, then runs the worker with every pack MODELS_DIR holds, plus any arguments given.
# exec: node becomes PID 1 and gets SIGTERM itself, so the worker drains.
set -eu
models_dir="${MODELS_DIR:-/models}"
for name in $(printf '%s' "${MODELS_PULL:-}" | tr ',' ' '); do
  node gpu-worker/models/cli.ts pull "$name" --dir "$models_dir"
done
for manifest in "$models_dir"/*/manifest.json; do
  if [ -f "$manifest" ]; then set -- --pack "${manifest%/manifest.json}" "$@"; fi
done
exec node gpu-worker/main.ts "$@"
