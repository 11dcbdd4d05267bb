// Shared by every view: htm bound to preact, number formats, JSON fetches.
import htm from '/vendor/htm.js';
import { h } from '/vendor/preact.js';

export const html = htm.bind(h);

export function fmtInt(n) {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  return Math.round(n).toLocaleString('en-US');
}

/** Rates and counts: 1.2k, 3.4M. */
export function fmtShort(n) {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  const a = Math.abs(n);
  if (a >= 1e9) return `${(n / 1e9).toFixed(1)}G`;
  if (a >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (a >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  if (a >= 100) return String(Math.round(n));
  return n.toFixed(a >= 10 || Number.isInteger(n) ? 0 : 1);
}

/** Durations in ms: µs below a millisecond, s above a second. */
export function fmtMs(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 1) return `${(ms * 1000).toFixed(ms < 0.01 ? 2 : 1)} µs`;
  if (ms < 1000) return `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

export function fmtPct(x) {
  return Number.isFinite(x) ? `${Math.round(x * 100)}%` : '–';
}

export function fmtTime(at) {
  if (!Number.isFinite(at)) return '–';
  const d = new Date(at);
  // A simulated clock starts near 0: show its milliseconds rather than 1970.
  if (at < 1e11) return `${at.toFixed(0)} ms`;
  return (
    d.toLocaleTimeString('en-GB', { hour12: false }) + `.${String(d.getMilliseconds()).padStart(3, '0')}`
  );
}

export function actorName(a) {
  if (!a) return '?';
  return a.name ? `${a.name}` : `#${a.id}`;
}

export function executorName(n) {
  return n === 0 ? 'main' : `E${n}`;
}

/** GET a JSON route; rejects with the server's own error message. */
export async function getJson(path) {
  const res = await fetch(path, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
  const body = await res.json().catch(() => ({ error: `${res.status} ${res.statusText}` }));
  if (!res.ok) throw new Error(body.error ?? `${res.status} ${res.statusText}`);
  return body;
}

export function link(href, text, testid) {
  return html`<a href=${href} data-testid=${testid}>${text}</a>`;
}
