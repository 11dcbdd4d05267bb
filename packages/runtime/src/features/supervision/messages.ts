/**
 * Supervision's own system messages (sysmsg.ts `ext` kinds), applied in the
 * receiving actor's turn; plugin.ts handles each.
 */

/** A child terminated (payload [child ref, reason]): for its supervisor. */
export const EXITED = 'supervision.exited';
/** A child re-initialised in place by a restart directive (payload: its ref): for its supervisor. */
export const RESTARTED = 'supervision.restarted';
/** A sub-supervisor's whole tree started (payload: its ref): for its parent supervisor. */
export const TREE_STARTED = 'supervision.tree-started';
/** A supervisor's own delayed step (a restart's backoff, the next turn): payload is its sequence number. */
export const DUE = 'supervision.due';
/** A supervisor fails itself in a turn of its own after escalating (payload: the EscalatedError). */
export const FAIL = 'supervision.fail';
