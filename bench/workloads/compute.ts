/**
 * The arithmetic Savina's fork-join workloads do per message
 * (`performComputation`): sin(θ)², checked by the caller so no engine can
 * drop it as dead code. Pure functions shared by every system.
 */
export function performComputation(theta: number): number {
  const s = Math.sin(theta);
  return s * s;
}

/** MINSTD (Park–Miller): exact in doubles and in Erlang integers, so every system picks the same peers. */
export function minstd(x: number): number {
  return (x * 16807) % 2147483647;
}
