// Types of gen-contexts.mjs for the tests (test/house/contexts.test.ts).
export interface ContextField {
  name: string;
  io?: "in" | "out" | "inout";
  doc?: string;
}
export interface ContextBlock {
  prefix: string;
  kernels: string[];
  doc: string;
  fields: ContextField[];
}
export interface ContextEnum {
  prefix: string;
  type: "u8" | "u32";
  doc: string;
  values: [string, number, string][];
}
export interface ContextSchema {
  blocks: Record<string, ContextBlock>;
  enums: Record<string, ContextEnum>;
}
export function loadSchema(text: string): ContextSchema;
export function assemblySource(schema: ContextSchema): string;
export function bindingsSource(schema: ContextSchema): string;
