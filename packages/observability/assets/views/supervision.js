// Supervision trees: each supervisor with its children, their status and restarts, and intensity used.
import { actorName, fmtInt, html } from '../lib.js';

function Intensity({ i }) {
  const max = i.maxRestarts;
  const frac = max ? Math.min(1, i.used / max) : 0;
  const within = i.withinMs ? `${(i.withinMs / 1000).toFixed(i.withinMs % 1000 ? 1 : 0)} s` : '?';
  return html`<span class="intensity" title="restarts inside the intensity window" data-testid="intensity">
    <span class="bar"><span style=${`width:${Math.round(frac * 100)}%`} class=${frac >= 1 ? 'full' : ''}></span></span>
    ${fmtInt(i.used)}/${max ?? '?'} restarts in ${within}
  </span>`;
}

function Tree({ t, depth }) {
  return html`<div class="tree" data-testid="tree" style=${`--depth:${depth}`}>
    <div class="sup">
      <b>${t.id}</b>
      <a class="muted" href=${`#/actor/${t.supervisor.id}`}>${actorName(t.supervisor)}</a>
      <${Intensity} i=${t.intensity} />
      ${t.escalations > 0 ? html`<span class="badge failed">${t.escalations} escalated</span>` : ''}
    </div>
    <ul>
      ${t.children.map(
        (c) => html`<li data-testid="child">
          <span class=${`badge ${c.status}`}>${c.status}</span>
          <b>${c.id}</b>
          ${c.actor ? html`<a href=${`#/actor/${c.actor.id}`}>${actorName(c.actor)}</a>` : ''}
          ${c.restarts > 0 ? html`<span class="muted">· ${fmtInt(c.restarts)} restarts</span>` : ''}
          ${c.lastError ? html`<span class="error small">· ${c.lastError}</span>` : ''}
          ${c.tree ? html`<${Tree} t=${c.tree} depth=${depth + 1} />` : ''}
        </li>`,
      )}
      ${t.more > 0 ? html`<li class="muted">… and ${fmtInt(t.more)} more children</li>` : ''}
    </ul>
  </div>`;
}

export function Supervision({ s }) {
  const trees = s.tick.trees;
  return html`<section class="card" data-testid="supervision">
    <h3>supervision trees</h3>
    ${
      trees.length === 0
        ? html`<p class="muted">No supervisor has started a child since the dashboard began to watch.</p>`
        : trees.map((t) => html`<${Tree} t=${t} depth=${0} />`)
    }
  </section>`;
}
