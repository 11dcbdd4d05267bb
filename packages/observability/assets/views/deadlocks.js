// Deadlocks: the wait-for graph (live, else the last cycle found) with cycles in red, and what each
// strategy did.
import { actorName, fmtMs, fmtTime, html } from '../lib.js';

const W = 640;
const H = 360;

function describe(d) {
  const a = d.action;
  if (!a) return 'detected, not resolved yet';
  if (a.type === 'fail-ask') return `fail-ask: ask #${a.ask} rejected with DeadlockError`;
  if (a.type === 'restart') return `restart: actor #${a.actor} restarted`;
  return `${a.type}: left to the asks' timeouts`;
}

function graphOf(s) {
  const g = s.tick.deadlocks.graph;
  if (g.nodes.length > 0) return { g, live: true, d: null };
  const d = s.tick.deadlocks.recent[s.tick.deadlocks.recent.length - 1];
  if (!d) return null;
  // The runtime resolves a cycle within milliseconds: draw the last one found.
  const nodes = d.actors.map((a) => ({ ...a, waiting: true, inCycle: true }));
  const failed = d.action?.ask;
  const edges = d.asks.map((k) => ({ ...k, ask: k.id, inCycle: true, failed: k.id === failed }));
  return { g: { nodes, edges }, live: false, d };
}

function Graph({ g }) {
  const n = g.nodes.length;
  const r = Math.min(W, H) / 2 - 60;
  const pos = new Map(
    g.nodes.map((node, i) => [
      node.id,
      {
        x: W / 2 + r * Math.cos((2 * Math.PI * i) / n - Math.PI / 2),
        y: H / 2 + r * Math.sin((2 * Math.PI * i) / n - Math.PI / 2),
      },
    ]),
  );
  return html`<svg class="graph" viewBox=${`0 0 ${W} ${H}`} data-testid="wait-for-graph">
    <defs>
      <marker id="dl-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
        <path d="M 0 0 L 10 5 L 0 10 z" fill="#475569" />
      </marker>
      <marker id="dl-arrow-red" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
        <path d="M 0 0 L 10 5 L 0 10 z" fill="#dc2626" />
      </marker>
    </defs>
    ${g.edges.map((e) => {
      const a = pos.get(e.from);
      const b = pos.get(e.to);
      if (!a || !b) return null;
      const dx = b.x - a.x;
      const dy = b.y - a.y;
      const len = Math.hypot(dx, dy) || 1;
      const k = 30 / len;
      const red = e.inCycle;
      return html`<g class=${red ? 'edge cycle' : 'edge'} data-testid=${red ? 'cycle-edge' : 'edge'}>
        <line x1=${a.x + dx * k} y1=${a.y + dy * k} x2=${b.x - dx * k} y2=${b.y - dy * k}
          stroke-dasharray=${e.failed ? '6 4' : ''} marker-end=${red ? 'url(#dl-arrow-red)' : 'url(#dl-arrow)'} />
        <text x=${(a.x + b.x) / 2} y=${(a.y + b.y) / 2 - 6} class="elabel">ask #${e.ask} ${e.messageType} · ${fmtMs(e.ageMs)}${e.failed ? ' ✕' : ''}</text>
      </g>`;
    })}
    ${g.nodes.map((node) => {
      const p = pos.get(node.id);
      return html`<g class=${node.inCycle ? 'node cycle' : 'node'} data-testid=${node.inCycle ? 'cycle-node' : 'node'}>
        <circle cx=${p.x} cy=${p.y} r="28" />
        <text x=${p.x} y=${p.y - 2} text-anchor="middle" class="nlabel">${actorName(node)}</text>
        <text x=${p.x} y=${p.y + 12} text-anchor="middle" class="nsub">${node.def}</text>
      </g>`;
    })}
  </svg>`;
}

export function Deadlocks({ s }) {
  const dl = s.tick.deadlocks;
  const shown = graphOf(s);
  return html`<section class="card" data-testid="deadlocks">
      <h3>wait-for graph ${shown && !shown.live ? html`<span class="muted">· the last cycle found (${fmtTime(shown.d.at)}, resolved by ${shown.d.strategy})</span>` : ''}</h3>
      ${
        shown
          ? html`<${Graph} g=${shown.g} />${shown.d ? html`<p class="action" data-testid="deadlock-action">${describe(shown.d)}</p>` : ''}`
          : html`<p class="muted" data-testid="no-deadlocks">No actor waits on another right now, and no deadlock was found.</p>`
      }
    </section>
    <section class="card">
      <h3>deadlocks found: ${dl.total}</h3>
      <table class="small" data-testid="deadlock-list">
        <tbody>
          ${dl.recent
            .slice()
            .reverse()
            .map(
              (d) => html`<tr>
                <td class="muted">${fmtTime(d.at)}</td>
                <td>${d.actors.map((a) => actorName(a)).join(' → ')} → ${actorName(d.actors[0])}</td>
                <td>${d.strategy}</td>
                <td>${describe(d)}</td>
              </tr>`,
            )}
        </tbody>
      </table>
    </section>`;
}
