import {
  type ActorSystem,
  isConfigError,
  isPoolClosedError,
  isPoolFullError,
  isTaskCancelledError,
  isTaskTimeoutError,
  type PoolEvent,
  type SimulatedClock,
} from '@troupe/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import { quiesce, rejection, simSystem, tick } from './helpers.ts';
import { gated, outcome } from './pool-helpers.ts';

let system: ActorSystem;
let clock: SimulatedClock;

afterEach(async () => {
  await system?.shutdown();
});

async function start() {
  ({ system, clock } = await simSystem({ executors: 0 }));
}

/** Lets the pool hand out work and the in-thread workers run it. */
const settle = () => quiesce(system);

describe('system.pool in-thread: results and errors', () => {
  it('submit resolves with the task function result; a thrown error fails its own promise as it is', async () => {
    await start();
    const boom = new TypeError('boom');
    const pool = await system.pool((x: number) => {
      if (x < 0) throw boom;
      return x * 2;
    });
    expect(await pool.submit(21)).toBe(42);
    const e = await rejection(pool.submit(-1));
    expect(e).toBe(boom); // the original error: same object, its class, stack and cause kept
    expect(await pool.submit(1)).toBe(2); // the pool keeps serving
    const s = pool.stats();
    expect([s.submittedTasks, s.completedTasks, s.failedTasks, s.pendingTasks]).toEqual([3, 2, 1, 0]);
  });

  it('an async rejection fails its own promise with the original error', async () => {
    await start();
    const err = new RangeError('nope', { cause: 'why' });
    const pool = await system.pool(async () => {
      await Promise.resolve();
      throw err;
    });
    const e = await rejection(pool.submit(undefined));
    expect(e).toBe(err);
    expect(e.cause).toBe('why');
  });

  it('submitWait runs like submit', async () => {
    await start();
    const pool = await system.pool((x: string) => x.toUpperCase());
    expect(await pool.submitWait('a')).toBe('A');
  });
});

describe('system.pool in-thread: priorities', () => {
  it('hands queued tasks out high priority first, FIFO within a level', async () => {
    await start();
    const g = gated();
    const pool = await system.pool(g.fn, { max: 1, priorities: { levels: 3, agingMs: false } });
    const first = pool.submit('first');
    await settle();
    expect(g.started).toEqual(['first']);
    const all = [
      pool.submit('l1', { priority: 0 }),
      pool.submit('h1', { priority: 2 }),
      pool.submit('m1', { priority: 1 }),
      pool.submit('h2', { priority: 2 }),
      pool.submit('l2', { priority: 0 }),
    ];
    expect(pool.stats().queuedByPriority).toEqual([2, 1, 2]);
    g.open('first');
    for (const x of ['h1', 'h2', 'm1', 'l1', 'l2']) {
      await settle();
      g.open(x);
    }
    await Promise.all([first, ...all]);
    expect(g.started).toEqual(['first', 'h1', 'h2', 'm1', 'l1', 'l2']);
  });
});

describe('system.pool in-thread: backpressure', () => {
  it("a full queue rejects with PoolFullError (whenFull: 'reject'), counted and announced", async () => {
    await start();
    const g = gated();
    const pool = await system.pool(g.fn, { max: 1, queue: { capacity: 2 } });
    const events: PoolEvent[] = [];
    pool.events$.subscribe((e) => events.push(e));
    const a = pool.submit('a');
    await settle(); // a runs; the queue is empty
    const b = pool.submit('b');
    const c = pool.submit('c');
    const e = await rejection(pool.submit('d'));
    expect(isPoolFullError(e)).toBe(true);
    expect(e.context).toEqual({ pool: pool.name, capacity: 2 });
    expect(pool.stats().rejectedTasks).toBe(1);
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'pool.full', action: 'reject', capacity: 2 }),
    );
    g.open('a');
    await settle();
    g.open('b');
    await settle();
    g.open('c');
    expect(await Promise.all([a, b, c])).toEqual(['a', 'b', 'c']);
  });

  it("a full queue makes submit wait for room (whenFull: 'wait'; submitWait always)", async () => {
    await start();
    const g = gated();
    const pool = await system.pool(g.fn, { max: 1, queue: { capacity: 1 } });
    const events: PoolEvent[] = [];
    pool.events$.subscribe((e) => events.push(e));
    const a = pool.submit('a');
    await settle();
    const b = pool.submit('b');
    const c = outcome(pool.submitWait('c')); // the pool rejects by default; submitWait waits
    await settle();
    expect(c.settled).toBe(false);
    const s = pool.stats();
    expect([s.queuedTasks, s.waitingTasks, s.queueDepth, s.rejectedTasks]).toEqual([1, 1, 2, 0]);
    expect(events).toContainEqual(expect.objectContaining({ type: 'pool.full', action: 'wait', waiting: 1 }));
    g.open('a');
    await settle();
    expect(events).toContainEqual(expect.objectContaining({ type: 'pool.room', admitted: 1, waiting: 0 }));
    g.open('b');
    await settle();
    g.open('c');
    await pool.wait();
    expect(await Promise.all([a, b])).toEqual(['a', 'b']);
    expect(c.value).toBe('c');
    expect(g.started).toEqual(['a', 'b', 'c']);
  });
});

describe('system.pool in-thread: cancellation and timeouts', () => {
  it('an AbortSignal removes a queued task (it never runs) and aborts a running one', async () => {
    await start();
    const g = gated();
    const pool = await system.pool(g.fn, { max: 1 });
    const runningAc = new AbortController();
    const queuedAc = new AbortController();
    const a = pool.submit('a', { signal: runningAc.signal, id: 'A' });
    await settle();
    const b = pool.submit('b', { signal: queuedAc.signal });
    queuedAc.abort('changed my mind');
    const eb = await rejection(b);
    expect(isTaskCancelledError(eb)).toBe(true);
    expect(eb.context).toMatchObject({ reason: 'aborted', started: false });
    expect(eb.cause).toBe('changed my mind');
    const signal = g.ctx.get('a')!.signal;
    runningAc.abort();
    const ea = await rejection(a);
    expect(ea.context).toMatchObject({ reason: 'aborted', started: true, task: 'A' });
    await tick();
    expect(signal.aborted).toBe(true);
    expect(isTaskCancelledError(signal.reason)).toBe(true);
    g.open('a');
    await settle();
    expect(g.started).toEqual(['a']);
    expect(pool.stats().cancelledTasks).toBe(2);
  }, 10_000);

  it('a task past its timeoutMs fails with TaskTimeoutError and its signal aborts; the pool keeps serving', async () => {
    await start();
    const g = gated();
    const pool = await system.pool(g.fn, { max: 1, timeoutMs: 100 });
    const a = outcome(pool.submit('a', { id: 'slow' }));
    await settle();
    clock.advance(99);
    await settle();
    expect(a.settled).toBe(false);
    clock.advance(1);
    await settle();
    expect(isTaskTimeoutError(a.error)).toBe(true);
    expect(a.error.context).toEqual({ pool: pool.name, task: 'slow', timeoutMs: 100, attempt: 0 });
    expect(g.ctx.get('a')!.signal.aborted).toBe(true);
    expect(pool.stats().timedOutTasks).toBe(1);
    g.open('a'); // the slow run ends; its late value is discarded
    const b = pool.submit('b');
    await settle();
    g.open('b');
    expect(await b).toBe('b');
    expect(pool.stats().completedTasks).toBe(1);
  });
});

describe('system.pool in-thread: groups and map', () => {
  it('submitAll resolves with results in input order', async () => {
    await start();
    const pool = await system.pool((x: number) => x * x, { max: 3 });
    expect(await pool.submitAll([1, 2, 3, 4, 5])).toEqual([1, 4, 9, 16, 25]);
  });

  it('submitAll (errgroup): the first failure cancels the rest — queued never run, running see their signal — and is what it rejects with', async () => {
    await start();
    const g = gated();
    const pool = await system.pool(g.fn, { max: 2 });
    const boom = new Error('a failed');
    const all = outcome(pool.submitAll(['a', 'b', 'c', 'd']));
    await settle();
    expect(g.started).toEqual(['a', 'b']);
    g.fail('a', boom);
    await settle();
    expect(all.settled).toBe(true);
    expect(all.error).toBe(boom);
    expect(g.ctx.get('b')!.signal.aborted).toBe(true);
    expect(g.ctx.get('b')!.signal.reason).toMatchObject({ code: 'task-cancelled' });
    g.open('b');
    await settle();
    expect(g.started).toEqual(['a', 'b']); // c and d never ran
    const s = pool.stats();
    expect([s.failedTasks, s.cancelledTasks, s.pendingTasks]).toEqual([1, 3, 0]);
  });

  it('a group bounds its tasks in flight (concurrency) and reports results in go order', async () => {
    await start();
    const g = gated();
    const pool = await system.pool(g.fn, { max: 4 });
    const group = pool.group({ concurrency: 2 });
    for (const x of ['a', 'b', 'c', 'd']) group.go(x);
    const done = outcome(group.wait());
    await settle();
    expect(g.started).toEqual(['a', 'b']);
    g.open('b');
    await settle();
    expect(g.started).toEqual(['a', 'b', 'c']);
    for (const x of ['a', 'c', 'd']) {
      g.open(x);
      await settle();
    }
    expect(done.value).toEqual(['a', 'b', 'c', 'd']);
    expect(g.peak).toBe(2);
  });

  it('map pulls inputs only as tasks end (bounded in flight) and yields results in input order', async () => {
    await start();
    const g = gated();
    const pool = await system.pool(g.fn, { max: 4 });
    let pulled = 0;
    function* inputs() {
      for (let i = 0; i < 6; i++) {
        pulled++;
        yield `x${i}`;
      }
    }
    const out: string[] = [];
    const consumed = (async () => {
      for await (const v of pool.map(inputs(), { concurrency: 3 })) out.push(v);
    })();
    await settle();
    expect(pulled).toBe(3);
    g.open('x1'); // ends out of order: x0 still holds the head
    await settle();
    expect(out).toEqual([]);
    expect(pulled).toBe(3);
    g.open('x0');
    await settle();
    expect(out).toEqual(['x0', 'x1']);
    expect(pulled).toBe(5);
    for (const x of ['x2', 'x3', 'x4', 'x5']) g.open(x);
    await consumed;
    expect(out).toEqual(['x0', 'x1', 'x2', 'x3', 'x4', 'x5']);
    expect(g.peak).toBeLessThanOrEqual(3);
  });

  it('map throws the first failure and cancels its other pending tasks', async () => {
    await start();
    const g = gated();
    const pool = await system.pool(g.fn, { max: 2 });
    const it = pool.map(['a', 'b', 'c'], { concurrency: 3 });
    const first = it.next();
    await settle();
    g.fail('a', new Error('bad a'));
    await expect(first).rejects.toThrow('bad a');
    await settle();
    expect(pool.stats().pendingTasks).toBe(0);
    expect(g.started).toEqual(['a', 'b']); // c was cancelled while queued
    expect(g.ctx.get('b')!.signal.aborted).toBe(true); // b was running: its signal aborted
    g.open('b');
  });
});

describe('system.pool in-thread: wait, resize, stats', () => {
  it('wait() resolves once every submitted task has ended', async () => {
    await start();
    const g = gated();
    const pool = await system.pool(g.fn, { max: 2 });
    void pool.submit('a');
    void pool.submit('b').catch(() => {});
    const w = outcome(pool.wait());
    await settle();
    g.open('a');
    await settle();
    expect(w.settled).toBe(false);
    g.fail('b', new Error('x'));
    await settle();
    expect(w.settled).toBe(true);
  });

  it('resize(n) grows and shrinks the workers; busy surplus workers retire once their task ends', async () => {
    await start();
    const g = gated();
    const pool = await system.pool(g.fn, { min: 1, max: 1 });
    expect(pool.stats().workers).toBe(1);
    pool.resize(3);
    await settle();
    expect(pool.stats().workers).toBe(3);
    for (const x of ['a', 'b', 'c']) void pool.submit(x);
    await settle();
    expect(g.running).toBe(3);
    const s = pool.stats();
    expect([s.activeWorkers, s.runningTasks]).toEqual([3, 3]);
    pool.resize(1);
    g.open('a');
    await settle();
    expect(pool.stats().workers).toBe(2); // one retired at once (its task ended), one still busy
    g.open('b');
    g.open('c');
    await settle();
    expect(pool.stats().workers).toBe(1);
    expect(() => pool.resize(0)).toThrow(/pool.resize\(n\)/);
  });

  it('grows toward max under a backlog and retires idle workers above min after idleTimeoutMs', async () => {
    await start();
    const g = gated();
    const pool = await system.pool(g.fn, { min: 1, max: 3, idleTimeoutMs: 1000 });
    for (const x of ['a', 'b', 'c']) void pool.submit(x);
    await settle();
    expect(pool.stats().workers).toBe(3);
    for (const x of ['a', 'b', 'c']) g.open(x);
    await settle();
    clock.advance(1000);
    await settle();
    expect(pool.stats().workers).toBe(1);
  });

  it('stats: wait and run time percentiles and utilization on the injected clock', async () => {
    await start();
    const g = gated();
    const pool = await system.pool(g.fn, { max: 1 });
    const a = pool.submit('a');
    const b = pool.submit('b');
    await settle();
    clock.advance(40);
    g.open('a'); // a ran 40 ms; b waited 40 ms
    await a;
    await settle();
    clock.advance(10);
    g.open('b');
    await b;
    const s = pool.stats();
    expect(s.runTimeMs).toMatchObject({ samples: 2, max: 40 });
    expect(s.waitTimeMs).toMatchObject({ samples: 2, p50: 0, max: 40 });
    expect(s.totalDurationMs).toBe(50);
    expect(s.workerUtilization).toBe(1);
  });
});

describe('system.pool in-thread: close and destroy', () => {
  it('close() finishes queued and running work, refuses new work, then stops the workers', async () => {
    await start();
    const g = gated();
    const pool = await system.pool(g.fn, { max: 1 });
    const a = pool.submit('a');
    const b = pool.submit('b');
    await settle();
    const closed = outcome(pool.close());
    const late = await rejection(pool.submit('late'));
    expect(isPoolClosedError(late)).toBe(true);
    expect(late.context).toEqual({ pool: pool.name, state: 'closing' });
    g.open('a');
    await settle();
    expect(closed.settled).toBe(false);
    g.open('b');
    await settle();
    expect(await Promise.all([a, b])).toEqual(['a', 'b']);
    expect(closed.value).toMatchObject({ drained: true, abandoned: { queued: 0, running: 0 } });
    expect(closed.value?.stats).toMatchObject({ workers: 0, completedTasks: 2, rejectedTasks: 1 });
    expect(pool.close()).toBe(pool.close()); // idempotent
    expect((await rejection(pool.submit('x'))).context.state).toBe('closed');
  });

  it('close({ timeoutMs }) abandons what is left at the timeout and reports it', async () => {
    await start();
    const g = gated();
    const pool = await system.pool(g.fn, { max: 1 });
    const a = outcome(pool.submit('a'));
    const b = outcome(pool.submit('b'));
    const c = outcome(pool.submit('c'));
    await settle();
    const closed = outcome(pool.close({ timeoutMs: 100 }));
    clock.advance(99);
    await settle();
    expect(closed.settled).toBe(false);
    clock.advance(1);
    await settle();
    g.open('a'); // the abandoned run ends late: the worker can stop
    await settle();
    expect(closed.value).toMatchObject({ drained: false, abandoned: { queued: 2, running: 1 } });
    for (const o of [a, b, c]) {
      expect(isTaskCancelledError(o.error)).toBe(true);
      expect(o.error.context.reason).toBe('closed');
    }
    expect(a.error.context.started).toBe(true);
    expect(b.error.context.started).toBe(false);
    expect(g.started).toEqual(['a']);
  });

  it('close({ timeoutMs }) also abandons a submit that waits for room (none slips into the queue as others are cancelled)', async () => {
    await start();
    const g = gated();
    const pool = await system.pool(g.fn, { max: 1, queue: { capacity: 1 } });
    const a = outcome(pool.submit('a'));
    const b = outcome(pool.submit('b'));
    const c = outcome(pool.submitWait('c'));
    await settle();
    const closed = outcome(pool.close({ timeoutMs: 10 }));
    clock.advance(10);
    await settle();
    g.open('a');
    await settle();
    expect(closed.value).toMatchObject({ drained: false, abandoned: { queued: 2, running: 1 } });
    for (const o of [a, b, c]) expect(o.error?.context.reason).toBe('closed');
    expect(pool.stats().pendingTasks).toBe(0);
    expect(g.started).toEqual(['a']);
  });

  it('destroy() cancels every pending task at once and stops the workers', async () => {
    await start();
    const g = gated();
    const pool = await system.pool(g.fn, { max: 1 });
    const a = outcome(pool.submit('a'));
    const b = outcome(pool.submit('b'));
    await settle();
    const d = outcome(pool.destroy());
    await settle();
    for (const o of [a, b]) expect(o.error?.context.reason).toBe('destroyed');
    g.open('a');
    await settle();
    expect(d.settled).toBe(true);
    expect(pool.stats()).toMatchObject({ workers: 0, cancelledTasks: 2, pendingTasks: 0 });
    expect((await rejection(pool.submit('x'))).context.state).toBe('destroyed');
  });
});

describe('system.pool in-thread: retry and rate limit', () => {
  it('retries a failing task per its policy (backoff on the injected clock), then succeeds', async () => {
    await start();
    let runs = 0;
    const pool = await system.pool(
      (x: string, ctx) => {
        runs++;
        if (ctx.attempt < 2) throw new Error(`try ${ctx.attempt}`);
        return `${x}@${ctx.attempt}`;
      },
      { retry: { attempts: 3, backoff: 50 } },
    );
    const p = outcome(pool.submit('a'));
    await settle();
    expect([runs, pool.stats().retryingTasks]).toEqual([1, 1]);
    clock.advance(50);
    await settle();
    expect(runs).toBe(2);
    clock.advance(50);
    await settle();
    expect(p.value).toBe('a@2');
    expect(pool.stats()).toMatchObject({ retriedTasks: 2, completedTasks: 1, failedTasks: 0 });
  });

  it('gives up after attempts and fails with the last error; onTaskFailed hears it once', async () => {
    await start();
    const failures: unknown[] = [];
    const pool = await system.pool(
      (_x: string, ctx) => {
        throw new Error(`try ${ctx.attempt}`);
      },
      {
        retry: { attempts: 1 },
        onTaskFailed: (e, t) => failures.push([(e as Error).message, t.attempts, t.id]),
      },
    );
    const e = await rejection(pool.submit('a', { id: 'T' }));
    expect(e.message).toBe('try 1');
    expect(failures).toEqual([['try 1', 2, 'T']]);
    // retryOn chooses which errors are retried; retry: false turns it off for one task
    const once = await rejection(pool.submit('b', { retry: false }));
    expect(once.message).toBe('try 0');
  });

  it('starts at most perSecond tasks a second after the burst (token bucket on the injected clock)', async () => {
    await start();
    const starts: number[] = [];
    const pool = await system.pool(
      () => {
        starts.push(clock.now());
      },
      { rateLimit: { perSecond: 10, burst: 2 } },
    );
    const all = Promise.all(Array.from({ length: 5 }, (_, i) => pool.submit(i)));
    await settle();
    expect(starts).toEqual([0, 0]);
    for (let i = 0; i < 3; i++) {
      clock.advance(100);
      await settle();
    }
    await all;
    expect(starts).toEqual([0, 0, 100, 200, 300]);
  });
});

describe('system.pool: bad input', () => {
  it('invalid options are ConfigErrors naming the field', async () => {
    await start();
    const f = (x: unknown) => x;
    const path = async (opts: unknown) => {
      const e = await rejection(system.pool(f, opts as never));
      expect(isConfigError(e)).toBe(true);
      return e.context.path;
    };
    expect(await path({ max: 0 })).toBe('system.pool(task, options).max');
    expect(await path({ min: 3, max: 2 })).toBe('system.pool(task, options).min');
    expect(await path({ queue: { capacity: -1 } })).toBe('system.pool(task, options).queue.capacity');
    expect(await path({ queue: { whenFull: 'drop' } })).toBe('system.pool(task, options).queue.whenFull');
    expect(await path({ priorities: { levels: 0 } })).toBe('system.pool(task, options).priorities.levels');
    expect(await path({ rateLimit: { perSecond: 0 } })).toBe(
      'system.pool(task, options).rateLimit.perSecond',
    );
    expect(await path({ retry: { attempts: -1 } })).toBe('system.pool(task, options).retry.attempts');
    expect(await path({ timeoutMs: 'soon' })).toBe('system.pool(task, options).timeoutMs');
    const bad = await rejection(system.pool(42 as never));
    expect(bad.context.path).toBe('system.pool(task)');
    const pool = await system.pool(f, { priorities: { levels: 2 } });
    const e = await rejection(pool.submit(1, { priority: 2 }));
    expect(e.context.path).toBe('submit(options).priority');
    expect(pool.stats().submittedTasks).toBe(0); // nothing was submitted
  });

  it('a function is refused for a threaded system (it cannot reach executor threads)', async () => {
    await start();
    // Checked before anything starts: the same check createPool runs for executors > 0.
    const { taskRefOf } = await import('../src/features/pool/task-source.ts');
    expect(() => taskRefOf((x: unknown) => x, true)).toThrow(/a task module URL/);
    expect(() => taskRefOf('./relative.ts', true)).toThrow(/absolute path/);
  });
});
