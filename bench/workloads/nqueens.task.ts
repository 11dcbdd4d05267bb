/**
 * N-Queens solver shared by every system: counts the solutions that extend a
 * prefix (queen columns of the first rows), with bitmasks. The default
 * export is the Piscina task.
 */
export function solveFrom(n: number, prefix: readonly number[]): number {
  let cols = 0;
  let d1 = 0;
  let d2 = 0;
  for (let row = 0; row < prefix.length; row++) {
    const c = prefix[row]!;
    cols |= 1 << c;
    d1 |= 1 << (row + c);
    d2 |= 1 << (row - c + n - 1);
  }
  return count(n, prefix.length, cols, d1, d2);
}

function count(n: number, row: number, cols: number, d1: number, d2: number): number {
  if (row === n) return 1;
  let total = 0;
  for (let c = 0; c < n; c++) {
    const a = 1 << c;
    const b = 1 << (row + c);
    const d = 1 << (row - c + n - 1);
    if ((cols & a) === 0 && (d1 & b) === 0 && (d2 & d) === 0)
      total += count(n, row + 1, cols | a, d1 | b, d2 | d);
  }
  return total;
}

/** Every valid placement of the first `depth` rows: the work items handed out. */
export function prefixes(n: number, depth: number): number[][] {
  const out: number[][] = [];
  const place = (p: number[]) => {
    if (p.length === depth) return void out.push(p);
    for (let c = 0; c < n; c++) {
      const row = p.length;
      if (p.every((pc, r) => pc !== c && Math.abs(pc - c) !== row - r)) place([...p, c]);
    }
  };
  place([]);
  return out;
}

export default function task(t: { n: number; prefix: number[] }): number {
  return solveFrom(t.n, t.prefix);
}
