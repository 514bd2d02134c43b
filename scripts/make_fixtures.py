#!/usr/bin/python3
"""Writes small ONNX fixture models and their expected decodes into tests/Data/Models/.

Each model has the exact tensor signature of one StreamSeg adapter. Its outputs are constants (plus
0 * ReduceMean(input), so the input is really consumed) or, for the R-CNN masks, functions of the input size
(maskrcnn) or masks pasted by torchvision's paste_masks_in_image rule (maskrcnn-paste). yolo-seg, yolo-pose, maskrcnn
and keypointrcnn each have a <name>-picture.onnx twin whose outputs also move with the input (means of input regions
added to a box or a score, zero on an all-zero input); the plain ones stay constant because other tests run them on
real video and expect their fixed outputs. Next to each model goes <name>.expected.json: what a correct decoder must
return for the listed frame sizes on an all-zero input ("cases", either model), and for the twin on the picture
tests/Data/Input/Fixtures/pattern-640x480.png as the pipeline's own preprocessing should feed it ("image_cases"; the
picture is written here too, and its letterbox is an exact halving, so numpy reproduces the model input without
resampling arithmetic). Raw
detections sit on both sides of each adapter's score threshold, some crossing it only on the picture. The
expectations are computed here with numpy, from the reference math in docs/model-formats.md sections 1-3
(Ultralytics letterbox, NMS, process_mask; torchvision output conventions), independently of the C# code.

Usage:  /usr/bin/python3 scripts/make_fixtures.py [--torchvision]
Needs Debian's python3-onnx and python3-numpy. --torchvision additionally needs python3-torch and
python3-torchvision (Debian bookworm ships torch 1.13 / torchvision 0.14) and exports tiny real torchvision
Mask R-CNN / Keypoint R-CNN models (random weights, tiny backbone) with their torch outputs as reference.
"""

import json
import math
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "Data", "Models")
OPSET = 13
MAX_WH = 7680.0


# ----------------------------------------------------------------------------------------------------------------
# Graph helpers
# ----------------------------------------------------------------------------------------------------------------

class Graph:
    def __init__(self, input_name, input_shape):
        self.nodes = []
        self.inits = []
        self.outputs = []
        self.input = helper.make_tensor_value_info(input_name, TensorProto.FLOAT, input_shape)
        self.input_name = input_name
        self._n = 0
        # zero = 0 * mean(input): a scalar that makes every output depend on the input.
        mean = self.node("ReduceMean", [input_name], keepdims=0)
        self.zero = self.node("Mul", [mean, self.const(np.array(0.0, np.float32))])

    def name(self, prefix="t"):
        self._n += 1
        return f"{prefix}{self._n}"

    def const(self, array):
        n = self.name("c")
        self.inits.append(numpy_helper.from_array(array, n))
        return n

    def node(self, op, inputs, out=None, **attrs):
        out = out or self.name()
        self.nodes.append(helper.make_node(op, inputs, [out], **attrs))
        return out

    def output(self, name, elem_type, shape):
        self.outputs.append(helper.make_tensor_value_info(name, elem_type, shape))

    def signal(self, region):
        """A scalar: the mean of the input over region (channel, y0, y1, x0, x1) of a [1,3,H,W] or [3,H,W] input."""
        c, y0, y1, x0, x1 = region
        first = len(self.input.type.tensor_type.shape.dim) - 3
        part = self.node("Slice", [self.input_name, self.const(np.array([c, y0, x0], np.int64)),
                                   self.const(np.array([c + 1, y1, x1], np.int64)),
                                   self.const(np.array([first, first + 1, first + 2], np.int64))])
        return self.node("ReduceMean", [part], keepdims=0)

    def padded_float_output(self, name, small, full_shape, offsets, shape_decl=None, terms=()):
        """Output `name` = (small + sum of weight * signal over terms) zero-padded to full_shape (placed at offsets)
        + zero. Each term is (weight array shaped like small, input region of signal())."""
        pads_begin = list(offsets)
        pads_end = [f - s - o for f, s, o in zip(full_shape, small.shape, offsets)]
        assert all(p >= 0 for p in pads_end)
        value = self.const(small.astype(np.float32))
        for weight, region in terms:
            value = self.node("Add", [value, self.node("Mul", [self.const(weight.astype(np.float32)), self.signal(region)])])
        padded = self.node("Pad", [value, self.const(np.array(pads_begin + pads_end, np.int64))])
        self.node("Add", [padded, self.zero], out=name)
        self.output(name, TensorProto.FLOAT, shape_decl or list(full_shape))

    def float_const_output(self, name, array, shape_decl=None, terms=()):
        """Output `name` = array + sum of weight * signal over terms (see padded_float_output) + zero."""
        value = self.const(array.astype(np.float32))
        for weight, region in terms:
            value = self.node("Add", [value, self.node("Mul", [self.const(weight.astype(np.float32)), self.signal(region)])])
        self.node("Add", [value, self.zero], out=name)
        self.output(name, TensorProto.FLOAT, shape_decl or list(array.shape))

    def int64_const_output(self, name, array, shape_decl=None):
        self.node("Identity", [self.const(array.astype(np.int64))], out=name)
        self.output(name, TensorProto.INT64, shape_decl or list(array.shape))

    def save(self, file_name, metadata=None):
        graph = helper.make_graph(self.nodes, os.path.splitext(file_name)[0], [self.input], self.outputs, self.inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                                  producer_name="streamseg-make_fixtures")
        model.ir_version = 8
        for k, v in (metadata or {}).items():
            p = model.metadata_props.add()
            p.key, p.value = k, v
        onnx.checker.check_model(model)
        path = os.path.join(OUT, file_name)
        onnx.save(model, path)
        print(f"wrote {path} ({os.path.getsize(path)} bytes)")


def write_json(file_name, obj):
    path = os.path.join(OUT, file_name)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")
    print(f"wrote {path}")


def ultralytics_metadata(task, names, imgsz, extra=None):
    # Each value is str() of the Python object, exactly as ultralytics/engine/exporter.py writes it.
    meta = {
        "description": f"StreamSeg test fixture ({task})",
        "author": "Ultralytics",
        "version": "8.3.0",
        "stride": str(32),
        "task": task,
        "batch": str(1),
        "imgsz": str(list(imgsz)),
        "names": str(names),
        "args": str({"batch": 1, "half": False, "dynamic": False, "nms": False}),
    }
    meta.update(extra or {})
    return meta


# ----------------------------------------------------------------------------------------------------------------
# Reference math (numpy, float64 unless stated)
# ----------------------------------------------------------------------------------------------------------------

def letterbox(w0, h0, iw, ih):
    """ultralytics/data/augment.py LetterBox (scaleup=True, auto=False, center=True)."""
    r = min(ih / h0, iw / w0)
    new_w, new_h = int(round(w0 * r)), int(round(h0 * r))
    dw, dh = (iw - new_w) / 2, (ih - new_h) / 2
    left, top = int(round(dw - 0.1)), int(round(dh - 0.1))
    return r, left, top


def iou(a, b):
    iw = min(a[2], b[2]) - max(a[0], b[0])
    ih = min(a[3], b[3]) - max(a[1], b[1])
    if iw <= 0 or ih <= 0:
        return 0.0
    inter = iw * ih
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union


def yolo_select(out0, nc, conf=0.25, iou_thres=0.7, max_det=300, agnostic=False):
    """ops.non_max_suppression, single-label: returns [(anchor, xyxy, score, cls)] best first."""
    c, n = out0.shape
    scores = out0[4:4 + nc]
    best = scores.max(0)
    cls = scores.argmax(0)
    cand = [i for i in range(n) if best[i] > conf]
    cand.sort(key=lambda i: (-best[i], i))
    cand = cand[:30000]
    boxes = {}
    for i in cand:
        cx, cy, w, h = (float(v) for v in out0[0:4, i])
        boxes[i] = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
    keep, removed = [], set()
    for k, i in enumerate(cand):
        if i in removed:
            continue
        keep.append(i)
        oi = 0.0 if agnostic else cls[i] * MAX_WH
        a = tuple(v + oi for v in boxes[i])
        for j in cand[k + 1:]:
            oj = 0.0 if agnostic else cls[j] * MAX_WH
            b = tuple(v + oj for v in boxes[j])
            if iou(a, b) > iou_thres:
                removed.add(j)
    keep = keep[:max_det]
    return [(i, boxes[i], float(best[i]), int(cls[i])) for i in keep]


def to_frame_box(box, r, left, top, w0, h0):
    """ops.scale_boxes + clip_boxes."""
    x1 = min(max((box[0] - left) / r, 0), w0)
    y1 = min(max((box[1] - top) / r, 0), h0)
    x2 = min(max((box[2] - left) / r, 0), w0)
    y2 = min(max((box[3] - top) / r, 0), h0)
    return [x1, y1, x2, y2]


def box_rect(fb, w0, h0):
    x0 = min(max(math.floor(fb[0]), 0), w0)
    y0 = min(max(math.floor(fb[1]), 0), h0)
    x1 = min(max(math.ceil(fb[2]), x0), w0)
    y1 = min(max(math.ceil(fb[3]), y0), h0)
    return x0, y0, x1, y1


def assert_off_integer(values, what):
    for v in values:
        if abs(v - round(v)) < 1e-3 and v != round(v):
            raise SystemExit(f"fixture design: {what} {v} is too close to an integer (floor/ceil would be fragile)")


def yolo_mask(proto, coeff, in_box, frame_box, r, left, top, iw, ih, w0, h0, thr=0.0):
    """process_mask (crop at proto resolution, bilinear half-pixel upsample, logit > 0), sampled only at the frame
    pixels of the instance box: frame pixel centre -> input coordinate -> proto coordinate."""
    nm, mh, mw = proto.shape
    logits = np.tensordot(coeff.astype(np.float64), proto.astype(np.float64), axes=1)
    sx, sy = mw / iw, mh / ih
    cols, rows = np.arange(mw), np.arange(mh)
    keep_c = (cols >= in_box[0] * sx) & (cols < in_box[2] * sx)
    keep_r = (rows >= in_box[1] * sy) & (rows < in_box[3] * sy)
    logits = logits * keep_r[:, None] * keep_c[None, :]
    x0, y0, x1, y1 = box_rect(frame_box, w0, h0)

    def axis(f0, f1, scale, offset, s, size):
        p = np.maximum(((np.arange(f0, f1) + 0.5) * r + offset) * s - 0.5, 0)
        i0 = np.minimum(np.floor(p).astype(int), size - 1)
        i1 = np.minimum(i0 + 1, size - 1)
        return i0, i1, p - i0

    xi0, xi1, lx = axis(x0, x1, r, left, sx, mw)
    yi0, yi1, ly = axis(y0, y1, r, top, sy, mh)
    top_row = (1 - lx)[None, :] * logits[np.ix_(yi0, xi0)] + lx[None, :] * logits[np.ix_(yi0, xi1)]
    bot_row = (1 - lx)[None, :] * logits[np.ix_(yi1, xi0)] + lx[None, :] * logits[np.ix_(yi1, xi1)]
    v = (1 - ly)[:, None] * top_row + ly[:, None] * bot_row
    # Samples whose four neighbours were all cropped away are exactly 0 in any implementation; skip them.
    live = v[v != 0]
    margin = float(np.abs(live - thr).min()) if live.size else 1.0
    if margin < 1e-3:
        raise SystemExit(f"fixture design: a mask logit is {margin} from the threshold (fragile)")
    return (x0, y0, x1 - x0, y1 - y0), (v > thr).astype(np.uint8), logits


def ultralytics_full_mask(logits_cropped, iw, ih, r, left, top, w0, h0):
    """Ultralytics' own path for comparison: upsample the whole cropped map to the input (bilinear, half-pixel),
    threshold, then map each frame pixel to its nearest input pixel."""
    mh, mw = logits_cropped.shape

    def axis(n_out, n_in):
        p = np.maximum((np.arange(n_out) + 0.5) * n_in / n_out - 0.5, 0)
        i0 = np.minimum(np.floor(p).astype(int), n_in - 1)
        return i0, np.minimum(i0 + 1, n_in - 1), p - i0

    xi0, xi1, lx = axis(iw, mw)
    yi0, yi1, ly = axis(ih, mh)
    t = (1 - lx)[None, :] * logits_cropped[np.ix_(yi0, xi0)] + lx[None, :] * logits_cropped[np.ix_(yi0, xi1)]
    b = (1 - lx)[None, :] * logits_cropped[np.ix_(yi1, xi0)] + lx[None, :] * logits_cropped[np.ix_(yi1, xi1)]
    up = ((1 - ly)[:, None] * t + ly[:, None] * b) > 0
    fx = np.minimum(np.floor((np.arange(w0) + 0.5) * r + left).astype(int), iw - 1)
    fy = np.minimum(np.floor((np.arange(h0) + 0.5) * r + top).astype(int), ih - 1)
    return up[np.ix_(fy, fx)]


def rle(mask):
    """Row-major run lengths, starting with a (possibly empty) run of zeros (written space-separated)."""
    flat = mask.reshape(-1)
    counts, cur, run = [], 0, 0
    for v in flat:
        if v != cur:
            counts.append(run)
            cur, run = v, 0
        run += 1
    counts.append(run)
    return counts


def mask_json(rect, mask):
    x, y, w, h = rect
    return {"x": x, "y": y, "width": w, "height": h, "area": int(mask.sum()), "rle": " ".join(map(str, rle(mask)))}


def r6(v):
    return round(float(v), 6)


# ----------------------------------------------------------------------------------------------------------------
# A real (non-zero) input: a synthetic picture run through the pipeline's own preprocessing by the C# test
# ----------------------------------------------------------------------------------------------------------------

INPUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "Data", "Input", "Fixtures")
PATTERN_FILE = "pattern-640x480.png"
PATTERN_SIZE = (640, 480)


def write_png(path, rgb):
    """An 8-bit RGB PNG (no dependency beyond zlib)."""
    import struct
    import zlib
    h, w, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[y].astype(np.uint8).tobytes() for y in range(h))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))
    print(f"wrote {path}")


def pattern_rgb():
    """A checkerboard of 16-pixel tiles, warm on the left half (red over blue), cold on the right: every aligned 2x2
    block is one colour, so halving the picture with OpenCV's bilinear resize (what the letterbox does for
    640x480 -> 320x240) is exact subsampling."""
    w0, h0 = PATTERN_SIZE
    warm = np.array([[200, 40, 10], [120, 180, 60]], np.uint8)
    cold = np.array([[20, 90, 230], [120, 180, 60]], np.uint8)
    yy, xx = np.mgrid[0:h0, 0:w0]
    tile = (xx // 16 + yy // 16) % 2
    return np.where((xx < w0 // 2)[..., None], warm[tile], cold[tile])


def letterboxed_input(img, iw, ih):
    """The model input the pipeline should make from img (RGB, HWC uint8): Ultralytics' letterbox (grey 114), RGB,
    CHW, / 255. Only exact halving is supported (checked), which needs no resampling arithmetic."""
    h0, w0, _ = img.shape
    r, left, top = letterbox(w0, h0, iw, ih)
    assert r == 0.5 and w0 % 2 == 0 and h0 % 2 == 0
    assert (img[0::2, 0::2] == img[1::2, 1::2]).all() and (img[0::2, 0::2] == img[0::2, 1::2]).all()
    canvas = np.full((ih, iw, 3), 114, np.float64)
    canvas[top:top + h0 // 2, left:left + w0 // 2] = img[0::2, 0::2]
    return canvas.transpose(2, 0, 1) / 255.0


def signal_value(chw, region):
    c, y0, y1, x0, x1 = region
    return float(chw[c, y0:y1, x0:x1].mean())


def with_terms(small, terms, chw):
    """small + sum of weight * signal, as the graph computes it, for input chw (float64)."""
    out = small.astype(np.float64).copy()
    for weight, region in terms:
        out += weight * signal_value(chw, region)
    return out.astype(np.float32)


# Input regions (channel, y0, y1, x0, x1) of a 320x320 input holding a letterboxed 640x480 frame (content rows 40..279):
# red and blue of the content's top-left corner (a channel swap flips their difference), green of the top padding
# (114/255). Small regions (1280 values) keep ONNX Runtime's float32 sums within 1e-6 of numpy's.
SIG_RED_LEFT = (0, 40, 80, 0, 32)
SIG_BLUE_LEFT = (2, 40, 80, 0, 32)
SIG_PAD_GREEN = (1, 0, 40, 0, 32)


# ----------------------------------------------------------------------------------------------------------------
# YOLO seg
# ----------------------------------------------------------------------------------------------------------------

FRAMES = [(640, 480), (333, 500)]


def anchors_for(imgsz):
    return sum((imgsz // s) ** 2 for s in (8, 16, 32))


def make_yolo_seg():
    imgsz, nc, nm = 320, 3, 32
    n = anchors_for(imgsz)  # 2100
    mh = mw = imgsz // 4
    names = {0: "person", 1: "o'clock", 2: "cat"}

    # Candidate anchors: (xyxy in letterboxed input pixels, class scores, mask coefficients).
    e = np.eye(nm, dtype=np.float32)
    cands = [
        ((41.3, 30.7, 153.1, 250.3), (0.90, 0.05, 0.10), e[0]),                  # A, person
        ((45.7, 36.1, 149.3, 246.9), (0.80, 0.05, 0.10), e[0]),                  # A duplicate, suppressed
        ((43.1, 28.9, 151.7, 248.3), (0.10, 0.05, 0.50), 0.6 * e[0] - 0.3 * e[1]),  # cat over A: kept (class-aware)
        ((181.3, 101.7, 290.1, 219.3), (0.02, 0.75, 0.01), e[1]),                # B, o'clock
        ((185.9, 105.3, 286.7, 215.1), (0.01, 0.60, 0.02), e[1]),                # B duplicate, suppressed
        ((10.3, 10.3, 30.7, 30.7), (0.20, 0.00, 0.00), e[0]),                    # below conf
        ((250.3, 250.3, 300.7, 300.7), (0.25, 0.00, 0.00), e[0]),                # exactly conf: '>' drops it
    ]
    k = len(cands)
    small = np.zeros((1, 4 + nc + nm, k), np.float32)
    for j, (b, s, c) in enumerate(cands):
        small[0, 0:4, j] = [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2, b[2] - b[0], b[3] - b[1]]
        small[0, 4:4 + nc, j] = s
        small[0, 4 + nc:, j] = c
    offset = 1234  # anchors before the candidates are all-zero (score 0)

    # Prototypes at 80x80: channel 0 = ellipse (A) plus a blob far outside every box (must be cropped away);
    # channel 1 = a ring (B). Inside/outside values are asymmetric so no sample sits on the threshold.
    yy, xx = np.mgrid[0:mh, 0:mw].astype(np.float64)
    ch0 = np.where(((xx - 24.2) / 10.3) ** 2 + ((yy - 38.1) / 20.6) ** 2 <= 1, 3.0, -5.0)
    ch0 = np.where(((xx - 65.0) / 5.0) ** 2 + ((yy - 10.0) / 5.0) ** 2 <= 1, 6.0, ch0)
    outer = (xx >= 48) & (xx <= 70) & (yy >= 28) & (yy <= 52)
    hole = (xx >= 55) & (xx <= 62) & (yy >= 36) & (yy <= 44)
    ch1 = np.where(outer & ~hole, 4.0, -4.0)
    ch1 = np.where(hole, -6.0, ch1)
    proto_small = np.stack([ch0, ch1])[None].astype(np.float32)

    # Input-dependent terms, zero on an all-zero input (see make_yolo_pose): A and its duplicate move right by
    # 40 * (red - blue) of the content's top-left corner; the candidate at exactly conf gains 0.5 * the padding's green.
    w_shift = np.zeros_like(small)
    w_shift[0, 0, 0:2] = 40.0
    w_lift = np.zeros_like(small)
    w_lift[0, 4, 6] = 0.5
    terms = [(w_shift, SIG_RED_LEFT), (-w_shift, SIG_BLUE_LEFT), (w_lift, SIG_PAD_GREEN)]

    # The constant fixture (other tests run it on real video and expect its fixed outputs), then the same graph
    # with the input-dependent terms for the picture cases.
    for file_name, picture in (("yolo-seg.onnx", False), ("yolo-seg-picture.onnx", True)):
        g = Graph("images", [1, 3, imgsz, imgsz])
        g.padded_float_output("output0", small, (1, 4 + nc + nm, n), (0, 0, offset), terms=terms if picture else ())
        g.padded_float_output("output1", proto_small, (1, nm, mh, mw), (0, 0, 0, 0))
        g.save(file_name, ultralytics_metadata("segment", names, (imgsz, imgsz)))

    proto = np.zeros((nm, mh, mw), np.float32)
    proto[:2] = proto_small[0]

    def decode(small_value, frames):
        out0 = np.zeros((4 + nc + nm, n), np.float32)
        out0[:, offset:offset + k] = small_value[0]
        cases = []
        for w0, h0 in frames:
            r, left, top = letterbox(w0, h0, imgsz, imgsz)
            insts = []
            for anchor, box, score, cls in yolo_select(out0, nc):
                fb = to_frame_box(box, r, left, top, w0, h0)
                assert_off_integer(fb, "frame box edge")
                assert_off_integer([box[0] * mw / imgsz, box[2] * mw / imgsz, box[1] * mh / imgsz, box[3] * mh / imgsz],
                                   "proto-scaled box edge")
                rect, mask, cropped = yolo_mask(proto, out0[4 + nc:, anchor], box, fb, r, left, top, imgsz, imgsz, w0, h0)
                # Sanity: Ultralytics' whole-map path agrees inside the box up to resampling differences.
                full = ultralytics_full_mask(cropped, imgsz, imgsz, r, left, top, w0, h0)
                x, y, w, h = rect
                sub = full[y:y + h, x:x + w]
                inter, union = np.logical_and(sub, mask).sum(), np.logical_or(sub, mask).sum()
                assert union == 0 or inter / union > 0.9, f"mask disagrees with the Ultralytics path: IoU {inter / union}"
                insts.append({"box": [r6(v) for v in fb], "score": r6(score), "class_id": cls,
                              "mask": mask_json(rect, mask)})
            cases.append({"frame_width": w0, "frame_height": h0,
                          "letterbox": {"scale": r6(r), "pad_x": left, "pad_y": top}, "instances": insts})
        return cases

    image = letterboxed_input(pattern_rgb(), imgsz, imgsz)
    image_case = decode(with_terms(small, terms, image), [PATTERN_SIZE])[0]
    zero_cases = decode(small, FRAMES)
    assert len(image_case["instances"]) == len(zero_cases[0]["instances"]) + 1, "the lifted candidate must pass conf"
    assert abs(image_case["instances"][0]["box"][0] - zero_cases[0]["instances"][0]["box"][0]) > 10, "no visible shift"
    image_case["image"] = "Input/Fixtures/" + PATTERN_FILE
    write_json("yolo-seg.expected.json", {
        "model": "yolo-seg.onnx", "picture_model": "yolo-seg-picture.onnx", "adapter": "yolo-seg", "input_name": "images",
        "input_width": imgsz, "input_height": imgsz, "class_names": [names[i] for i in range(nc)],
        "cases": zero_cases, "image_cases": [image_case]})


# ----------------------------------------------------------------------------------------------------------------
# YOLO pose
# ----------------------------------------------------------------------------------------------------------------

def make_yolo_pose():
    imgsz, nc, kpt = 320, 1, (17, 3)
    n = anchors_for(imgsz)
    names = {0: "person"}

    def person(box, phase):
        x1, y1, x2, y2 = box
        pts = []
        for j in range(kpt[0]):
            fx = 0.15 + 0.7 * ((j * 7 + phase) % 17) / 16
            fy = 0.05 + 0.9 * j / 16
            v = 0.05 + 0.9 * ((j * 5 + phase) % 17) / 16
            pts.append((x1 + fx * (x2 - x1), y1 + fy * (y2 - y1), v))
        return pts

    p1 = (50.3, 45.7, 140.1, 300.9)
    p2 = (170.2, 80.4, 260.6, 290.2)
    kp1 = person(p1, 3)
    kp1[0] = (95.3, 20.7, 0.97)    # nose up in the top padding: clipped to y = 0 in a 640x480 frame
    kp1[16] = (-4.1, 299.9, 0.33)  # left of the input: clipped to x = 0
    cands = [
        (p1, 0.92, kp1),
        ((52.1, 47.3, 138.7, 298.1), 0.85, person(p1, 5)),  # duplicate, suppressed
        (p2, 0.66, person(p2, 11)),
        ((200.0, 20.0, 240.0, 60.0), 0.10, person(p2, 1)),  # below conf
    ]
    k = len(cands)
    c = 4 + nc + kpt[0] * kpt[1]
    small = np.zeros((1, c, k), np.float32)
    for j, (b, s, pts) in enumerate(cands):
        small[0, 0:4, j] = [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2, b[2] - b[0], b[3] - b[1]]
        small[0, 4, j] = s
        small[0, 5:, j] = np.array(pts, np.float32).reshape(-1)
    offset = 777

    # Input-dependent terms (zero on an all-zero input, so the zero-input cases stay as they were): the first person's
    # box centre moves right by 40 * (red - blue) of the content's top-left corner, and the "below conf" candidate gains
    # 0.5 * the padding's green, which lifts it over conf only when the letterbox pads with 114 grey.
    w_shift = np.zeros_like(small)
    w_shift[0, 0, 0:2] = 40.0  # the first person and its duplicate, which stays suppressed
    w_back = -w_shift
    w_lift = np.zeros_like(small)
    w_lift[0, 4, 3] = 0.5
    terms = [(w_shift, SIG_RED_LEFT), (w_back, SIG_BLUE_LEFT), (w_lift, SIG_PAD_GREEN)]

    # Dynamic H/W input: the adapter must take its size from the imgsz metadata.
    # The constant fixture (other tests run it on real video and expect its fixed outputs), then the same graph
    # with the input-dependent terms for the picture cases.
    for file_name, picture in (("yolo-pose.onnx", False), ("yolo-pose-picture.onnx", True)):
        g = Graph("images", [1, 3, "height", "width"])
        g.padded_float_output("output0", small, (1, c, n), (0, 0, offset), terms=terms if picture else ())
        g.save(file_name, ultralytics_metadata("pose", names, (imgsz, imgsz), {"kpt_shape": str(list(kpt))}))

    def decode(small_value, frames):
        out0 = np.zeros((c, n), np.float32)
        out0[:, offset:offset + k] = small_value[0]
        cases = []
        for w0, h0 in frames:
            r, left, top = letterbox(w0, h0, imgsz, imgsz)
            insts = []
            for anchor, box, score, cls in yolo_select(out0, nc):
                fb = to_frame_box(box, r, left, top, w0, h0)
                kps = []
                for j in range(kpt[0]):
                    x, y, v = (float(out0[4 + nc + 3 * j + d, anchor]) for d in range(3))
                    kps.append([r6(min(max((x - left) / r, 0), w0)), r6(min(max((y - top) / r, 0), h0)), r6(v)])
                insts.append({"box": [r6(v) for v in fb], "score": r6(score), "class_id": cls, "keypoints": kps})
            cases.append({"frame_width": w0, "frame_height": h0,
                          "letterbox": {"scale": r6(r), "pad_x": left, "pad_y": top}, "instances": insts})
        return cases

    image = letterboxed_input(pattern_rgb(), imgsz, imgsz)
    image_case = decode(with_terms(small, terms, image), [PATTERN_SIZE])[0]
    zero_cases = decode(small, FRAMES)
    assert len(image_case["instances"]) == len(zero_cases[0]["instances"]) + 1, "the lifted candidate must pass conf"
    assert abs(image_case["instances"][0]["box"][0] - zero_cases[0]["instances"][0]["box"][0]) > 10, "no visible shift"
    image_case["image"] = "Input/Fixtures/" + PATTERN_FILE
    write_json("yolo-pose.expected.json", {
        "model": "yolo-pose.onnx", "picture_model": "yolo-pose-picture.onnx", "adapter": "yolo-pose", "input_name": "images",
        "input_width": imgsz, "input_height": imgsz, "class_names": ["person"], "cases": zero_cases,
        "image_cases": [image_case]})


# ----------------------------------------------------------------------------------------------------------------
# torchvision-like R-CNN (hand-built graphs with torchvision's output conventions)
# ----------------------------------------------------------------------------------------------------------------

RCNN_FRAMES = [(640, 480), (500, 400)]

# (label, score, ellipse cx, cy, a, b) in image pixels; box = the ellipse's bounding box.
MASK_DETS = [
    (1, 0.98, 200.3, 240.6, 80.37, 150.35),
    (18, 0.71, 470.7, 330.2, 90.45, 60.15),
    (3, 0.32, 100.7, 100.2, 30.45, 20.15),   # below 0.5: dropped
]


def make_maskrcnn():
    n = len(MASK_DETS)
    # The constant fixture (other tests run it on real video and expect its fixed outputs), then the same graph
    # with the input-dependent terms for the picture cases.
    for file_name, picture in (("maskrcnn.onnx", False), ("maskrcnn-picture.onnx", True)):
        g = Graph("images_tensors", [3, "height", "width"])
        boxes = np.array([[cx - a, cy - b, cx + a, cy + b] for _, _, cx, cy, a, b in MASK_DETS], np.float32)
        g.float_const_output("boxes", boxes, ["N", 4])
        g.int64_const_output("labels", np.array([d[0] for d in MASK_DETS]), ["N"])
        # Input-dependent: the third detection gains 0.5 * the red of the picture's top-left 32x32 corner (zero on an
        # all-zero input), which lifts it over 0.5 only with RGB order and 0..1 scaling (see make_keypointrcnn).
        scores = np.array([d[1] for d in MASK_DETS], np.float32)
        w_lift = np.zeros_like(scores)
        w_lift[2] = 0.5
        score_terms = [(w_lift, (0, 0, 32, 0, 32))]
        g.float_const_output("scores", scores, ["N"], terms=score_terms if picture else ())

        # masks[n,0,y,x] = clip(1.5 - d, 0, 1), d = ((x+0.5-cx)/a)^2 + ((y+0.5-cy)/b)^2: >= 0.5 exactly inside the ellipse.
        shape = g.node("Shape", [g.input_name])
        hw = g.node("Cast", [g.node("Gather", [shape, g.const(np.array([1, 2], np.int64))])], to=TensorProto.FLOAT)
        h = g.node("Gather", [hw, g.const(np.array(0, np.int64))])
        w = g.node("Gather", [hw, g.const(np.array(1, np.int64))])
        half, one = g.const(np.array(0.5, np.float32)), g.const(np.array(1.0, np.float32))
        xs = g.node("Reshape", [g.node("Range", [half, w, one]), g.const(np.array([1, 1, 1, -1], np.int64))])
        ys = g.node("Reshape", [g.node("Range", [half, h, one]), g.const(np.array([1, 1, -1, 1], np.int64))])
        p = lambda col: g.const(np.array([d[col] for d in MASK_DETS], np.float32).reshape(n, 1, 1, 1))
        dx = g.node("Div", [g.node("Sub", [xs, p(2)]), p(4)])
        dy = g.node("Div", [g.node("Sub", [ys, p(3)]), p(5)])
        d = g.node("Add", [g.node("Mul", [dx, dx]), g.node("Mul", [dy, dy])])
        prob = g.node("Clip", [g.node("Sub", [g.const(np.array(1.5, np.float32)), d]),
                               g.const(np.array(0.0, np.float32)), one])
        g.node("Add", [prob, g.zero], out="masks")
        g.output("masks", TensorProto.FLOAT, ["N", 1, "height", "width"])
        g.save(file_name)

    def decode(scores_value, frames):
        cases = []
        for w0, h0 in frames:
            insts = []
            for (label, _, cx, cy, a, b), score in zip(MASK_DETS, scores_value):
                if score < 0.5:
                    continue
                box = [cx - a, cy - b, cx + a, cy + b]
                box32 = [float(np.float32(v)) for v in box]
                fb = [min(max(box32[0], 0), w0), min(max(box32[1], 0), h0), min(max(box32[2], 0), w0), min(max(box32[3], 0), h0)]
                x0, y0, x1, y1 = box_rect(fb, w0, h0)
                f32 = np.float32
                xs_ = (np.arange(x0, x1, dtype=f32) + f32(0.5))
                ys_ = (np.arange(y0, y1, dtype=f32) + f32(0.5))
                ddx = (xs_ - f32(cx)) / f32(a)
                ddy = (ys_ - f32(cy)) / f32(b)
                dd = ddx[None, :] * ddx[None, :] + ddy[:, None] * ddy[:, None]
                pr = np.clip(f32(1.5) - dd, f32(0), f32(1))
                if pr.size and np.abs(pr - 0.5).min() < 1e-5:  # many float32 ulps
                    raise SystemExit("fixture design: a mask probability sits on 0.5")
                mask = (pr >= 0.5).astype(np.uint8)
                insts.append({"box": [r6(v) for v in fb], "score": r6(np.float32(score)), "class_id": label,
                              "mask": mask_json((x0, y0, x1 - x0, y1 - y0), mask)})
            cases.append({"frame_width": w0, "frame_height": h0, "instances": insts})
        return cases

    picture = pattern_rgb().transpose(2, 0, 1) / 255.0
    image_case = decode(with_terms(scores, score_terms, picture), [PATTERN_SIZE])[0]
    cases = decode(scores, RCNN_FRAMES)
    assert len(image_case["instances"]) == len(cases[0]["instances"]) + 1, "the lifted detection must pass 0.5"
    image_case["image"] = "Input/Fixtures/" + PATTERN_FILE
    write_json("maskrcnn.expected.json", {
        "model": "maskrcnn.onnx", "picture_model": "maskrcnn-picture.onnx", "adapter": "maskrcnn", "input_name": "images_tensors",
        "input_width": 0, "input_height": 0, "cases": cases, "image_cases": [image_case]})


def bilinear_resize(m, oh, ow):
    """F.interpolate(mode='bilinear', align_corners=False) of a 2-D array to (oh, ow), in float64."""
    ih, iw = m.shape

    def axis(n_out, n_in):
        p = np.maximum((np.arange(n_out) + 0.5) * n_in / n_out - 0.5, 0)
        i0 = np.minimum(np.floor(p).astype(int), n_in - 1)
        return i0, np.minimum(i0 + 1, n_in - 1), p - i0

    xi0, xi1, lx = axis(ow, iw)
    yi0, yi1, ly = axis(oh, ih)
    t = (1 - lx)[None, :] * m[np.ix_(yi0, xi0)] + lx[None, :] * m[np.ix_(yi0, xi1)]
    b = (1 - lx)[None, :] * m[np.ix_(yi1, xi0)] + lx[None, :] * m[np.ix_(yi1, xi1)]
    return (1 - ly)[:, None] * t + ly[:, None] * b


def torchvision_paste(mask, box, im_h, im_w, padding=1):
    """torchvision.models.detection.roi_heads.paste_masks_in_image for one mask (the rule its ONNX export runs too):
    pad the MxM mask by one zero cell, grow the box by (M + 2) / M about its centre, truncate the grown box to int64,
    resize the padded mask bilinearly to (y2 - y1 + 1, x2 - x1 + 1) and paste it there, clipped to the image.
    Returns the image-size probability map and the pasted rectangle (x0, y0, x1, y1 exclusive)."""
    m = mask.shape[-1]
    scale = (m + 2 * padding) / m
    padded = np.pad(mask.astype(np.float64), padding)
    x1, y1, x2, y2 = (float(v) for v in box)
    w_half, h_half = (x2 - x1) * 0.5 * scale, (y2 - y1) * 0.5 * scale
    xc, yc = (x2 + x1) * 0.5, (y2 + y1) * 0.5
    grown = (xc - w_half, yc - h_half, xc + w_half, yc + h_half)
    assert_off_integer(grown, "grown paste box edge")  # float32 and float64 must truncate alike
    e = [int(v) for v in grown]  # .to(torch.int64) truncates toward zero
    w, h = max(e[2] - e[0] + 1, 1), max(e[3] - e[1] + 1, 1)
    resized = bilinear_resize(padded, h, w)
    image = np.zeros((im_h, im_w))
    px0, px1 = max(e[0], 0), min(e[2] + 1, im_w)
    py0, py1 = max(e[1], 0), min(e[3] + 1, im_h)
    image[py0:py1, px0:px1] = resized[py0 - e[1]:py1 - e[1], px0 - e[0]:px1 - e[0]]
    return image, (px0, py0, px1, py1)


# Mask R-CNN as torchvision's export returns it: 28x28 mask-head probabilities pasted into the image by
# paste_masks_in_image, so a mask may reach a pixel or two past its box. (label, score, box, 28x28 pattern)
PASTE_FRAME = (160, 120)
PASTE_DETS = [
    (1, 0.93, (20.6, 10.3, 60.9, 100.7), "full"),      # all confident: the paste spills past floor/ceil of the box
    (18, 0.61, (90.2, 30.8, 150.4, 70.1), "ellipse"),
    (17, 0.50, (5.3, 70.2, 40.8, 118.6), "ellipse"),    # exactly 0.5: kept (>= 0.5)
    (3, 0.49, (100.3, 80.6, 140.2, 110.9), "full"),     # below 0.5: dropped
]


def paste_pattern(kind):
    g = (np.arange(28) + 0.5) / 28 - 0.5
    if kind == "full":
        return np.full((28, 28), 0.97)
    d = (g[None, :] / 0.45) ** 2 + (g[:, None] / 0.4) ** 2
    return np.clip(1.4 - d, 0.02, 0.98)


def make_maskrcnn_paste():
    w0, h0 = PASTE_FRAME
    n = len(PASTE_DETS)
    full = np.zeros((n, 1, h0, w0), np.float32)
    insts = []
    for i, (label, score, box, kind) in enumerate(PASTE_DETS):
        image, paste_rect = torchvision_paste(paste_pattern(kind), box, h0, w0)
        live = image[image > 0]
        if live.size and np.abs(live - 0.5).min() < 1e-4:
            raise SystemExit("fixture design: a pasted mask probability sits on 0.5")
        full[i, 0] = image.astype(np.float32)
        if score < 0.5:
            continue
        on = image >= 0.5
        ys, xs = np.nonzero(on)
        # Every confident pixel lies in the pasted rectangle, and the decoded mask holds all of them: its rectangle is
        # the box's (floor/ceil, clipped) grown to take in those that spill past it.
        assert xs.min() >= paste_rect[0] and xs.max() < paste_rect[2] and ys.min() >= paste_rect[1] and ys.max() < paste_rect[3]
        b32 = [float(np.float32(v)) for v in box]
        bx0, by0, bx1, by1 = box_rect(b32, w0, h0)
        x0, y0 = min(bx0, int(xs.min())), min(by0, int(ys.min()))
        x1, y1 = max(bx1, int(xs.max()) + 1), max(by1, int(ys.max()) + 1)
        spill = int(on.sum() - on[by0:by1, bx0:bx1].sum())
        insts.append({"box": [r6(v) for v in b32], "score": r6(np.float32(score)), "class_id": label,
                      "mask": mask_json((x0, y0, x1 - x0, y1 - y0), on[y0:y1, x0:x1].astype(np.uint8)),
                      "paste_rect": list(paste_rect), "pixels_past_box": spill})
    if not any(inst["pixels_past_box"] > 0 for inst in insts):
        raise SystemExit("fixture design: no mask reaches past its box; the paste rule would go unchecked")

    g = Graph("images_tensors", [3, h0, w0])
    g.float_const_output("boxes", np.array([d[2] for d in PASTE_DETS], np.float32), ["N", 4])
    g.int64_const_output("labels", np.array([d[0] for d in PASTE_DETS]), ["N"])
    g.float_const_output("scores", np.array([d[1] for d in PASTE_DETS], np.float32), ["N"])
    g.float_const_output("masks", full, ["N", 1, h0, w0])
    g.save("maskrcnn-paste.onnx")
    write_json("maskrcnn-paste.expected.json", {
        "model": "maskrcnn-paste.onnx", "adapter": "maskrcnn", "input_name": "images_tensors",
        "input_width": 0, "input_height": 0, "paste_rule": "torchvision paste_masks_in_image (M=28, padding 1)",
        "cases": [{"frame_width": w0, "frame_height": h0, "instances": insts}]})


def make_keypointrcnn():
    # The constant fixture (other tests run it on real video and expect its fixed outputs), then the same graph
    # with the input-dependent terms for the picture cases.
    for file_name, picture in (("keypointrcnn.onnx", False), ("keypointrcnn-picture.onnx", True)):
        g = Graph("images", [3, "height", "width"])
        dets = [
            (1, 0.95, (120.3, 60.7, 260.1, 420.9)),
            (1, 0.40, (300.3, 50.7, 400.1, 300.9)),   # below 0.5: dropped (on the picture: lifted over it)
            (1, 0.70, (400.3, 100.7, 630.1, 470.9)),
        ]
        n, k = len(dets), 17
        kps = np.zeros((n, k, 3), np.float32)
        logits = np.zeros((n, k), np.float32)
        for i, (_, _, (x1, y1, x2, y2)) in enumerate(dets):
            for j in range(k):
                kps[i, j] = (x1 + (x2 - x1) * ((j * 5 + i) % 17) / 16, y1 + (y2 - y1) * j / 16, 1.0)
                logits[i, j] = -4.0 + 12.0 * ((j * 3 + i) % 17) / 16
        kps[2, 5, 0] = 655.25  # beyond a 640-wide frame: clipped
        boxes = np.array([d[2] for d in dets], np.float32)
        scores = np.array([d[1] for d in dets], np.float32)

        # Input-dependent terms, zero on an all-zero input: the first box moves right by 40 * (red - blue) of the
        # picture's top-left 32x32 corner (the input is the frame itself, RGB / 255), and the second detection gains
        # 0.5 * that red, which lifts it over 0.5 only when the channels are in RGB order and scaled to 0..1.
        region_red, region_blue = (0, 0, 32, 0, 32), (2, 0, 32, 0, 32)
        w_shift = np.zeros_like(boxes)
        w_shift[0, [0, 2]] = 40.0
        w_lift = np.zeros_like(scores)
        w_lift[1] = 0.5
        box_terms = [(w_shift, region_red), (-w_shift, region_blue)]
        score_terms = [(w_lift, region_red)]
        g.float_const_output("boxes", boxes, ["N", 4], terms=box_terms if picture else ())
        g.int64_const_output("labels", np.array([d[0] for d in dets]), ["N"])
        g.float_const_output("scores", scores, ["N"], terms=score_terms if picture else ())
        g.float_const_output("keypoints", kps, ["N", 17, 3])
        # torch.onnx.export names only four outputs in the reference test; the fifth gets an automatic name.
        g.float_const_output("3327", logits, ["N", 17])
        g.save(file_name)

    def decode(boxes_value, scores_value, frames):
        cases = []
        for w0, h0 in frames:
            insts = []
            for i, label in enumerate(d[0] for d in dets):
                if scores_value[i] < 0.5:
                    continue
                b32 = [float(v) for v in boxes_value[i]]
                fb = [min(max(b32[0], 0), w0), min(max(b32[1], 0), h0), min(max(b32[2], 0), w0), min(max(b32[3], 0), h0)]
                kp = [[r6(min(max(kps[i, j, 0], 0), w0)), r6(min(max(kps[i, j, 1], 0), h0)),
                       r6(1 / (1 + math.exp(-float(logits[i, j]))))] for j in range(k)]
                insts.append({"box": [r6(v) for v in fb], "score": r6(scores_value[i]), "class_id": label, "keypoints": kp})
            cases.append({"frame_width": w0, "frame_height": h0, "instances": insts})
        return cases

    picture = pattern_rgb().transpose(2, 0, 1) / 255.0
    image_case = decode(with_terms(boxes, box_terms, picture), with_terms(scores, score_terms, picture), [PATTERN_SIZE])[0]
    zero_cases = decode(boxes, scores, RCNN_FRAMES)
    assert len(image_case["instances"]) == len(zero_cases[0]["instances"]) + 1, "the lifted detection must pass 0.5"
    image_case["image"] = "Input/Fixtures/" + PATTERN_FILE
    write_json("keypointrcnn.expected.json", {
        "model": "keypointrcnn.onnx", "picture_model": "keypointrcnn-picture.onnx", "adapter": "keypointrcnn", "input_name": "images",
        "input_width": 0, "input_height": 0, "keypoint_score": "sigmoid(keypoints_scores)", "cases": zero_cases,
        "image_cases": [image_case]})


def make_unsupported():
    """A classifier-shaped model ([1,3,224,224] -> [1,1000]) that no adapter accepts."""
    g = Graph("input", [1, 3, 224, 224])
    g.float_const_output("logits", np.zeros((1, 1000), np.float32))
    g.save("unsupported-classifier.onnx", {"task": "classify"})
    g = Graph("images", [1, 3, 320, 320])
    g.padded_float_output("output0", np.zeros((1, 8, 1), np.float32), (1, 8, 2100), (0, 0, 0))
    g.save("unsupported-detect.onnx")


def main():
    os.makedirs(OUT, exist_ok=True)
    os.makedirs(INPUT_DIR, exist_ok=True)
    write_png(os.path.join(INPUT_DIR, PATTERN_FILE), pattern_rgb())
    make_yolo_seg()
    make_yolo_pose()
    make_maskrcnn()
    make_maskrcnn_paste()
    make_keypointrcnn()
    make_unsupported()
    if "--torchvision" in sys.argv:
        import make_torchvision_fixtures  # noqa: E402  (optional; needs python3-torch and python3-torchvision)
        make_torchvision_fixtures.main(OUT)


if __name__ == "__main__":
    main()
