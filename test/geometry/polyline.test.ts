// polylineCounts vs a naive per-pixel test (distance of each pixel centre to every segment <= width / 2)
// on random polylines, widths and image sizes, decoded through ReferenceGeometry's run-length codec.
import { describe, expect, it } from "vitest";
import { polylineCounts } from "../../bindings/geometry/polyline.js";
import { ReferenceGeometry } from "../../bindings/geometry/reference.js";
import { mulberry32 } from "../helpers/random.js";

const engine = new ReferenceGeometry();

function distToSegment(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const L2 = dx * dx + dy * dy;
  const t = L2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / L2));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

function naive(xy: number[], width: number, h: number, w: number): Uint8Array {
  const out = new Uint8Array(h * w); // column-major
  const n = xy.length / 2;
  for (let x = 0; x < w; x++)
    for (let y = 0; y < h; y++) {
      let d = Infinity;
      for (let i = 0; i < Math.max(1, n - 1); i++) {
        const j = Math.min(i + 1, n - 1);
        d = Math.min(d, distToSegment(x + 0.5, y + 0.5, xy[2 * i]!, xy[2 * i + 1]!, xy[2 * j]!, xy[2 * j + 1]!));
      }
      out[x * h + y] = d <= width / 2 ? 1 : 0;
    }
  return out;
}

describe("polylineCounts", () => {
  it("equals the per-pixel distance test on 400 random polylines (1-6 points, repeated points, widths 0.5-12)", () => {
    const r = mulberry32(11);
    for (let c = 0; c < 400; c++) {
      const h = 1 + Math.floor(r() * 30);
      const w = 1 + Math.floor(r() * 30);
      const n = 1 + Math.floor(r() * 6);
      const xy: number[] = [];
      for (let i = 0; i < n; i++) {
        if (i > 0 && r() < 0.15) xy.push(xy[2 * i - 2]!, xy[2 * i - 1]!); // a repeated point
        else xy.push(r() * (w + 10) - 5, r() * (h + 10) - 5);
      }
      const width = 0.5 + r() * 11.5;
      const got = engine.rleToBitmask(engine.rleFromCounts(polylineCounts(xy, width, h, w), h, w), "column-major");
      expect(Array.from(got), `case ${c}: ${JSON.stringify({ xy, width, h, w })}`).toEqual(Array.from(naive(xy, width, h, w)));
    }
  });

  it("a single point is the disc of the width; horizontal and vertical lines on pixel centres", () => {
    const disc = engine.rleToBitmask(engine.rleFromCounts(polylineCounts([5.5, 5.5], 4, 11, 11), 11, 11), "column-major");
    expect(disc.reduce((a, b) => a + b, 0)).toBe(13); // centres within 2 px of (5.5, 5.5): 1 + 4 + 4 + 4
    const line = engine.rleFromCounts(polylineCounts([0.5, 2.5, 8.5, 2.5], 1, 5, 10), 5, 10);
    expect(engine.rleArea(line)).toBe(9); // width 1: only row 2's centres x = 0.5..8.5 (rows 1, 3 and x = 9.5 are 1 px away)
  });
});
