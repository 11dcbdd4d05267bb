/**
 * ThreadLink's wire format (link.ts): a batch is one flat token array (see
 * the scheduler's transport.ts); a frame is a code followed by a fixed number
 * of tokens. The codes are the scheduler's (codes.ts, wire range 0–15):
 * - W_DEF id name def — defines a ref on this channel (sent once per id);
 * - W_TELL / W_TELL_FWD id msg senderId — a tell (senderId 0: none);
 * - W_TELLS id senderId k msg₁ … msgₖ — k tells in a row from one sender to
 *   one actor (the hot path's stream: one token per message, not four);
 * - W_ROUTE id fwd kind a meta b — any other routed item (asks, watch, stop,
 *   …; kind is a K_* code, items.ts);
 * - W_FRAME frame — everything else, as one array (F_* codes);
 * - W_RESET — the sender forgot what it defined on this channel (it had
 *   CHANNEL_REFS_CAP): the receiver forgets it too, and every ref is defined
 *   again before its next use. Neither end's table grows without bound
 *   however many actors come and go (ref-tables.ts).
 */

/** Refs a channel defines before both ends start over (W_RESET). */
export const CHANNEL_REFS_CAP = 16_384;

/** Sender id, or an ask as (asker's node, ask id, sender id or 0[, call chain when not 0]). */
export type WireMeta = null | number | [number, number, number] | [number, number, number, number];
