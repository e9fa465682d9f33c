/**
 * Plain-text output of the benchmark: aligned columns and number formats, nothing else.
 */

/** Right-aligns numbers, left-aligns the first column; columns are separated by two spaces. */
export function formatTable (header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => r[i].length)))
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd()
  return [line(header), widths.map(w => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n')
}

/** 1234567 → "1,234,567". */
export function int (n: number): string {
  return Math.round(n).toLocaleString('en-US')
}

/** A fixed number of decimals. */
export function fixed (n: number, digits: number): string {
  return n.toFixed(digits)
}

/** 0.0312 → "3.1%". */
export function percent (share: number): string {
  return `${(share * 100).toFixed(share < 0.01 ? 2 : 1)}%`
}

/** A flag's positive integer (`100000`, `100_000` or `100,000`); undefined when the flag is absent. */
export function positiveInt (name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined
  const n = Number(v.replaceAll('_', '').replaceAll(',', ''))
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} expects a positive integer, got "${v}"`)
  return n
}
