// One-line renderings of JSON values for error messages ("got VALUE"). Bounded: a value of any size
// or depth (even a cyclic object handed to the library) gives at most ~`max` characters, so an error
// path never stringifies a million-point polygon or overflows the stack.

/** Compact JSON-like text of `value`, cut with "..." past `max` characters; NaN / Infinity as such. */
export function showValue(value: unknown, max = 60): string {
  const out: string[] = [];
  let used = 0;
  let cut = false;
  const push = (s: string): boolean => {
    if (cut) return false;
    if (used + s.length > max) {
      out.push(s.slice(0, Math.max(0, max - used)));
      out.push("...");
      cut = true;
      return false;
    }
    out.push(s);
    used += s.length;
    return true;
  };
  const walk = (v: unknown): void => {
    if (cut) return;
    if (typeof v === "string") {
      push(JSON.stringify(v.length > max ? v.slice(0, max) : v));
      return;
    }
    if (typeof v === "number") {
      push(Object.is(v, -0) ? "-0" : String(v));
      return;
    }
    if (v === null || typeof v === "boolean") {
      push(String(v));
      return;
    }
    if (v === undefined) {
      push("undefined");
      return;
    }
    if (Array.isArray(v)) {
      if (!push("[")) return;
      for (let i = 0; i < v.length; i++) {
        if (i > 0 && !push(",")) return;
        walk(v[i]);
        if (cut) return;
      }
      push("]");
      return;
    }
    if (ArrayBuffer.isView(v)) {
      push(`${v.constructor.name}(${(v as unknown as ArrayLike<number>).length ?? v.byteLength})`);
      return;
    }
    if (typeof v === "object") {
      if (!push("{")) return;
      let first = true;
      for (const k in v) {
        if (!Object.hasOwn(v, k)) continue;
        if (!first && !push(",")) return;
        first = false;
        if (!push(`${JSON.stringify(k.length > max ? k.slice(0, max) : k)}:`)) return;
        walk((v as Record<string, unknown>)[k]);
        if (cut) return;
      }
      push("}");
      return;
    }
    push(typeof v === "bigint" ? `${v}n` : typeof v);
  };
  walk(value);
  return out.join("");
}

/** "missing" for undefined, else "expected EXPECTED, got VALUE". */
export function expectedGot(expected: string, value: unknown): string {
  return value === undefined ? "missing" : `expected ${expected}, got ${showValue(value)}`;
}
