// An analysis input whose pairs are known: n unit-box labels and n predictions, the first `hits`
// predictions on labels 0..hits-1 (IoU 1), every other pair disjoint; all in one image, or (spread > 0)
// the hits in image 0 and the rest dealt over `spread` more images, which answers every question the same.
import type { AnalysisInput, ObjectInput } from "../../bindings/analysis/types.js";

export function disjointInput(n: number, hits: number, spread: number): AnalysisInput {
  const imageOf = (i: number) => (spread === 0 || i < hits ? 0 : 1 + (i % spread));
  const images = Array.from({ length: spread + 1 }, (_, i) => ({ id: i + 1, width: 2 * n + 2, height: 20 }));
  const labels: ObjectInput[] = Array.from({ length: n }, (_, j) => ({ id: j + 1, image: imageOf(j), category: 0, shape: { kind: "box", box: [2 * j, 0, 1, 1] } }));
  const predictions: ObjectInput[] = Array.from({ length: n }, (_, i) => ({
    id: i + 1,
    image: imageOf(i),
    category: 0,
    confidence: ((i * 7919) % n) / n,
    shape: { kind: "box", box: i < hits ? [2 * i, 0, 1, 1] : [2 * i, 10, 1, 1] },
  }));
  return { images, categories: [{ id: 1, name: "a" }], labels, predictions };
}
