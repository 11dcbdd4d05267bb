// The page: one EventSource on /events (hello, snapshot, then a tick a second) feeding a small
// store; views read the store, and the table-like ones fetch their page of /api/* on each tick.
import { render } from '/vendor/preact.js';
import { useEffect, useState } from '/vendor/preact-hooks.js';
import { fmtInt, fmtShort, html } from './lib.js';
import { ActorDetail } from './views/actor.js';
import { Actors } from './views/actors.js';
import { Deadlocks } from './views/deadlocks.js';
import { EventLog } from './views/events.js';
import { Executors } from './views/executors.js';
import { Overview } from './views/overview.js';
import { Supervision } from './views/supervision.js';

const HISTORY = 300;
const LOG_KEPT = 500;
const MOVE_SHOWN_MS = 4000;

export const store = {
  hello: null,
  tick: null,
  history: [],
  log: [],
  moves: [],
  connected: false,
  error: null,
  version: 0,
};
const listeners = new Set();

function changed() {
  store.version++;
  for (const l of listeners) l(store.version);
}

function useStore() {
  const [, set] = useState(0);
  useEffect(() => {
    listeners.add(set);
    return () => listeners.delete(set);
  }, []);
  return store;
}

function onTick(t, fresh) {
  const now = Date.now();
  store.tick = t;
  if (t.point && (store.history.length === 0 || store.history[store.history.length - 1].t < t.point.t)) {
    store.history.push(t.point);
    if (store.history.length > HISTORY) store.history.splice(0, store.history.length - HISTORY);
  }
  if (fresh) store.log = [];
  store.log.push(...t.log);
  if (store.log.length > LOG_KEPT) store.log.splice(0, store.log.length - LOG_KEPT);
  store.moves = store.moves
    .filter((m) => now - m.seen < MOVE_SHOWN_MS)
    .concat(t.moves.map((m) => ({ ...m, seen: fresh ? now - MOVE_SHOWN_MS / 2 : now })))
    .slice(-300);
  changed();
}

let source = null;

function connect() {
  source?.close();
  const es = new EventSource('/events');
  source = es;
  es.addEventListener('hello', (e) => {
    store.hello = JSON.parse(e.data);
    store.connected = true;
    store.error = null;
    document.title = `${store.hello.title} · troupe dashboard`;
    changed();
  });
  es.addEventListener('snapshot', (e) => {
    const s = JSON.parse(e.data);
    store.history = s.history.slice(-HISTORY);
    onTick(s.tick, true);
  });
  es.addEventListener('tick', (e) => onTick(JSON.parse(e.data), false));
  es.onerror = () => {
    store.connected = false;
    changed();
    // EventSource retries by itself after a dropped stream, but gives up on an answer that is not a
    // stream (401, 503): ask why, say it, and try again a little later.
    if (es.readyState === EventSource.CLOSED) void explain().finally(() => setTimeout(connect, 5000));
  };
}

async function explain() {
  const ctl = new AbortController();
  try {
    const res = await fetch('/events', { signal: ctl.signal, credentials: 'same-origin' });
    if (res.ok) ctl.abort();
    else store.error = (await res.json().catch(() => ({}))).error ?? `${res.status} ${res.statusText}`;
  } catch (e) {
    if (e.name !== 'AbortError') store.error = `the dashboard cannot be reached (${e.message})`;
  }
  changed();
}

function useRoute() {
  const [hash, setHash] = useState(location.hash || '#/overview');
  useEffect(() => {
    const on = () => setHash(location.hash || '#/overview');
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash.slice(1).split('/').filter(Boolean);
}

const TABS = [
  ['overview', 'Overview'],
  ['executors', 'Executors'],
  ['actors', 'Actors'],
  ['supervision', 'Supervision'],
  ['deadlocks', 'Deadlocks'],
  ['events', 'Events'],
];

function Totals({ t }) {
  const items = [
    ['processed', 'processed', t.processed],
    ['sent', 'sent', t.sent],
    ['inflight', 'in flight', t.inFlight],
    ['deadletters', 'dead letters', t.deadLettered],
    ['actors', 'actors', t.actors],
    ['restarts', 'restarts', t.restarts],
    ['failures', 'failures', t.failures],
    ['deadlocks', 'deadlocks', t.deadlocks],
  ];
  return html`<div class="totals">
    ${items.map(
      ([id, label, v]) =>
        html`<div class="total"><span class="v" data-testid=${`total-${id}`}>${fmtInt(v)}</span><span class="k">${label}</span></div>`,
    )}
  </div>`;
}

function App() {
  const s = useStore();
  const route = useRoute();
  const view = route[0] ?? 'overview';
  const t = s.tick;
  const rate = s.history.length > 0 ? s.history[s.history.length - 1].messages : null;
  let body;
  if (!t) body = html`<p class="loading">${s.error ?? 'connecting…'}</p>`;
  else if (view === 'executors') body = html`<${Executors} s=${s} />`;
  else if (view === 'actors') body = html`<${Actors} s=${s} />`;
  else if (view === 'actor') body = html`<${ActorDetail} s=${s} id=${route[1]} />`;
  else if (view === 'supervision') body = html`<${Supervision} s=${s} />`;
  else if (view === 'deadlocks') body = html`<${Deadlocks} s=${s} />`;
  else if (view === 'events') body = html`<${EventLog} s=${s} />`;
  else body = html`<${Overview} s=${s} />`;
  return html`
    <header>
      <div class="brand">troupe <span>${s.hello?.title ?? ''}</span></div>
      <nav>
        ${TABS.map(
          ([id, label]) =>
            html`<a href=${`#/${id}`} class=${view === id || (view === 'actor' && id === 'actors') ? 'on' : ''} data-testid=${`tab-${id}`}>${label}</a>`,
        )}
      </nav>
      <div class="status" data-testid="status">
        <span class=${s.connected ? 'dot ok' : 'dot'}></span>
        ${s.connected ? (s.hello?.source ?? 'live') : 'disconnected'}
        ${rate !== null ? html` · <b data-testid="rate">${fmtShort(rate)}</b> msg/s` : ''}
        ${t?.sampling > 1 ? html` · sampled 1/${fmtShort(t.sampling)}` : ''}
        ${t ? html` · ${t.clients} viewer${t.clients === 1 ? '' : 's'}` : ''}
      </div>
    </header>
    ${s.error ? html`<div class="banner error" data-testid="error">${s.error}</div>` : ''}
    ${t?.notice ? html`<div class="banner" data-testid="notice">${t.notice}</div>` : ''}
    ${t ? html`<${Totals} t=${t.totals} />` : ''}
    <main>${body}</main>
  `;
}

// The static "connecting…" placeholder goes: preact renders next to what is there.
const root = document.getElementById('app');
root.textContent = '';
render(html`<${App} />`, root);
connect();
