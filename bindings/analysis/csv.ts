// One CSV cell, for the explorer and the exported pages (RFC 4180 quoting, formulas neutralised). A leaf.

/**
 * Numbers as JavaScript prints them (NaN empty), null / undefined empty, text quoted when it holds , " or a
 * line break. Text that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage
 * return: a class named `=HYPERLINK(...)`) gets a leading ' and quotes, the OWASP way; numbers stay numbers.
 */
export function csvCell(v: unknown): string {
  if (typeof v === "number") return Number.isNaN(v) ? "" : String(v);
  if (v === null || v === undefined) return "";
  const s = String(v);
  if (/^[=+\-@\t\r]/.test(s)) return `"'${s.replace(/"/g, '""')}"`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows of RFC 4180 CSV text (quoted cells may hold commas, quotes as "" and line breaks; CRLF or LF). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell === "") quoted = true;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += c;
  }
  if (cell !== "" || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}
