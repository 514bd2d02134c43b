#!/usr/bin/python3
"""Writes tests/Data/Models/yolo-seg-slow.onnx: tests/Data/Models/yolo-seg.onnx with a deliberately slow branch, so that
inference on the CPU takes well over 100 ms a frame and back-pressures capture (the second-Ctrl+C test of issue 10).

The branch reshapes the input to [300, 1024], runs it through a chain of 1024x1024 MatMul + Tanh (about 0.6 GFLOP
each), reduces it to a scalar, multiplies it by 0 and adds it to output0: the outputs are exactly those of
yolo-seg.onnx, only slower. The weight is a ConstantOfShape, so the file stays as small as the original.

Usage:  /usr/bin/python3 scripts/make_slow_fixture.py [LINKS]   (Debian's python3-onnx; LINKS defaults to 12)
"""

import os
import sys

import onnx
from onnx import TensorProto, helper

MODELS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "Data", "Models")
links = int(sys.argv[1]) if len(sys.argv) > 1 else 12

model = onnx.load(os.path.join(MODELS, "yolo-seg.onnx"))
graph = model.graph
image = graph.input[0].name
output0 = graph.output[0].name

# Rename the original output0 so that the slow branch can be added to it under the public name.
for node in graph.node:
    node.output[:] = ["fast_output0" if o == output0 else o for o in node.output]

nodes = [
    helper.make_node("Constant", [], ["slow_rows"], value=helper.make_tensor("slow_rows_v", TensorProto.INT64, [2], [300, 1024])),
    helper.make_node("Reshape", [image, "slow_rows"], ["slow_0"]),
    helper.make_node("Constant", [], ["slow_wshape"], value=helper.make_tensor("slow_wshape_v", TensorProto.INT64, [2], [1024, 1024])),
    helper.make_node("ConstantOfShape", ["slow_wshape"], ["slow_w"], value=helper.make_tensor("slow_w_v", TensorProto.FLOAT, [1], [0.001])),
]
for i in range(links):
    nodes.append(helper.make_node("MatMul", [f"slow_{i}", "slow_w"], [f"slow_m{i}"]))
    nodes.append(helper.make_node("Tanh", [f"slow_m{i}"], [f"slow_{i + 1}"]))
nodes += [
    helper.make_node("ReduceSum", [f"slow_{links}"], ["slow_sum"], keepdims=0),
    helper.make_node("Constant", [], ["slow_zero"], value=helper.make_tensor("slow_zero_v", TensorProto.FLOAT, [], [0.0])),
    helper.make_node("Mul", ["slow_sum", "slow_zero"], ["slow_nothing"]),
    helper.make_node("Add", ["fast_output0", "slow_nothing"], [output0]),
]
graph.node.extend(nodes)
onnx.checker.check_model(model)
onnx.save(model, os.path.join(MODELS, "yolo-seg-slow.onnx"))
print(f"wrote yolo-seg-slow.onnx with {links} slow links")
