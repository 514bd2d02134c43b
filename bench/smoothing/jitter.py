#!/usr/bin/env python3
"""Keypoint jitter of tracked people, from streamseg.frame/1 NDJSON files (streamseg run --meta).

For every track seen on two consecutive frames of a source: the box-centre motion dc = c_t - c_(t-1) and, over its
keypoints scored above --min-score on both frames, the mean displacement |dk| and the mean displacement relative to
the box centre |dk - dc| (what is left once the body's own motion is taken out: jitter and limb motion). Prints, per
file, the means over those pairs, the ratio mean |dk| / mean |dc| (1 would mean the keypoints move only as much as the
body does), and mean |dk - dc| over all pairs and over the pairs of people standing still (|dc| < 1 px/frame).
Standard library only.

With --one-euro FPS, the keypoints are first smoothed here with the One Euro filter as StreamSeg's KeypointSmoother
applies it (MediaPipe's settings, speed in box sizes per second, reset on a new track, a missed frame or a
discontinuity): run on a --no-smooth recording, it must give what a --smooth run of the same frames gives.

usage: jitter.py [--min-score 0.3] [--one-euro FPS] a.ndjson [b.ndjson ...]
"""
import json
import math
import sys


class OneEuro:
    """Casiez et al. 2012, as MediaPipe's OneEuroFilter::Apply, with the rate given."""

    def __init__(self, min_cutoff=0.05, beta=80.0, d_cutoff=1.0):
        self.min_cutoff, self.beta, self.d_cutoff = min_cutoff, beta, d_cutoff
        self.started = False

    @staticmethod
    def alpha(cutoff, rate):
        return 1.0 / (1.0 + (1.0 / (2 * math.pi * cutoff)) / (1.0 / rate))

    def apply(self, x, rate, scale):
        if not self.started:
            self.started, self.raw, self.value, self.speed = True, x, x, 0.0
            return x
        a = self.alpha(self.d_cutoff, rate)
        self.speed = a * (x - self.raw) * scale * rate + (1 - a) * self.speed
        b = self.alpha(self.min_cutoff + self.beta * abs(self.speed), rate)
        self.value = b * x + (1 - b) * self.value
        self.raw = x
        return self.value


def smooth(frames, rate):
    state = {}
    for f in frames:
        if f["discontinuity"]:
            state = {k: v for k, v in state.items() if k[0] != f["source_index"]}
        seen = set()
        for inst in f["instances"]:
            tid, kps = inst.get("track_id"), inst.get("keypoints")
            if tid is None or kps is None:
                continue
            key = (f["source_index"], tid)
            seen.add(key)
            last_frame, filters = state.get(key, (None, None))
            if filters is None or last_frame != f["frame"] - 1:
                filters = [(OneEuro(), OneEuro()) for _ in kps]
            state[key] = (f["frame"], filters)
            x1, y1, x2, y2 = inst["box"]
            size = (max(0.0, x2 - x1) + max(0.0, y2 - y1)) / 2
            scale = 1 / size if size > 1e-6 else 1.0
            for k, (fx, fy) in zip(kps, filters):
                k[0] = fx.apply(k[0], rate, scale)
                k[1] = fy.apply(k[1], rate, scale)
        state = {k: v for k, v in state.items() if k in seen or k[0] != f["source_index"]}
        yield f


def pairs(path, min_score, one_euro=None):
    last = {}
    kp_sum = box_sum = rel_sum = still_sum = 0.0
    n = still = 0
    frames = (json.loads(line) for line in open(path, encoding="utf-8") if line.strip())
    if one_euro:
        frames = smooth(frames, one_euro)
    for f in frames:
        seen = {}
        for inst in f["instances"]:
            tid = inst.get("track_id")
            kps = inst.get("keypoints")
            if tid is None or kps is None:
                continue
            x1, y1, x2, y2 = inst["box"]
            cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
            seen[tid] = (cx, cy, kps)
            prev = last.get((f["source_index"], tid))
            if prev is None or prev[0] != f["frame"] - 1:
                continue
            _, (pcx, pcy, pkps) = prev
            dcx, dcy = cx - pcx, cy - pcy
            good = [(k, p) for k, p in zip(kps, pkps)
                    if k[2] is not None and p[2] is not None and k[2] > min_score and p[2] > min_score]
            if not good:
                continue
            dk = sum(math.hypot(k[0] - p[0], k[1] - p[1]) for k, p in good) / len(good)
            rel = sum(math.hypot(k[0] - p[0] - dcx, k[1] - p[1] - dcy) for k, p in good) / len(good)
            dc = math.hypot(dcx, dcy)
            kp_sum += dk
            box_sum += dc
            rel_sum += rel
            n += 1
            if dc < 1.0:
                still_sum += rel
                still += 1
        for tid, v in seen.items():
            last[(f["source_index"], tid)] = (f["frame"], v)
    return n, kp_sum / max(n, 1), box_sum / max(n, 1), rel_sum / max(n, 1), still, still_sum / max(still, 1)


def main(argv):
    min_score, one_euro = 0.3, None
    while argv[:1] in (["--min-score"], ["--one-euro"]):
        if argv[0] == "--min-score":
            min_score = float(argv[1])
        else:
            one_euro = float(argv[1])
        argv = argv[2:]
    print("| file | track pairs | mean keypoint displacement (px/frame) | mean box-centre motion (px/frame) | ratio | "
          "mean keypoint displacement relative to the box centre (px/frame) | the same, people standing still (pairs) |")
    print("|---|---|---|---|---|---|---|")
    for path in argv:
        n, kp, box, rel, still, still_rel = pairs(path, min_score, one_euro)
        label = f"{path} (One Euro here, {one_euro:g} fps)" if one_euro else path
        ratio = kp / box if box else float("nan")
        print(f"| {label} | {n} | {kp:.2f} | {box:.2f} | {ratio:.2f} | {rel:.2f} | {still_rel:.2f} ({still}) |")


if __name__ == "__main__":
    main(sys.argv[1:])
