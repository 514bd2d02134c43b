#!/usr/bin/python3
"""Optional: exports REAL torchvision Mask R-CNN / Keypoint R-CNN graphs (tiny backbone, seeded random weights) and
records what torchvision itself returns, so the C# adapters can be checked against the real export format.

Run through make_fixtures.py --torchvision, or directly:  /usr/bin/python3 scripts/make_torchvision_fixtures.py
Needs Debian bookworm's python3-torch (1.13) and python3-torchvision (0.14).

The weights are random, so a few classifier/predictor biases are raised to make the in-graph detector emit
confident detections; everything else (RPN, RoIAlign, NMS, mask paste, keypoint heatmap decode, output order and
names) is torchvision's own code as exported by torch.onnx.export at opset 11. The input is a deterministic
pattern the C# test rebuilds:
value[c, y, x] = 0.5 * ((x div 20 + y div 15 + c) mod 4) / 3 + 0.5 * (((73856093x) xor (19349663y) xor (83492791c)) mod 256) / 255
(64-bit integer arithmetic).

Expected JSON holds the instances decoded (score >= 0.5, mask >= 0.5 inside the box, keypoint score =
sigmoid(logit)) from the PyTorch outputs; ONNX Runtime's float results differ slightly from PyTorch's, so the C# test
compares with tolerances.
"""

import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torchvision
from torchvision.models.detection import KeypointRCNN, MaskRCNN
from torchvision.models.detection.faster_rcnn import FastRCNNPredictor, TwoMLPHead
from torchvision.models.detection.keypoint_rcnn import KeypointRCNNHeads, KeypointRCNNPredictor
from torchvision.models.detection.mask_rcnn import MaskRCNNHeads, MaskRCNNPredictor
from torchvision.models.detection.rpn import AnchorGenerator
from torchvision.ops import MultiScaleRoIAlign

FRAME_W, FRAME_H = 160, 120


def pattern(w, h):
    c, y, x = np.meshgrid(np.arange(3), np.arange(h), np.arange(w), indexing="ij")
    h_ = (x.astype(np.int64) * 73856093) ^ (y.astype(np.int64) * 19349663) ^ (c.astype(np.int64) * 83492791)
    smooth = (x // 20 + y // 15 + c) % 4 / 3.0  # coarse blocks so the features are not pure noise
    return torch.from_numpy((0.5 * smooth + 0.5 * (h_ % 256) / 255.0).astype(np.float32))


def backbone():
    net = nn.Sequential(
        nn.Conv2d(3, 8, 3, 2, 1), nn.ReLU(),
        nn.Conv2d(8, 16, 3, 2, 1), nn.ReLU(),
        nn.Conv2d(16, 16, 3, 2, 1), nn.ReLU())
    net.out_channels = 16
    return net


def common_kwargs():
    return dict(
        rpn_anchor_generator=AnchorGenerator(sizes=((16, 32, 64),), aspect_ratios=((0.5, 1.0, 2.0),)),
        box_roi_pool=MultiScaleRoIAlign(["0"], 7, 2),
        box_head=TwoMLPHead(16 * 7 * 7, 32),
        min_size=120, max_size=160,
        rpn_pre_nms_top_n_test=50, rpn_post_nms_top_n_test=20,
        box_detections_per_img=8)


def r6(v):
    return round(float(v), 6)


def box_rect(b, w0, h0):
    x0 = min(max(math.floor(b[0]), 0), w0)
    y0 = min(max(math.floor(b[1]), 0), h0)
    x1 = min(max(math.ceil(b[2]), x0), w0)
    y1 = min(max(math.ceil(b[3]), y0), h0)
    return x0, y0, x1, y1


def rle(mask):
    flat = mask.reshape(-1)
    counts, cur, run = [], 0, 0
    for v in flat:
        if v != cur:
            counts.append(run)
            cur, run = v, 0
        run += 1
    counts.append(run)
    return " ".join(map(str, counts))


def export(model, path, output_names, dynamic_axes):
    img = pattern(FRAME_W, FRAME_H)
    model.eval()
    with torch.no_grad():
        torch.onnx.export(model, ([img],), path, opset_version=11, input_names=["images_tensors"],
                          output_names=output_names, dynamic_axes=dynamic_axes, do_constant_folding=True)
        out = model([img])[0]
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")
    return out


def check_margin(values, threshold, what):
    values = np.asarray(values, np.float64)
    if values.size and np.abs(values - threshold).min() < 1e-3:
        raise SystemExit(f"torchvision fixture: a {what} is within 1e-3 of {threshold}; change the seed")


def make_maskrcnn(out_dir):
    torch.manual_seed(1234)
    model = MaskRCNN(
        backbone(), num_classes=None,
        box_predictor=FastRCNNPredictor(32, 91),
        mask_roi_pool=MultiScaleRoIAlign(["0"], 14, 2),
        mask_head=MaskRCNNHeads(16, (16, 16), 1),
        mask_predictor=MaskRCNNPredictor(16, 16, 91),
        **common_kwargs())
    with torch.no_grad():
        model.roi_heads.box_predictor.cls_score.bias[1] += 6.0    # person
        model.roi_heads.box_predictor.cls_score.bias[18] += 5.5   # dog
    path = os.path.join(out_dir, "tv-maskrcnn.onnx")
    out = export(model, path, ["boxes", "labels", "scores", "masks"],
                 {"images_tensors": [1, 2], "boxes": [0], "labels": [0], "scores": [0], "masks": [0, 2, 3]})
    boxes, labels, scores, masks = (out[k].numpy() for k in ("boxes", "labels", "scores", "masks"))
    check_margin(scores, 0.5, "score")
    insts = []
    for i in range(len(scores)):
        if scores[i] < 0.5:
            continue
        b = [min(max(float(boxes[i, 0]), 0), FRAME_W), min(max(float(boxes[i, 1]), 0), FRAME_H),
             min(max(float(boxes[i, 2]), 0), FRAME_W), min(max(float(boxes[i, 3]), 0), FRAME_H)]
        x0, y0, x1, y1 = box_rect(b, FRAME_W, FRAME_H)
        m = (masks[i, 0, y0:y1, x0:x1] >= 0.5).astype(np.uint8)
        insts.append({"box": [r6(v) for v in b], "score": r6(scores[i]), "class_id": int(labels[i]),
                      "mask": {"x": x0, "y": y0, "width": x1 - x0, "height": y1 - y0, "area": int(m.sum()),
                               "rle": rle(m)}})
    return {"model": "tv-maskrcnn.onnx", "adapter": "maskrcnn", "input_name": "images_tensors",
            "input_width": 0, "input_height": 0, "input_pattern": "hash-blocks",
            "source": f"torch {torch.__version__}, torchvision {torchvision.__version__}",
            "raw_detections": int(len(scores)),
            "cases": [{"frame_width": FRAME_W, "frame_height": FRAME_H, "instances": insts}]}


def make_keypointrcnn(out_dir):
    torch.manual_seed(4321)
    model = KeypointRCNN(
        backbone(), num_classes=None,
        box_predictor=FastRCNNPredictor(32, 2),
        keypoint_roi_pool=MultiScaleRoIAlign(["0"], 14, 2),
        keypoint_head=KeypointRCNNHeads(16, (16, 16)),
        keypoint_predictor=KeypointRCNNPredictor(16, 17),
        **common_kwargs())
    with torch.no_grad():
        model.roi_heads.box_predictor.cls_score.bias[1] += 6.0
    path = os.path.join(out_dir, "tv-keypointrcnn.onnx")
    # As in the PyTorch reference test, only four outputs are named; the fifth (keypoints_scores) gets an auto name.
    out = export(model, path, ["boxes", "labels", "scores", "keypoints"], {"images_tensors": [1, 2]})
    boxes, labels, scores = (out[k].numpy() for k in ("boxes", "labels", "scores"))
    kps, kps_scores = out["keypoints"].numpy(), out["keypoints_scores"].numpy()
    check_margin(scores, 0.5, "score")
    insts = []
    for i in range(len(scores)):
        if scores[i] < 0.5:
            continue
        b = [min(max(float(boxes[i, 0]), 0), FRAME_W), min(max(float(boxes[i, 1]), 0), FRAME_H),
             min(max(float(boxes[i, 2]), 0), FRAME_W), min(max(float(boxes[i, 3]), 0), FRAME_H)]
        kp = [[r6(min(max(kps[i, j, 0], 0), FRAME_W)), r6(min(max(kps[i, j, 1], 0), FRAME_H)),
               r6(1 / (1 + math.exp(-float(kps_scores[i, j]))))] for j in range(kps.shape[1])]
        insts.append({"box": [r6(v) for v in b], "score": r6(scores[i]), "class_id": int(labels[i]), "keypoints": kp})
    return {"model": "tv-keypointrcnn.onnx", "adapter": "keypointrcnn", "input_name": "images_tensors",
            "input_width": 0, "input_height": 0, "input_pattern": "hash-blocks",
            "source": f"torch {torch.__version__}, torchvision {torchvision.__version__}",
            "raw_detections": int(len(scores)),
            "cases": [{"frame_width": FRAME_W, "frame_height": FRAME_H, "instances": insts}]}


def main(out_dir):
    torch.set_num_threads(1)
    for name, make in (("tv-maskrcnn", make_maskrcnn), ("tv-keypointrcnn", make_keypointrcnn)):
        expected = make(out_dir)
        path = os.path.join(out_dir, name + ".expected.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(expected, f, indent=1)
            f.write("\n")
        n = len(expected["cases"][0]["instances"])
        print(f"wrote {path} ({n} instances kept of {expected['raw_detections']})")


if __name__ == "__main__":
    main(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "Data", "Models"))
