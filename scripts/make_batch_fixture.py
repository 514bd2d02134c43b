#!/usr/bin/python3
"""Writes tests/Data/Models/yolo-seg-batch.onnx and yolo-pose-batch.onnx: YOLO-format models with a free batch
dimension whose outputs really depend on each image (small convolutions with fixed random weights), for the
cross-stream batching tests.

yolo-seg-batch: images [N,3,320,320] -> output0 [N,39,2100], output1 [N,32,80,80]. Static rows, so StreamSeg writes a
batch's outputs into one preallocated set and hands each frame a view of its rows.
yolo-pose-batch: images [N,3,H,W] -> output0 [N,56,A] with A free. Dynamic rows, so each frame's rows are copied out.
yolo-pose-batch-trap: declares [N,...] but reshapes to batch 1 inside, so a batch of 2 fails.

Row layout as Ultralytics exports it (docs/model-formats.md): cx, cy, w, h in input pixels, then class scores in 0..1
(then 32 mask coefficients, or 17 x (x, y, visibility) keypoints). Boxes are sigmoid-scaled to lie inside the input so
that decoding finds real instances. What a batched run must give is what the same model gives frame by frame: the
tests compare the two, so no expected values are written here.

Usage:  /usr/bin/python3 scripts/make_batch_fixture.py   (Debian's python3-onnx and python3-numpy)
"""

import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "Data", "Models")
rng = np.random.default_rng(20261125)


class Builder:
    def __init__(self):
        self.nodes, self.inits, self.n = [], [], 0

    def name(self, p="t"):
        self.n += 1
        return f"{p}{self.n}"

    def const(self, a):
        n = self.name("c")
        self.inits.append(numpy_helper.from_array(np.asarray(a), n))
        return n

    def node(self, op, inputs, out=None, **attrs):
        out = out or self.name()
        self.nodes.append(helper.make_node(op, inputs, [out], **attrs))
        return out

    def conv(self, x, cin, cout, k):
        """Average over k x k cells (stride k), then a 1x1 convolution: few weights, output per cell and per image."""
        pooled = self.node("AveragePool", [x], kernel_shape=[k, k], strides=[k, k])
        centred = self.node("Sub", [pooled, self.const(np.float32(0.45))])
        w = self.const((rng.standard_normal((cout, cin, 1, 1)) * 6.0).astype(np.float32))
        b = self.const((rng.standard_normal(cout) * 0.3).astype(np.float32))
        return self.node("Conv", [centred, w, b], kernel_shape=[1, 1])

    def head(self, x, rows, scale_rows, score_rows, k):
        """Conv to `rows` channels at stride k, then per-row affine/sigmoid so boxes and scores have valid ranges."""
        y = self.conv(x, 3, rows, k)
        flat = self.node("Reshape", [y, self.const(np.array([0, rows, -1], np.int64))])
        sig = self.node("Sigmoid", [flat])
        # rows 0-3: box in pixels (sigmoid * scale); score rows: sigmoid(y - 2) keeps few high scores; the rest raw.
        scale = np.ones((1, rows, 1), np.float32)
        scale[0, :4, 0] = scale_rows
        is_sig = np.zeros((1, rows, 1), np.float32)
        is_sig[0, :4, 0] = 1
        is_sig[0, 4:4 + score_rows, 0] = 1
        shifted = self.node("Sigmoid", [self.node("Sub", [flat, self.const(np.float32(3.0))])])
        score_mask = np.zeros((1, rows, 1), np.float32)
        score_mask[0, 4:4 + score_rows, 0] = 1
        box_mask = np.zeros((1, rows, 1), np.float32)
        box_mask[0, :4, 0] = 1
        raw_mask = 1 - box_mask - score_mask
        boxes = self.node("Mul", [sig, self.const(box_mask * scale)])
        scores = self.node("Mul", [shifted, self.const(score_mask)])
        raw = self.node("Mul", [flat, self.const(raw_mask)])
        return self.node("Add", [self.node("Add", [boxes, scores]), raw])


def save(b, name, inputs, outputs, meta):
    graph = helper.make_graph(b.nodes, name, inputs, outputs, b.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="streamseg-make_batch_fixture")
    model.ir_version = 8
    for k, v in meta.items():
        p = model.metadata_props.add()
        p.key, p.value = k, v
    onnx.checker.check_model(model)
    path = os.path.join(OUT, name + ".onnx")
    onnx.save(model, path)
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


def meta(task, names, imgsz, extra=None):
    m = {
        "description": f"StreamSeg test fixture ({task}, free batch dimension)",
        "author": "Ultralytics", "version": "8.3.0", "stride": "32", "task": task, "batch": "1",
        "imgsz": str(list(imgsz)), "names": str(names),
        "args": str({"batch": 1, "half": False, "dynamic": True, "nms": False}),
    }
    m.update(extra or {})
    return m


def seg():
    b = Builder()
    heads = [b.head("images", 39, [320, 320, 80, 80], 3, k) for k in (8, 16, 32)]
    b.node("Concat", heads, "output0", axis=2)
    b.node("Identity", [b.conv("images", 3, 32, 4)], "output1")
    save(b, "yolo-seg-batch",
         [helper.make_tensor_value_info("images", TensorProto.FLOAT, ["batch", 3, 320, 320])],
         [helper.make_tensor_value_info("output0", TensorProto.FLOAT, ["batch", 39, 2100]),
          helper.make_tensor_value_info("output1", TensorProto.FLOAT, ["batch", 32, 80, 80])],
         meta("segment", {0: "person", 1: "car", 2: "dog"}, [320, 320]))


def pose():
    b = Builder()
    heads = [b.head("images", 56, [320, 320, 80, 160], 1, k) for k in (8, 16, 32)]
    b.node("Concat", heads, "output0", axis=2)
    save(b, "yolo-pose-batch",
         [helper.make_tensor_value_info("images", TensorProto.FLOAT, ["batch", 3, "height", "width"])],
         [helper.make_tensor_value_info("output0", TensorProto.FLOAT, ["batch", 56, "anchors"])],
         meta("pose", {0: "person"}, [320, 320], {"kpt_shape": str([17, 3])}))


def trap():
    """Declares a free batch dimension but reshapes to batch 1 inside: runs at batch 1, fails at batch 2 (as some
    TF exports do). StreamSeg must find this at start-up and run the model frame by frame."""
    b = Builder()
    mean = b.node("ReduceMean", ["images"], keepdims=1)
    # The shape [1,1,1] is computed (0 · min(images) + [1,1,1]) so that shape inference cannot see it is batch 1.
    zero = b.node("Cast", [b.node("Mul", [b.node("ReduceMin", ["images"], keepdims=0), b.const(np.float32(0.0))])], to=TensorProto.INT64)
    one = b.node("Reshape", [mean, b.node("Add", [zero, b.const(np.array([1, 1, 1], np.int64))])])
    per_image = b.node("Reshape", [mean, b.const(np.array([-1, 1, 1], np.int64))])
    rows = b.node("Expand", [b.const(np.float32(0.0)), b.const(np.array([1, 56, 2100], np.int64))])
    b.node("Add", [b.node("Add", [rows, per_image]), one], "output0")  # [batch,56,2100]; the [1,1,1] reshape fails at batch 2
    save(b, "yolo-pose-batch-trap",
         [helper.make_tensor_value_info("images", TensorProto.FLOAT, ["batch", 3, 320, 320])],
         [helper.make_tensor_value_info("output0", TensorProto.FLOAT, ["batch", 56, 2100])],
         meta("pose", {0: "person"}, [320, 320], {"kpt_shape": str([17, 3])}))


if __name__ == "__main__":
    seg()
    pose()
    trap()
