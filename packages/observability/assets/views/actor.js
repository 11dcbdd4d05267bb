// One actor: its row, where it moved, its children, and its recent failures with their stacks.
import { useEffect, useState } from '/vendor/preact-hooks.js';
import { actorName, executorName, fmtInt, fmtMs, fmtTime, getJson, html } from '../lib.js';

export function ActorDetail({ s, id }) {
  const [d, setD] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    let live = true;
    getJson(`/api/actors/${encodeURIComponent(id)}`)
      .then((r) => {
        if (!live) return;
        setD(r);
        setError(null);
      })
      .catch((e) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [id, s.version]);
  if (error)
    return html`<section class="card"><p class="error" data-testid="actor-error">${error}</p><a href="#/actors">back to actors</a></section>`;
  if (!d) return html`<section class="card"><p class="muted">loading…</p></section>`;
  const r = d.row;
  const fields = [
    ['id', r.id],
    ['name', r.name ?? '–'],
    ['definition', r.def],
    ['status', d.stopReason ? `stopped (${d.stopReason})` : r.status],
    ['executor', executorName(r.executor)],
    ['parent', r.parent === null ? '–' : html`<a href=${`#/actor/${r.parent}`}>#${r.parent}</a>`],
    ['mailbox', fmtInt(r.mailbox)],
    ['processed', fmtInt(r.processed)],
    ['mean handler time', fmtMs(r.meanMs)],
    ['max handler time', fmtMs(r.maxMs)],
    ['restarts', fmtInt(r.restarts)],
    ['failures', fmtInt(r.failures)],
  ];
  return html`<section class="card" data-testid="actor-detail">
      <h2>${actorName(r)} <span class="muted">${r.def}</span></h2>
      <dl class="fields">${fields.map(([k, v]) => html`<dt>${k}</dt><dd data-testid=${`field-${k.replace(/ /g, '-')}`}>${v}</dd>`)}</dl>
      <a href="#/actors">← all actors</a>
    </section>
    <section class="card" data-testid="failures">
      <h3>recent failures</h3>
      ${
        d.failures.length === 0
          ? html`<p class="muted">none seen</p>`
          : d.failures
              .slice()
              .reverse()
              .map(
                (f) => html`<div class="failure">
                <div><b>${f.error.name}: ${f.error.message}</b> <span class="muted">${fmtTime(f.at)} · in ${f.phase}${f.messageType ? ` handling ${f.messageType}` : ''}</span></div>
                ${f.error.stack ? html`<pre data-testid="stack">${f.error.stack}</pre>` : ''}
              </div>`,
              )
      }
    </section>
    ${
      d.children.length > 0
        ? html`<section class="card">
          <h3>children</h3>
          <ul>${d.children.map((c) => html`<li><a href=${`#/actor/${c.id}`}>${actorName(c)}</a> <span class="muted">${c.def}</span></li>`)}</ul>
        </section>`
        : ''
    }
    ${
      d.moves.length > 0
        ? html`<section class="card">
          <h3>moves</h3>
          <ul>${d.moves.map((m) => html`<li>${fmtTime(m.at)}: ${executorName(m.from)} → ${executorName(m.to)} (${m.reason})</li>`)}</ul>
        </section>`
        : ''
    }`;
}
