/**
 * Activity: whether the system of threads is idle, read from shared memory,
 * so the main thread can let the process exit once nothing is left to do
 * and hold it while anything is, without asking the executors (worker
 * threads are unref'd: only the main thread decides the process's life).
 *
 * Per node, four Int32 slots of its board row (board.ts), each with one
 * writer, the node itself: `active`, `wakes`, `holds` and `read`; `posted`
 * (batches posted to the node) is written by its senders.
 *
 * Writer protocol (`Activity`, on every node):
 * 1. Before it reads a batch, and before it releases its last hold (a timer
 *    fires, a reply arrives, a handler's promise settles), a node marks
 *    itself active: `active` = 1, then `wakes` += 1 if it was 0. The
 *    evidence of pending work (an unread batch, a hold) thus disappears only
 *    after the mark appeared.
 * 2. `holds` is 1 while the node has pending work (the runtime's Lifetime
 *    count, published at its 0↔1 transitions only).
 * 3. `read` is published after each batch read (step 1 marks first).
 * 4. Between drains (its tick), a node with an empty run queue clears
 *    `active`. Anything it does later starts with step 1.
 *
 * Reader protocol (`quiescent`, on the main thread, between its own tasks:
 * every batch it produced is posted by then):
 * 1. Collect `wakes` of every running executor.
 * 2. Every `active` must be 0.
 * 3. Every `holds` must be 0; every node (main included) has read every
 *    batch posted to it (`posted` ≤ `read`).
 * 4. Collect `wakes` again: it must equal step 1's.
 * Why it is sound: with unchanged wakes no executor became active between
 * steps 1 and 4, so each stayed inactive from the moment step 2 read it;
 * an executor that is not active reads no batch and releases no hold (step
 * 1 of the writer), so the batches and holds step 3 saw gone were handled
 * before, and nothing an inactive executor did can be on its way. Reading
 * `active` before step 3 matters: a batch posted after step 3 can only come
 * from a node that was active after its step-2 read. The order of the
 * writer's two stores matters too: `active` first, so a reader that saw 0
 * there sees the `wakes` change in step 4.
 *
 * Cost: one Atomics store per batch read, one per hold transition, one per
 * idle tick after work; nothing per message.
 */
import { type Board, SLOT } from './board.ts';

export class Activity {
  private on = true;

  constructor(
    private readonly board: Board,
    private readonly node: number,
  ) {
    board.store(node, SLOT.active, 1);
  }

  /** Writer step 1. */
  active(): void {
    if (this.on) return;
    this.on = true;
    this.board.store(this.node, SLOT.active, 1);
    this.board.increment(this.node, SLOT.wakes);
  }

  /** Writer step 2: the node's pending work went from none to some (true) or back. */
  holding(some: boolean): void {
    if (!some) this.active();
    this.board.store(this.node, SLOT.holds, some ? 1 : 0);
  }

  /** Writer step 3, before the batch is handled. */
  read(batches: number): void {
    this.active();
    this.board.store(this.node, SLOT.read, batches);
  }

  /** Writer step 4: nothing in the run queue; anything later starts with `active()`. */
  idle(): void {
    if (!this.on) return;
    this.on = false;
    this.board.store(this.node, SLOT.active, 0);
  }

  get isActive(): boolean {
    return this.on;
  }
}

/**
 * Reader steps 1–4 over `executors` (running ones; a lost node's unread
 * batches are accounted by recovery, not waited for) and node 0.
 */
export function quiescent(board: Board, executors: readonly number[]): boolean {
  let wakes = 0;
  for (const n of executors) wakes += board.load(n, SLOT.wakes);
  for (const n of executors) if (board.load(n, SLOT.active) !== 0) return false;
  for (const n of executors) if (board.load(n, SLOT.holds) !== 0) return false;
  if (board.posts(0) > board.load(0, SLOT.read)) return false;
  for (const n of executors) if (board.posts(n) > board.load(n, SLOT.read)) return false;
  let again = 0;
  for (const n of executors) again += board.load(n, SLOT.wakes);
  return again === wakes;
}
