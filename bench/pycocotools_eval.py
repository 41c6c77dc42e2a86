"""Reference timing for bench/run.ts: one whole pycocotools evaluation (loading included).

usage: python3 bench/pycocotools_eval.py GT.json[.gz] RESULTS.json[.gz] bbox|segm
Gzipped files are read as pycocotools users do: json.load of the gunzipped text. Prints one JSON line: {"stats": [...], "seconds": s, "evalSeconds": s, "maxRssBytes": n}.
"""
import contextlib
import gzip
import io
import json
import resource
import sys
import time

t0 = time.perf_counter()
from pycocotools.coco import COCO  # noqa: E402
from pycocotools.cocoeval import COCOeval  # noqa: E402

gt_path, dt_path, iou_type = sys.argv[1:4]


def load(path):
    with (gzip.open(path, "rt") if path.endswith(".gz") else open(path)) as f:
        return json.load(f)


with contextlib.redirect_stdout(io.StringIO()):
    gt = COCO()
    gt.dataset = load(gt_path)
    gt.createIndex()
    dt = gt.loadRes(load(dt_path))
    t1 = time.perf_counter()
    ev = COCOeval(gt, dt, iou_type)
    ev.evaluate()
    ev.accumulate()
    ev.summarize()
    t2 = time.perf_counter()
print(json.dumps({
    "stats": [float(x) for x in ev.stats],
    "seconds": time.perf_counter() - t0,
    # COCOeval's evaluate + accumulate + summarize alone (inputs already loaded): bench/eval-only.ts
    "evalSeconds": t2 - t1,
    "maxRssBytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
}))
