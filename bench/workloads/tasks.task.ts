/**
 * A small task of about 10 µs of arithmetic (the "100,000 small
 * tasks"), shared by every system; the default export is the task. `noop`
 * answers its input (round-trip overhead alone).
 */
export function small(x: number): number {
  let acc = x;
  for (let i = 0; i < 400; i++) acc = (acc * 1103515245 + 12345) % 2147483648;
  return acc % 7;
}

export default small;

export function noop(x: number): number {
  return x;
}

/** When the task started, on the shared wall clock (timeOrigin differs per thread; the sum does not). */
export function stamp(): number {
  return performance.timeOrigin + performance.now();
}
