// Drawing one image's shapes on a canvas for the report's viewer (page/viewer.ts): boxes, rotated boxes,
// polygons, RLE masks, keypoints and polylines in image coordinates scaled, coloured by outcome.
import { rotatedBoxToPolygon, type RotatedBox } from "../../geometry/types.js";
import { rleFrString } from "../../geometry/reference.js";
import { type PackedShapes, shapeKind, shapeParts, shapeRleString } from "../shapes.js";

/** How one object is drawn. */
export interface Style {
  color: string;
  /** labels dashed, predictions solid */
  dashed: boolean;
  /** the shown object and its partner: thicker, with a white halo */
  highlight: boolean;
  /** ignored, crowd or not kept at the current settings */
  faint: boolean;
}

/** A view of the image: canvas pixel = (image pixel - origin) * scale. */
export interface Frame {
  scale: number;
  x0: number;
  y0: number;
}

/** The mask's column-major counts at (h, w), or undefined when its string does not decode. */
export function maskCounts(s: PackedShapes, i: number, imageH: number, imageW: number): { h: number; w: number; counts: Uint32Array } | undefined {
  const [p] = shapeParts(s, i);
  const h = Number.isNaN(p![0]!) ? imageH : p![0]!;
  const w = Number.isNaN(p![1]!) ? imageW : p![1]!;
  const r = rleFrString(shapeRleString(s, i), h, w);
  return "error" in r ? undefined : { h, w, counts: r.counts };
}

/** An object's extent [x0, y0, x1, y1] in image pixels (NaN when empty). */
export function shapeBounds(s: PackedShapes, i: number, imageH: number, imageW: number, lineWidth: number): [number, number, number, number] {
  const k = shapeKind(s, i);
  const parts = shapeParts(s, i);
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  const add = (x: number, y: number) => {
    x0 = Math.min(x0, x);
    y0 = Math.min(y0, y);
    x1 = Math.max(x1, x);
    y1 = Math.max(y1, y);
  };
  if (k === "box") {
    const b = parts[0]!;
    add(b[0]!, b[1]!);
    add(b[0]! + b[2]!, b[1]! + b[3]!);
  } else if (k === "rotated") {
    const q = rotatedBoxToPolygon(Array.from(parts[0]!) as unknown as RotatedBox);
    for (let j = 0; j + 1 < q.length; j += 2) add(q[j]!, q[j + 1]!);
  } else if (k === "polygon" || k === "polyline") {
    for (const p of parts) for (let j = 0; j + 1 < p.length; j += 2) add(p[j]!, p[j + 1]!);
    if (k === "polyline") {
      x0 -= lineWidth / 2;
      y0 -= lineWidth / 2;
      x1 += lineWidth / 2;
      y1 += lineWidth / 2;
    }
  } else if (k === "keypoints") {
    const p = parts[0]!;
    for (let j = 0; j + 2 < p.length; j += 3) if (p[j + 2]! > 0) add(p[j]!, p[j + 1]!);
    const b = parts[1]!;
    if (b.length === 4) {
      add(b[0]!, b[1]!);
      add(b[0]! + b[2]!, b[1]! + b[3]!);
    }
  } else {
    const m = maskCounts(s, i, imageH, imageW);
    if (m) {
      let at = 0;
      m.counts.forEach((c, j) => {
        if (j % 2 === 1 && c > 0) {
          const c0 = Math.floor(at / m.h);
          const c1 = Math.floor((at + c - 1) / m.h);
          if (c0 === c1) {
            add(c0, at % m.h);
            add(c0 + 1, ((at + c - 1) % m.h) + 1);
          } else {
            add(c0, 0);
            add(c1 + 1, m.h);
          }
        }
        at += c;
      });
    }
  }
  return x0 <= x1 ? [x0, y0, x1, y1] : [NaN, NaN, NaN, NaN];
}

function rgb(color: string): [number, number, number] {
  const n = Number.parseInt(color.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** Draws object i of `s` onto the canvas. */
export function drawShape(
  g: CanvasRenderingContext2D,
  s: PackedShapes,
  i: number,
  st: Style,
  f: Frame,
  image: { width: number; height: number },
  lineWidth: number,
): void {
  const k = shapeKind(s, i);
  const parts = shapeParts(s, i);
  const X = (x: number) => (x - f.x0) * f.scale;
  const Y = (y: number) => (y - f.y0) * f.scale;
  g.save();
  g.globalAlpha = st.faint ? 0.35 : 1;
  g.lineJoin = "round";
  g.lineCap = "round";
  const width = st.highlight ? 4 : 2;
  const stroke = () => {
    if (st.highlight) {
      g.setLineDash([]);
      g.strokeStyle = "#fff";
      g.lineWidth = width + 3;
      g.stroke();
    }
    g.setLineDash(st.dashed ? [6, 4] : []);
    g.strokeStyle = st.color;
    g.lineWidth = width;
    g.stroke();
  };
  const path = (p: ArrayLike<number>, close: boolean) => {
    for (let j = 0; j + 1 < p.length; j += 2) (j === 0 ? g.moveTo : g.lineTo).call(g, X(p[j]!), Y(p[j + 1]!));
    if (close) g.closePath();
  };
  if (k === "box") {
    const b = parts[0]!;
    g.beginPath();
    g.rect(X(b[0]!), Y(b[1]!), b[2]! * f.scale, b[3]! * f.scale);
    stroke();
  } else if (k === "rotated" || k === "polygon") {
    g.beginPath();
    if (k === "rotated") path(rotatedBoxToPolygon(Array.from(parts[0]!) as unknown as RotatedBox), true);
    else for (const p of parts) path(p, true);
    g.globalAlpha *= 0.2;
    g.fillStyle = st.color;
    g.fill("evenodd");
    g.globalAlpha = st.faint ? 0.35 : 1;
    stroke();
  } else if (k === "polyline") {
    g.beginPath();
    path(parts[0]!, false);
    if (parts[0]!.length === 2) g.lineTo(X(parts[0]![0]!), Y(parts[0]![1]!));
    g.setLineDash([]);
    g.globalAlpha *= 0.3;
    g.strokeStyle = st.color;
    g.lineWidth = Math.max(1, lineWidth * f.scale);
    g.stroke();
    g.globalAlpha = st.faint ? 0.35 : 1;
    stroke();
  } else if (k === "keypoints") {
    const p = parts[0]!;
    for (let j = 0; j + 2 < p.length; j += 3) {
      if (!(p[j + 2]! > 0)) continue;
      g.beginPath();
      g.arc(X(p[j]!), Y(p[j + 1]!), st.highlight ? 5 : 3.5, 0, 2 * Math.PI);
      // labels' keypoints are rings, predictions' dots
      if (st.dashed) {
        g.setLineDash([]);
        g.strokeStyle = st.color;
        g.lineWidth = st.highlight ? 2.5 : 1.5;
        g.stroke();
      } else {
        g.fillStyle = st.color;
        g.fill();
      }
    }
  } else {
    const m = maskCounts(s, i, image.height, image.width);
    if (m) drawMask(g, m, st, f);
  }
  g.restore();
}

/** A mask as translucent pixels of its colour, drawn through a canvas of the mask's size (then scaled). */
function drawMask(g: CanvasRenderingContext2D, m: { h: number; w: number; counts: Uint32Array }, st: Style, f: Frame): void {
  const c = document.createElement("canvas");
  c.width = m.w;
  c.height = m.h;
  const mg = c.getContext("2d")!;
  const data = mg.createImageData(m.w, m.h);
  const [r, gr, b] = rgb(st.color);
  const a = st.highlight ? 170 : 110;
  let at = 0;
  m.counts.forEach((n, j) => {
    if (j % 2 === 1) {
      for (let q = at; q < at + n; q++) {
        const o = ((q % m.h) * m.w + Math.floor(q / m.h)) * 4;
        data.data[o] = r;
        data.data[o + 1] = gr;
        data.data[o + 2] = b;
        data.data[o + 3] = a;
      }
    }
    at += n;
  });
  mg.putImageData(data, 0, 0);
  g.imageSmoothingEnabled = false;
  g.drawImage(c, -f.x0 * f.scale, -f.y0 * f.scale, m.w * f.scale, m.h * f.scale);
}
