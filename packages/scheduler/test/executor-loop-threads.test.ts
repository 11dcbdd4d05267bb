/**
 * Two executor loops on real worker threads, over trivial units (no
 * actors): an idle executor steals from a saturated one, and every unit's
 * work is done exactly once, on one side or the other.
 *
 * Deterministic: the wall clock the loops read is a SharedArrayBuffer the
 * test sets, the thief ticks only when told, and the victim's units wait,
 * ready, at a gate until the steal is over, so the victim has exactly its 8
 * units ready when the request comes, whatever the machine's load.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Board, SLOT } from '../src/board.ts';
import { ExecutorPool } from '../src/pool.ts';
import { stealCount } from '../src/stealing.ts';
import { WatchdogBoard } from '../src/watchdog.ts';

const require = createRequire(import.meta.url);
const tsx = pathToFileURL(join(dirname(require.resolve('tsx/package.json')), 'dist/esm/api/index.mjs')).href;

/** A unit moved away (`left`) or did its last item (`finished`): the items it did on `node`. */
type Done = { type: 'left' | 'finished'; node: number; id: number; done: number };
type Report = { type: 'warm' } | { type: 'stole'; node: number; victim: number; units: number } | Done;
const is =
  (type: Done['type']) =>
  (r: Report): r is Done =>
    r.type === type;

let pool: ExecutorPool | null = null;

afterEach(async () => {
  await pool?.terminate();
  pool = null;
});

describe('ExecutorLoop on worker threads', () => {
  it('an idle executor steals half of a saturated one’s ready units; each unit’s work is done once', async () => {
    const nodes = 3;
    const board = new Board(nodes);
    const watchdog = new WatchdogBoard(nodes);
    const clock = new SharedArrayBuffer(8);
    const now = new Float64Array(clock);
    const reports: Report[] = [];
    const waiters: Array<() => void> = [];
    const until = (p: () => boolean) =>
      new Promise<void>((resolve) => {
        const check = () => (p() ? resolve() : waiters.push(check));
        check();
      });
    pool = new ExecutorPool({
      entry: new URL('./fixtures/loop-worker.ts', import.meta.url),
      tsx,
      execArgv: [...process.execArgv, '--conditions=@troupe/source'],
      data: {
        boardBuffer: board.buffer,
        boardNodes: nodes,
        watchdogBuffer: watchdog.buffer,
        clock,
        itemUs: 50,
      },
      onControl: (_node, msg) => {
        reports.push(msg as Report);
        for (const w of waiters.splice(0)) w();
      },
    });
    const victim = await pool.start(1, 0);
    const thief = await pool.start(2, 0);
    const UNITS = 8;
    const ITEMS = 200;
    const HOLD = 5;

    // The victim works on its units until the cost per item is known, then they wait, ready.
    victim.worker.postMessage({ type: 'load', units: UNITS, items: ITEMS, hold: HOLD });
    await until(() => reports.some((r) => r.type === 'warm'));
    // Later than the victim's last break by more than SATURATED_MS: it is a victim now.
    now[0] = 1000;
    thief.worker.postMessage({ type: 'tick' });
    await until(() => reports.some((r) => r.type === 'stole'));
    const k = stealCount(UNITS, 2);
    expect(reports.find((r) => r.type === 'stole')).toEqual({ type: 'stole', node: 2, victim: 1, units: k });
    const left = reports.filter(is('left'));
    expect(left.length).toBe(k);
    expect(left.every((r) => r.node === 1 && r.done === HOLD)).toBe(true);

    victim.worker.postMessage({ type: 'release' });
    await until(() => reports.filter((r) => r.type === 'finished').length === UNITS);
    const finished = reports.filter(is('finished'));
    const movedIds = left.map((r) => r.id).sort();
    expect(
      finished
        .filter((r) => r.node === 2)
        .map((r) => r.id)
        .sort(),
    ).toEqual(movedIds);
    // Every unit did all of its items, once: on the victim, or there first and then on the thief.
    const total = new Map<number, number>();
    for (const r of [...left, ...finished]) total.set(r.id, (total.get(r.id) ?? 0) + r.done);
    expect(total.size).toBe(UNITS);
    expect([...total.values()].every((n) => n === ITEMS)).toBe(true);
    expect(board.get(2, SLOT.stealAttempts)).toBe(1);
    expect(board.get(2, SLOT.stealSuccesses)).toBe(1);
  });
});
