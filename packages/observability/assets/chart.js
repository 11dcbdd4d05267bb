// A time-series chart over uPlot: one instance per mount, fed new data on each render.
import { useEffect, useRef } from '/vendor/preact-hooks.js';
import uPlot from '/vendor/uplot.js';
import { html } from './lib.js';

const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed'];

/**
 * `series`: [{ label, values, fmt? }] aligned with `times` (epoch seconds). Null values leave gaps.
 */
export function Chart({ title, times, series, height = 160, testid, fmt }) {
  const box = useRef(null);
  const plot = useRef(null);
  const data = [times, ...series.map((s) => s.values)];
  useEffect(() => {
    const el = box.current;
    const width = Math.max(240, el.clientWidth || 400);
    plot.current = new uPlot(
      {
        width,
        height,
        legend: { show: true },
        cursor: { drag: { x: false, y: false } },
        scales: {
          x: { time: true },
          y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] },
        },
        axes: [
          { stroke: '#64748b' },
          { stroke: '#64748b', size: 56, values: (_u, vals) => vals.map((v) => fmt(v)) },
        ],
        series: [
          {},
          ...series.map((s, i) => ({
            label: s.label,
            stroke: COLORS[i % COLORS.length],
            width: 1.5,
            fill: i === 0 ? `${COLORS[0]}14` : undefined,
            value: (_u, v) => (v === null || v === undefined ? '–' : fmt(v)),
            spanGaps: false,
          })),
        ],
      },
      data,
      el,
    );
    const ro = new ResizeObserver(() =>
      plot.current?.setSize({ width: Math.max(240, el.clientWidth), height }),
    );
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [series.length]);
  useEffect(() => {
    plot.current?.setData(data);
  });
  return html`<section class="card chart" data-testid=${testid}>
    <h3>${title}</h3>
    <div ref=${box}></div>
  </section>`;
}

/** A small inline sparkline (SVG), for executor utilization. */
export function Spark({ values, width = 120, height = 28, max = 1 }) {
  if (!values || values.length < 2) return html`<svg width=${width} height=${height}></svg>`;
  const n = values.length;
  const pts = values
    .map(
      (v, i) =>
        `${((i / (n - 1)) * width).toFixed(1)},${(height - (Math.min(max, v) / max) * (height - 2) - 1).toFixed(1)}`,
    )
    .join(' ');
  return html`<svg class="spark" width=${width} height=${height} viewBox=${`0 0 ${width} ${height}`}>
    <polyline points=${pts} fill="none" stroke="#2563eb" stroke-width="1.5" />
  </svg>`;
}
