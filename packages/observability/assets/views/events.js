// The event log, filtered by type (the server keeps a ring per type).
import { useEffect, useState } from '/vendor/preact-hooks.js';
import { fmtInt, fmtTime, getJson, html } from '../lib.js';

const saved = { type: '' };

export function EventLog({ s }) {
  const [type, setType] = useState(saved.type);
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  saved.type = type;
  useEffect(() => {
    let live = true;
    getJson(`/api/events?${new URLSearchParams({ type, limit: '200' })}`)
      .then((r) => {
        if (!live) return;
        setData(r);
        setError(null);
      })
      .catch((e) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [type, s.version]);
  const types = Object.entries(data?.types ?? s.tick.types).sort((a, b) => a[0].localeCompare(b[0]));
  return html`<section class="card">
    <div class="toolbar">
      <select value=${type} onChange=${(e) => setType(e.currentTarget.value)} data-testid="event-type">
        <option value="">all but per-message events</option>
        ${types.map(([t, n]) => html`<option value=${t}>${t} (${fmtInt(n)})</option>`)}
      </select>
      <span class="muted">newest first · the last 100 of each type are kept</span>
    </div>
    ${error ? html`<p class="error">${error}</p>` : ''}
    <table class="log" data-testid="event-log">
      <tbody>
        ${(data?.entries ?? [])
          .slice()
          .reverse()
          .map(
            (e) => html`<tr data-testid="event-row" data-type=${e.type}>
              <td class="muted nowrap">${fmtTime(e.at)}</td>
              <td class="nowrap"><b>${e.type}</b></td>
              <td><code>${e.json}</code></td>
            </tr>`,
          )}
      </tbody>
    </table>
  </section>`;
}
