/**
 * Bad COCO input. The message is one line: the JSON path of the offending value, a colon, the problem
 * (e.g. `annotations[3].area: missing`), so that a CLI can print it as is.
 */
export class CocoInputError extends Error {
  override name = "CocoInputError";
  /** The JSON path the message starts with (`annotations[3].area`, `results`, ...). */
  readonly path: string;
  constructor(path: string, problem: string) {
    super(`${path}: ${problem}`);
    this.path = path;
  }
}

/** A short, one-line rendering of a JSON value for error messages. */
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
