// Actors: observer's Processes tab — sortable, filterable, one page of the server's table per tick.
import { useEffect, useState } from '/vendor/preact-hooks.js';
import { executorName, fmtInt, fmtMs, getJson, html } from '../lib.js';

const COLUMNS = [
  ['id', 'id', (r) => r.id],
  ['name', 'name', (r) => r.name ?? ''],
  ['def', 'definition', (r) => r.def],
  ['executor', 'executor', (r) => executorName(r.executor)],
  ['mailbox', 'mailbox', (r) => fmtInt(r.mailbox)],
  ['processed', 'processed', (r) => fmtInt(r.processed)],
  ['perSec', 'msg/s', (r) => fmtInt(r.perSec)],
  ['meanMs', 'mean', (r) => fmtMs(r.meanMs)],
  ['maxMs', 'max', (r) => fmtMs(r.maxMs)],
  ['restarts', 'restarts', (r) => fmtInt(r.restarts)],
];
const NUMERIC = new Set(['id', 'mailbox', 'processed', 'perSec', 'meanMs', 'maxMs', 'restarts']);

// Kept across tab switches.
const saved = { sort: 'processed', dir: 'desc', q: '' };

export function Actors({ s }) {
  const [sort, setSort] = useState(saved.sort);
  const [dir, setDir] = useState(saved.dir);
  const [q, setQ] = useState(saved.q);
  const [page, setPage] = useState(null);
  const [error, setError] = useState(null);
  Object.assign(saved, { sort, dir, q });
  useEffect(() => {
    let live = true;
    const p = new URLSearchParams({ sort, dir, q, limit: '200' });
    getJson(`/api/actors?${p}`)
      .then((r) => {
        if (!live) return;
        setPage(r);
        setError(null);
      })
      .catch((e) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [sort, dir, q, s.version]);
  const click = (key) => {
    if (key === sort) setDir(dir === 'desc' ? 'asc' : 'desc');
    else {
      setSort(key);
      setDir(NUMERIC.has(key) ? 'desc' : 'asc');
    }
  };
  return html`<section class="card">
    <div class="toolbar">
      <input
        type="search"
        placeholder="filter by id, name or definition"
        value=${q}
        onInput=${(e) => setQ(e.currentTarget.value)}
        data-testid="actor-filter"
      />
      ${
        page
          ? html`<span class="muted" data-testid="actor-count"
            >${fmtInt(page.matched)} of ${fmtInt(page.total)} actors${page.untracked > 0 ? ` (+${fmtInt(page.untracked)} past the table's limit)` : ''}${page.sampled ? ' · counts estimated from sampled events' : ''}</span
          >`
          : ''
      }
    </div>
    ${error ? html`<p class="error">${error}</p>` : ''}
    <table class="actors" data-testid="actor-table">
      <thead>
        <tr>
          ${COLUMNS.map(
            ([key, label]) =>
              html`<th class=${`sortable ${NUMERIC.has(key) ? 'num' : ''}`} onClick=${() => click(key)} data-testid=${`sort-${key}`}>
                ${label}${key === sort ? (dir === 'desc' ? ' ▼' : ' ▲') : ''}
              </th>`,
          )}
        </tr>
      </thead>
      <tbody>
        ${(page?.rows ?? []).map(
          (
            r,
          ) => html`<tr class="clickable" onClick=${() => (location.hash = `#/actor/${r.id}`)} data-testid="actor-row" data-id=${r.id}>
            ${COLUMNS.map(([key, , f]) => html`<td class=${NUMERIC.has(key) ? 'num' : ''} data-col=${key}>${f(r)}</td>`)}
          </tr>`,
        )}
      </tbody>
    </table>
  </section>`;
}
