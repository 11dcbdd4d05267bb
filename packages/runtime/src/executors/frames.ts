/**
 * Frame codes beyond routing (link.ts owns 1–6). A frame is an array whose
 * first element is its code; batches of frames travel over the Channel.
 */
/** Request from another node: [F_REQ, askId, op, ...args]; answered with F_SETTLE. */
export const F_REQ = 20;
/** Thief → victim: [F_STEAL, cross]. */
export const F_STEAL = 21;
/** Victim → thief: [F_STEAL_REPLY, actorsHandedOver]. */
export const F_STEAL_REPLY = 22;
/** Executor → main: [F_EVENT, event]. */
export const F_EVENT = 23;
/** Executor → main: [F_DEADLETTER, deadLetter]. */
export const F_DEADLETTER = 24;
/** Executor → main: [F_NAME, name, ref | null, id?]. */
export const F_NAME = 25;
/** Main → executor: [F_FORWARDING, events, deadLetters]. */
export const F_FORWARDING = 26;
/** Executor → main: [F_DL_EDGES, tokens] — wait-for edge adds/removes (features/deadlock/forwarder.ts). */
export const F_DL_EDGES = 27;
/** Main → executor: [F_DL_CONFIRM, probe, edgeIds]; answered [F_DL_CONFIRMED, probe, allLive]. */
export const F_DL_CONFIRM = 28;
/** Executor → main: [F_DL_CONFIRMED, probe, allLive]. */
export const F_DL_CONFIRMED = 29;
/** Main → executor: [F_DL_ACT, action, edgeId, cycle, strategy] (features/deadlock/global.ts). */
export const F_DL_ACT = 30;
/** Executor → main: [F_LOG, line] — a line for the system's logger (log/dead-letters.ts). Numbered apart from the rest. */
export const F_LOG = 40;
