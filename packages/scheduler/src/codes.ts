/**
 * The one code space of everything that crosses between threads: batch
 * tokens, routed item kinds, frames, request operations and record codes
 * inside frames. Every code is defined here, once, in its owner's range, so a
 * number on the wire names one thing wherever it appears, and a new owner
 * (tracing, a cluster transport) takes a free range instead of starting a
 * sixth numbering at 0.
 *
 * Every code is below 128: msgpack writes it as one byte (a positive fixint),
 * so a frame's encoded size does not depend on which range its code is in,
 * and the batch layouts (transport.ts, the runtime's `executors/wire.ts`)
 * are what they were when each owner numbered from 0.
 *
 * Ranges (inclusive):
 *   0–15    wire: the tokens of a batch (the runtime's ThreadLink format)
 *   16–31   items: routed item kinds, in a W_ROUTE frame's `kind` token
 *   32–47   routing and migration frames (directory, handshake, sender sync)
 *   48–55   stealing frames (stealing.ts)
 *   56–63   runtime control frames between the main thread and executors
 *   64–79   runtime requests: the operation of an F_REQ frame
 *   80–95   deadlock: frames and the records inside F_DL_EDGES
 *   96–103  logs
 *   104–127 free
 */

/** Inclusive [first, last] of each owner's range. */
export const CODE_RANGES = {
  wire: [0, 15],
  items: [16, 31],
  migration: [32, 47],
  stealing: [48, 55],
  control: [56, 63],
  requests: [64, 79],
  deadlock: [80, 95],
  logs: [96, 103],
} as const;

// ---- wire (0–15): batch tokens; a frame is a code followed by a fixed number of tokens ----

/** W_DEF id name def — defines a ref on this channel (sent once per id). */
export const W_DEF = 0;
/** W_TELL id msg senderId — a tell (senderId 0: none). */
export const W_TELL = 1;
/** W_TELL_FWD id msg senderId — a tell a former holder forwards. */
export const W_TELL_FWD = 2;
/** W_ROUTE id fwd kind a meta b — any other routed item (kind: a K_* code). */
export const W_ROUTE = 3;
/** W_FRAME frame — everything else, as one array whose first element is an F_* code. */
export const W_FRAME = 4;
/** W_TELLS id senderId k msg₁ … msgₖ — k tells in a row from one sender to one actor. */
export const W_TELLS = 5;
/** W_RESET — the sender forgot the refs it defined on this channel: the receiver forgets them too. */
export const W_RESET = 6;

// ---- items (16–31): what follows an actor wherever it lives (runtime executors/items.ts) ----
// A user message, or one of the runtime's system messages (kernel/sysmsg.ts), whose fields
// travel in the W_ROUTE frame's `a` token (executors/sysmsg-codec.ts).

/** A user message (an ask when meta is an ask handle). */
export const K_TELL = 16;
/** System message `watch` (a: the watcher). */
export const K_WATCH = 17;
/** System message `stop` (a: reason; meta: the acknowledgement of a stop that waits for the end). */
export const K_STOP = 18;
/** System message `terminated` (a: [ref, reason]). */
export const K_TERM = 19;
/** System message `unwatch` (a: the watcher). */
export const K_UNWATCH = 20;
/** System message `kill` (a: reason). */
export const K_KILL = 21;
/** System message `child-gone` (a: [child, reason]): for the parent linked by ref. */
export const K_CHILD_GONE = 22;
/** System message `failed` (a: [child, portable error, phase]): for the supervising parent. */
export const K_CHILD_FAILED = 23;
/** System message `directive` (a: 'resume' | 'restart' | 'suspend'): for a supervised child. */
export const K_DIRECTIVE = 24;
/** System message `ext` of a feature (a: [kind, payload]; meta: its acknowledgement, if any). */
export const K_EXT = 25;

// ---- routing and migration (32–47): the runtime's link.ts and sender-sync.ts ----

/** [F_SETTLE, askId, ok, value] — the answer to an exported ask or a request. */
export const F_SETTLE = 32;
/** [F_SNAPSHOT, id, bytes, holder, reason, sent] — migration step 1, holder → target. */
export const F_SNAPSHOT = 33;
/** [F_ARRIVED, id, holder, target] — migration step 2, target → birth node. */
export const F_ARRIVED = 34;
/** [F_FENCE, id] — migration steps 3–4, birth node → holder → target. */
export const F_FENCE = 35;
/** [F_GONE, id] — an actor stopped away from its birth node: its directory entry goes. */
export const F_GONE = 36;
/** [F_SYNC, holder, batches, token] — has the holder's first `batches` batches been read here? */
export const F_SYNC = 37;
/** [F_SYNCED, token] — they have. */
export const F_SYNCED = 38;

// ---- stealing (48–55): stealing.ts ----

/** Thief → victim: [F_STEAL, cross]. */
export const F_STEAL = 48;
/** Victim → thief: [F_STEAL_REPLY, unitsHandedOver]. */
export const F_STEAL_REPLY = 49;

// ---- runtime control (56–63) ----

/** Request from another node: [F_REQ, askId, op (a REQ_* code), ...args]; answered with F_SETTLE. */
export const F_REQ = 56;
/** Executor → main: [F_EVENT, event]. */
export const F_EVENT = 57;
/** Executor → main: [F_DEADLETTER, deadLetter]. */
export const F_DEADLETTER = 58;
/** Executor → main: [F_NAME, name, ref | null, id?]. */
export const F_NAME = 59;
/** Main → executor: [F_FORWARDING, events (false, or the per-message sampling rate), deadLetters]. */
export const F_FORWARDING = 60;

// ---- runtime requests (64–79): the op of an F_REQ, served by an executor ----

/** [defName, props, options] → the new actor's ref. */
export const REQ_SPAWN = 64;
/** A whole supervision tree on this executor → its root's ref. */
export const REQ_START_TREE = 65;
/** [accepting] — shutdown phase 1 closes intake. */
export const REQ_INTAKE = 66;
/** Dead-letter every queued message (shutdown). */
export const REQ_DROP = 67;
/** The top-most live actors here, each with its shutdownMs. */
export const REQ_ROOTS = 68;
/** [reason] — kill every actor here. */
export const REQ_KILL = 69;
/** [id, reason] — kill one actor that overran its shutdownMs. */
export const REQ_KILL_ACTOR = 70;
/** [node, reason] — recovery: what this survivor hosts of a lost node. */
export const REQ_LOST = 71;
/** [info] — recovery: settle watchers and asks of the lost actors. */
export const REQ_LOST_ACTORS = 72;
/** [definition] — the restart circuit breaker quarantined it. */
export const REQ_QUARANTINE = 73;
/** Publish the counters to the board now. */
export const REQ_PUBLISH = 74;
/** [others] — adaptive pool: move every actor away before retirement. */
export const REQ_VACATE = 75;
/** The retirement was called off. */
export const REQ_UNVACATE = 76;

/** Names of the REQ_* codes, for messages (a timeout names the request it waited for). */
export const REQUEST_NAMES: Readonly<Record<number, string>> = {
  [REQ_SPAWN]: 'spawn',
  [REQ_START_TREE]: 'start-tree',
  [REQ_INTAKE]: 'intake',
  [REQ_DROP]: 'drop',
  [REQ_ROOTS]: 'roots',
  [REQ_KILL]: 'kill',
  [REQ_KILL_ACTOR]: 'kill-actor',
  [REQ_LOST]: 'lost',
  [REQ_LOST_ACTORS]: 'lost-actors',
  [REQ_QUARANTINE]: 'quarantine',
  [REQ_PUBLISH]: 'publish',
  [REQ_VACATE]: 'vacate',
  [REQ_UNVACATE]: 'unvacate',
};

// ---- deadlock (80–95): the runtime's features/deadlock (forwarder.ts, global.ts) ----

/** Executor → main: [F_DL_EDGES, tokens] — wait-for edge records (OP_* below). */
export const F_DL_EDGES = 80;
/** Main → executor: [F_DL_CONFIRM, probe, edgeIds]; answered F_DL_CONFIRMED. */
export const F_DL_CONFIRM = 81;
/** Executor → main: [F_DL_CONFIRMED, probe, allLive]. */
export const F_DL_CONFIRMED = 82;
/** Main → executor: [F_DL_ACT, action, edgeId, cycle, strategy]. */
export const F_DL_ACT = 83;
/** Record in F_DL_EDGES: OP_REMOVE askId. */
export const OP_REMOVE = 84;
/** Record in F_DL_EDGES: OP_ADD askId fromId toId at chain reentrant messageType# strategy# priority. */
export const OP_ADD = 85;
/** Record in F_DL_EDGES: OP_ACTOR id name|null def — before the first edge naming the actor. */
export const OP_ACTOR = 86;
/** Record in F_DL_EDGES: OP_STRING # text — before the first record using string number #. */
export const OP_STRING = 87;
/** Record in F_DL_EDGES: OP_RESET — the actor and string tables start over. */
export const OP_RESET = 88;

// ---- logs (96–103) ----

/** Executor → main: [F_LOG, line] — a line for the system's logger. */
export const F_LOG = 96;
