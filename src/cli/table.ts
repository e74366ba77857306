/**
 * Plain-text tables for the CLI: aligned columns, long cells cut with an ellipsis so a row stays one line.
 * Scripts use `--json`; tables are for people.
 */
export interface Column<T> {
  header: string;
  value(row: T): string | number | null | undefined;
  /** Cells longer than this are cut (default 48). */
  max?: number;
}

const cut = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

export function renderTable<T>(columns: Column<T>[], rows: T[]): string {
  if (rows.length === 0) return '(none)';
  const cells = rows.map((r) => columns.map((c) => cut(String(c.value(r) ?? '-').replace(/\s+/g, ' '), c.max ?? 48)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => row[i].length)));
  const line = (row: string[]) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header.toUpperCase())), ...cells.map(line)].join('\n');
}

/** The `page 1/3 (45 total)` line under a paged table. */
export function pageLine(p: { page: number; totalPages: number; total: number }): string {
  return `page ${p.page}/${Math.max(1, p.totalPages)} (${p.total} total)`;
}

/** A page of rows (`{ data, pagination }`, as the API and the typed clients page) as a table and its page line. */
export function renderPage<T>(
  columns: Column<T>[],
  page: { data: T[]; pagination: { page: number; totalPages: number; total: number } },
): string {
  return `${renderTable(columns, page.data)}\n${pageLine(page.pagination)}`;
}
