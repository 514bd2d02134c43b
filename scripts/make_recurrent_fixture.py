#!/usr/bin/python3
"""Writes tests/Data/Models/rvm-toy.onnx: a model with RVM's TF.js signature (names, NHWC, unknown-rank states,
scalar downsample_ratio, outputs listed in TF.js's order Identity_5, Identity_1, Identity, Identity_4, Identity_3,
Identity_2) whose outputs are simple closed forms, to check how StreamSeg feeds recurrent state:

  fgr (Identity)    = src
  pha (Identity_1)  = mean over channels(src) * downsample_ratio + mean(r1i)
  rKo (Identity_K+1) = broadcast(rKi, [1,2,2,C_K]) + K          (C = 16, 20, 40, 64)

So from a zero state the k-th frame of a source (k = 0, 1, ...) gives mean(r1i) = k and r1o = k + 1.

Usage:  /usr/bin/python3 scripts/make_recurrent_fixture.py   (needs Debian's python3-onnx)
"""

import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "Data", "Models", "rvm-toy.onnx")
CHANNELS = [16, 20, 40, 64]


def main():
    src = helper.make_tensor_value_info("src", TensorProto.FLOAT, [1, "H", "W", 3])
    states = [helper.make_tensor_value_info(f"r{k}i", TensorProto.FLOAT, None) for k in range(1, 5)]
    ratio = helper.make_tensor_value_info("downsample_ratio", TensorProto.FLOAT, None)
    nodes, inits = [], []
    nodes.append(helper.make_node("Identity", ["src"], ["Identity"]))
    nodes.append(helper.make_node("ReduceMean", ["src"], ["src_mean"], axes=[3], keepdims=1))
    nodes.append(helper.make_node("Mul", ["src_mean", "downsample_ratio"], ["scaled"]))
    nodes.append(helper.make_node("ReduceMean", ["r1i"], ["r1_mean"], keepdims=0))
    nodes.append(helper.make_node("Add", ["scaled", "r1_mean"], ["Identity_1"]))
    outputs = {
        "Identity": helper.make_tensor_value_info("Identity", TensorProto.FLOAT, [1, "H", "W", 3]),
        "Identity_1": helper.make_tensor_value_info("Identity_1", TensorProto.FLOAT, [1, "H", "W", 1]),
    }
    for k, c in enumerate(CHANNELS, start=1):
        inits.append(numpy_helper.from_array(np.array([1, 2, 2, c], dtype=np.int64), f"shape{k}"))
        inits.append(numpy_helper.from_array(np.array(float(k), dtype=np.float32), f"plus{k}"))
        nodes.append(helper.make_node("Expand", [f"r{k}i", f"shape{k}"], [f"e{k}"]))
        name = f"Identity_{k + 1}"
        nodes.append(helper.make_node("Add", [f"e{k}", f"plus{k}"], [name]))
        outputs[name] = helper.make_tensor_value_info(name, TensorProto.FLOAT, [1, 2, 2, c])
    order = ["Identity_5", "Identity_1", "Identity", "Identity_4", "Identity_3", "Identity_2"]
    graph = helper.make_graph(nodes, "rvm_toy", [src, states[1], ratio, states[0], states[2], states[3]],
                              [outputs[n] for n in order], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="streamseg-fixtures")
    model.ir_version = 7
    # onnx 1.12's checker insists on a shape for every graph input, but unknown rank (as RVM's states have in TF.js)
    # is valid ONNX and ONNX Runtime loads it; the C# tests load the model, which is the check that matters.
    onnx.save(model, OUT)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
