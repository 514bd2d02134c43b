#!/usr/bin/python3
"""Writes tests/Data/Models/yolo-pose-fault.onnx: tests/Data/Models/yolo-pose.onnx with a branch that makes ONNX Runtime
fail at run time on bright frames, so that a test can make one model of a frame fail mid-run (issue 16: a fault in one
model's worker ends the run with an error naming the model, the frame and the source).

The branch takes the mean of the input (the letterboxed image scaled to 0..1), multiplies it by 2, floors it and uses
it as an index into a one-element constant (Gather): a frame whose mean is under 0.5 (black, or the zero warm-up input)
reads element 0 and the outputs are exactly those of yolo-pose.onnx; a brighter frame's index is out of range and
the run fails ("indices element out of data bounds").

Usage:  /usr/bin/python3 scripts/make_fault_fixture.py   (Debian's python3-onnx)
"""

import os

import onnx
from onnx import TensorProto, helper

MODELS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "Data", "Models")

model = onnx.load(os.path.join(MODELS, "yolo-pose.onnx"))
graph = model.graph
image = graph.input[0].name
output0 = graph.output[0].name

for node in graph.node:
    node.output[:] = ["fault_output0" if o == output0 else o for o in node.output]

graph.node.extend([
    helper.make_node("ReduceMean", [image], ["fault_mean"], keepdims=0),
    helper.make_node("Constant", [], ["fault_two"], value=helper.make_tensor("fault_two_v", TensorProto.FLOAT, [], [2.0])),
    helper.make_node("Mul", ["fault_mean", "fault_two"], ["fault_scaled"]),
    helper.make_node("Floor", ["fault_scaled"], ["fault_floor"]),
    helper.make_node("Cast", ["fault_floor"], ["fault_index"], to=TensorProto.INT64),
    helper.make_node("Constant", [], ["fault_table"], value=helper.make_tensor("fault_table_v", TensorProto.FLOAT, [1], [0.0])),
    helper.make_node("Gather", ["fault_table", "fault_index"], ["fault_zero"], axis=0),
    helper.make_node("Add", ["fault_output0", "fault_zero"], [output0]),
])
onnx.checker.check_model(model)
onnx.save(model, os.path.join(MODELS, "yolo-pose-fault.onnx"))
print("wrote yolo-pose-fault.onnx")
