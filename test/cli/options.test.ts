// Option parsing never reaches Object's prototype: "--constructor" and "--__proto__" are unknown
// options (they were an internal error and an accepted option).
import { describe, expect, it } from "vitest";
import { type Command, parseOptions, UsageError } from "../../bindings/cli/command.js";

const command: Command = {
  summary: "",
  usage: "",
  options: { gt: { kind: "value", required: true }, format: { kind: "value", values: ["text", "json"], default: "text" }, debug: { kind: "flag" } },
  run: async () => "",
};

describe("parseOptions", () => {
  it("names of Object's properties are unknown options", () => {
    for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"]) {
      expect(() => parseOptions("x", command, [`--${name}`, "v"]), name).toThrow(new UsageError(`unknown option --${name} for "x"`));
      expect(() => parseOptions("x", command, [`--${name}=1`]), name).toThrow(UsageError);
    }
  });
  it("the options object has no prototype to inherit from", () => {
    const o = parseOptions("x", command, ["--gt", "a.json"]);
    expect(Object.getPrototypeOf(o)).toBeNull();
    expect(o.gt).toBe("a.json");
    expect(o.format).toBe("text");
    expect(o.constructor).toBeUndefined();
  });
});
