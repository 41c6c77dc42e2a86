/**
 * Bad COCO input. The message is one line: the JSON path of the offending value, a colon, the problem
 * (e.g. `annotations[3].area: missing`), so that a CLI can print it as is. For JSON syntax and file
 * problems the path is the file name (`gt.json: file is truncated (...)`).
 */
export class CocoInputError extends Error {
  override name = "CocoInputError";
  /** The JSON path the message starts with (`annotations[3].area`, `results`, ...). */
  readonly path: string;
  /** `message`, when given, is the whole message (it must start with `path: `). */
  constructor(path: string, problem: string, message?: string) {
    const text = oneLine(message ?? (path ? `${path}: ${problem}` : problem));
    super(text);
    this.path = message !== undefined && !path ? text.slice(0, Math.max(0, text.indexOf(": "))) : path;
  }
}

/** Collapses line breaks so that a message is always one line. */
function oneLine(s: string): string {
  return /[\r\n]/.test(s) ? s.replace(/\s*[\r\n]+\s*/g, " ") : s;
}

/** A short, one-line rendering of a JSON value, with its type (used where 2 and "2" must be told apart). */
export function describeValue(value: unknown): string {
  if (value === undefined) return "missing";
  if (typeof value === "string") return `${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)} (string)`;
  if (typeof value === "number") return `${value} (number)`;
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === "object") return "an object";
  return `${String(value)} (${typeof value})`;
}

/** One line naming up to `max` values, then how many more there are. */
export function listValues(values: readonly unknown[], max = 5): string {
  const shown = values.slice(0, max).map(describeValue).join(", ");
  return values.length > max ? `${shown} and ${values.length - max} more` : shown;
}

/** What an argument is, for a misuse message: "a plain object", "an array", "undefined", "a CocoResults". */
function kindOf(v: unknown): string {
  if (v === undefined || v === null) return String(v);
  if (Array.isArray(v)) return "an array";
  if (typeof v !== "object") return `a ${typeof v}`;
  const k = (v as { kind?: unknown }).kind;
  if (k === "coco-dataset") return "a parsed dataset (CocoDataset)";
  if (k === "coco-results") return "parsed results (CocoResults)";
  return "a plain object";
}

/**
 * Library misuse (a wrong argument, not bad data): a TypeError that says what was expected and what
 * came, e.g. `parseCocoResults: the second argument must be the dataset parseCocoDataset() returned, got a plain object`.
 */
export function checkArgument(ok: boolean, fn: string, which: string, expected: string, got: unknown): void {
  if (!ok) throw new TypeError(`${fn}: ${which} must be ${expected}, got ${kindOf(got)}`);
}

/** A GeometryEngine: createEngine()'s result or ReferenceGeometry. */
export function isGeometryEngine(v: unknown): boolean {
  return typeof v === "object" && v !== null && typeof (v as { boxIou?: unknown }).boxIou === "function" && typeof (v as { maskIou?: unknown }).maskIou === "function";
}
