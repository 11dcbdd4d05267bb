/**
 * Savina Trapezoid's arithmetic, shared by every system: the area under
 * Savina's `fx` on [l, r] in pieces of width h (fx evaluated at both ends of
 * each piece, as Savina does). The default export is the Piscina task.
 */
export function fx(x: number): number {
  const a = Math.sin(x * x * x - 1);
  const b = x + 1;
  const c = a / b;
  const d = Math.sqrt(1 + Math.exp(Math.sqrt(2 * x)));
  return c * d;
}

export function area(l: number, r: number, h: number): number {
  const n = Math.round((r - l) / h);
  let acc = 0;
  for (let i = 0; i < n; i++) {
    const lx = l + i * h;
    const rx = lx + h;
    acc += 0.5 * (fx(lx) + fx(rx)) * h;
  }
  return acc;
}

export default function task(t: { l: number; r: number; h: number }): number {
  return area(t.l, t.r, t.h);
}
