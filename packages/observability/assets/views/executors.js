// Executors by NUMA group, drawn as a map with the moves between them as they happen, then the numbers.
import { Spark } from '../chart.js';
import { actorName, executorName, fmtInt, fmtPct, fmtTime, html } from '../lib.js';

const REASON_COLORS = {
  steal: '#2563eb',
  compaction: '#7c3aed',
  migrate: '#d97706',
  placement: '#16a34a',
  retire: '#64748b',
};
const W = 960;
const NODE_W = 104;
const NODE_H = 58;

function layout(executors, groups) {
  const byGroup = new Map();
  for (const e of executors) {
    if (!byGroup.has(e.group)) byGroup.set(e.group, []);
    byGroup.get(e.group).push(e);
  }
  const ids = [...byGroup.keys()].sort((a, b) => a - b);
  const gap = 16;
  const gw = ids.length > 0 ? (W - gap * (ids.length + 1)) / ids.length : W;
  const cols = Math.max(1, Math.min(4, Math.floor((gw - 16) / (NODE_W + 12))));
  let height = 0;
  const boxes = [];
  const pos = new Map();
  ids.forEach((g, gi) => {
    const es = byGroup.get(g);
    const x = gap + gi * (gw + gap);
    const rows = Math.ceil(es.length / cols);
    const h = 40 + rows * (NODE_H + 14);
    height = Math.max(height, h + 24);
    const info = groups.find((x) => x.group === g);
    boxes.push({ g, x, y: 12, w: gw, h, info });
    es.forEach((e, i) => {
      const cx = x + 16 + (i % cols) * (NODE_W + 12);
      const cy = 12 + 34 + Math.floor(i / cols) * (NODE_H + 14);
      pos.set(e.id, { x: cx, y: cy, e });
    });
  });
  return { boxes, pos, height: Math.max(height, 120) };
}

function MoveArc({ m, pos }) {
  const a = pos.get(m.from);
  const b = pos.get(m.to);
  if (!a || !b || m.from === m.to) return null;
  const x1 = a.x + NODE_W / 2;
  const y1 = a.y + NODE_H / 2;
  const x2 = b.x + NODE_W / 2;
  const y2 = b.y + NODE_H / 2;
  const mx = (x1 + x2) / 2;
  const my = Math.min(y1, y2) - 40 - Math.abs(x2 - x1) / 8;
  const color = REASON_COLORS[m.reason] ?? '#0f172a';
  return html`<path
    key=${m.seq}
    class="move"
    d=${`M${x1},${y1} Q${mx},${my} ${x2},${y2}`}
    stroke=${color}
    fill="none"
    stroke-width=${Math.min(6, 1.5 + Math.log2(m.count || 1))}
    marker-end="url(#arrow)"
    data-testid="move"
  />`;
}

export function Executors({ s }) {
  const t = s.tick;
  if (t.executors.length === 0)
    return html`<section class="card"><p class="muted" data-testid="no-executors">
      No executor metrics: the system runs in-thread (executors: 0), or none has reported yet (they do once a second).
    </p></section>`;
  const { boxes, pos, height } = layout(t.executors, t.groups);
  return html`<section class="card">
      <h3>executors by NUMA group <span class="muted">· moves in the last seconds:</span>
        ${Object.entries(REASON_COLORS).map(([r, c]) => html` <span class="legend" style=${`--c:${c}`}>${r}</span>`)}
      </h3>
      <svg class="exmap" viewBox=${`0 0 ${W} ${height}`} data-testid="executor-map">
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" fill="#334155" />
          </marker>
        </defs>
        ${boxes.map(
          (b) => html`<g>
            <rect x=${b.x} y=${b.y} width=${b.w} height=${b.h} rx="10" class="group" />
            <text x=${b.x + 12} y=${b.y + 20} class="glabel">
              NUMA group ${b.g}${b.info ? ` · ${fmtPct(b.info.utilization)} busy · run queue ${fmtInt(b.info.queueDepth)}` : ''}
            </text>
          </g>`,
        )}
        ${[...pos.values()].map(
          ({ x, y, e }) => html`<g data-testid=${`executor-${e.id}`}>
            <rect x=${x} y=${y} width=${NODE_W} height=${NODE_H} rx="6" class="exec" />
            <rect x=${x} y=${y + NODE_H - 6} width=${NODE_W * Math.min(1, e.utilization)} height="6" class="util" />
            <text x=${x + 8} y=${y + 18} class="ename">${executorName(e.id)}</text>
            <text x=${x + 8} y=${y + 34} class="estat">${fmtPct(e.utilization)} · q ${fmtInt(e.queueDepth)}</text>
            <text x=${x + 8} y=${y + 47} class="estat">${fmtInt(e.actors)} actors</text>
          </g>`,
        )}
        ${s.moves.map((m) => html`<${MoveArc} key=${m.seq} m=${m} pos=${pos} />`)}
      </svg>
    </section>
    <section class="card">
      <table data-testid="executor-table">
        <thead>
          <tr>
            <th>executor</th><th>group</th><th>thread</th><th>utilization</th><th></th><th>run queue</th><th>actors</th>
            <th>steals own</th><th>steals cross</th><th>attempts</th><th>migrations</th><th>compactions</th><th>faults</th>
            <th>events dropped</th>
          </tr>
        </thead>
        <tbody>
          ${t.executors.map(
            (e) => html`<tr>
              <td>${executorName(e.id)}</td><td>${e.group}</td><td class="muted">${e.threadId ?? '–'}</td>
              <td class="num">${fmtPct(e.utilization)}</td><td><${Spark} values=${e.history} /></td>
              <td class="num">${fmtInt(e.queueDepth)}</td><td class="num">${fmtInt(e.actors)}</td>
              <td class="num">${fmtInt(e.stealsOwn)}</td><td class="num">${fmtInt(e.stealsCross)}</td>
              <td class="num muted">${fmtInt(e.stealAttempts)}</td><td class="num">${fmtInt(e.migrations)}</td>
              <td class="num">${fmtInt(e.compactions)}</td><td class="num">${fmtInt(e.faults)}</td>
              <td class="num">${fmtInt(e.eventsDropped)}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </section>
    <section class="card">
      <h3>recent moves</h3>
      ${
        s.moves.length === 0
          ? html`<p class="muted">none in the last seconds</p>`
          : html`<table class="small" data-testid="move-list">
            <tbody>
              ${s.moves
                .slice(-20)
                .reverse()
                .map(
                  (m) => html`<tr>
                    <td class="muted">${fmtTime(m.at)}</td>
                    <td>${m.actor ? html`<a href=${`#/actor/${m.actor.id}`}>${actorName(m.actor)}</a>` : `${m.count} actors`}</td>
                    <td>${executorName(m.from)} → ${executorName(m.to)}</td>
                    <td><span class="legend" style=${`--c:${REASON_COLORS[m.reason] ?? '#0f172a'}`}>${m.reason}</span></td>
                  </tr>`,
                )}
            </tbody>
          </table>`
      }
    </section>`;
}
