// How much of a pair matrix (IoU values) one piece of work holds at once. Pair matrices grow with the
// product of two counts (detections x labels of one image), so they are computed in tiles of rows:
// memory stays bounded and no size computation reaches 32 bits. The numbers do not depend on the
// tile sizes (each row is computed and used the same way in any tile); the tests shrink them to
// run the tiled paths on small inputs.
export const TILES = {
  /** IoU values of one block the COCO match kernel holds (16 MiB); bindings/coco/kernel-host.ts. */
  match: 1 << 21,
  /** IoU values GeometryEngine.boxIou / maskIou hold in the engine's memory (32 MiB) before copying them out; bindings/engine/engine.ts. */
  iou: 1 << 22,
  /** IoU values of one image analyze() computes at once (32 MiB); bindings/analysis/analyze.ts. */
  analysis: 1 << 22,
};
