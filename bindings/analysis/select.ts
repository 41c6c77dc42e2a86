// An analysis input cut down to some images (the CLI's --img-ids / --images-from): their labels and
// predictions, re-indexed; categories and warnings unchanged. Browser-safe.
import { AnalysisInputError, type AnalysisInput, type ImageInfo, type ObjectInput } from "./types.js";

/** The input restricted to the images `ids` (matched as strings: "3" finds 3), in the input's order. */
export function selectImages(input: AnalysisInput, ids: readonly (number | string)[], path = "images"): AnalysisInput {
  const byId = new Map(input.images.map((im, i) => [String(im.id), i]));
  const keep = new Int32Array(input.images.length).fill(-1);
  for (const id of ids) {
    const i = byId.get(String(id));
    if (i === undefined) throw new AnalysisInputError(`${path}: no image with id ${JSON.stringify(id)}`);
    keep[i] = 0;
  }
  const images: ImageInfo[] = [];
  input.images.forEach((im, i) => {
    if (keep[i] === 0) {
      keep[i] = images.length;
      images.push(im);
    }
  });
  const objects = (list: readonly ObjectInput[]) => list.filter((o) => keep[o.image]! >= 0).map((o) => ({ ...o, image: keep[o.image]! }));
  return { ...input, images, labels: objects(input.labels), predictions: objects(input.predictions) };
}
