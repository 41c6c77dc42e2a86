// Why a model fails, over COCO inputs: TIDE's error decomposition (tidecv's numbers) and LRP (the
// LRP-Error fork's numbers). Browser-safe. The analysis-mode error pages (confusion matrix,
// calibration, bootstrap) are methods of AnalysisView (bindings/analysis/).
export { lrp, type LrpClassResult, type LrpOptions, type LrpResult, type LrpSource } from "./lrp.js";
export {
  tide,
  TIDE_MAIN_ERRORS,
  TIDE_SPECIAL_ERRORS,
  type TideClassResult,
  type TideMainError,
  type TideOptions,
  type TideResult,
  type TideSpecialError,
} from "./tide.js";
