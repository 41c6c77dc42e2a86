// The object viewer of the report page: one object's image with its labels and predictions drawn, and a grid
// of thumbnails for a selection. (A stub for now: it names the object; the overlays come next.)
import type { Analysis, AnalysisView } from "../../analysis/analysis.js";
import type { ReportMeta } from "../meta.js";

/** One object of the current model: a prediction or a label, by index (input order). */
export interface ObjectRef {
  kind: "prediction" | "label";
  index: number;
}

export interface ViewerContext {
  meta: ReportMeta;
  /** the model the page shows now (index into the report's models), its analysis and its view of the selection */
  current(): { model: number; analysis: Analysis; view: AnalysisView };
}

export interface Viewer {
  /** Shows the object's image with every label and prediction on it drawn, the object and its partner highlighted. */
  show(ref: ObjectRef): void;
  /** A grid of thumbnails of these objects (a selection of the explorer), titled. */
  grid(refs: readonly ObjectRef[], title: string): void;
}

export function createViewer(container: HTMLElement, ctx: ViewerContext): Viewer {
  return {
    show(ref) {
      const { analysis } = ctx.current();
      const image = ref.kind === "prediction" ? analysis.p.pImage[ref.index]! : analysis.p.lImage[ref.index]!;
      const im = analysis.images[image]!;
      container.dataset.shown = `${ref.kind}:${ref.index}`;
      container.textContent = `${ref.kind} ${ref.index} on image ${im.name ?? String(im.id)}`;
    },
    grid(refs, title) {
      container.dataset.shown = `grid:${refs.length}`;
      container.textContent = `${title}: ${refs.length} objects`;
    },
  };
}
