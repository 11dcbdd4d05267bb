// Overview: the last minutes as charts, and the actors that stand out.
import { Chart } from '../chart.js';
import { actorName, executorName, fmtMs, fmtShort, html } from '../lib.js';

export function ActorList({ title, rows, value, testid }) {
  return html`<section class="card" data-testid=${testid}>
    <h3>${title}</h3>
    ${
      rows.length === 0
        ? html`<p class="muted">nothing yet (per-message events are sampled while this page is open)</p>`
        : html`<table class="small">
          <tbody>
            ${rows.map(
              (r) => html`<tr>
                <td><a href=${`#/actor/${r.id}`}>${actorName(r)}</a></td>
                <td class="muted">${r.def}</td>
                <td class="muted">${executorName(r.executor)}</td>
                <td class="num">${value(r)}</td>
              </tr>`,
            )}
          </tbody>
        </table>`
    }
  </section>`;
}

export function Overview({ s }) {
  const h = s.history;
  const t = h.map((p) => p.t);
  const col = (k) => h.map((p) => p[k]);
  return html`<div class="grid charts">
      <${Chart} testid="chart-messages" title="messages / s" times=${t} series=${[{ label: 'processed', values: col('messages') }]} fmt=${fmtShort} />
      <${Chart}
        testid="chart-handler"
        title="handler time (sampled)"
        times=${t}
        series=${[{ label: 'p50', values: col('p50') }, { label: 'p99', values: col('p99') }]}
        fmt=${fmtMs}
      />
      <${Chart} testid="chart-mailbox" title="time in mailbox (mean)" times=${t} series=${[{ label: 'mailbox', values: col('mailboxMs') }]} fmt=${fmtMs} />
      <${Chart} testid="chart-dead" title="dead letters / s" times=${t} series=${[{ label: 'dead letters', values: col('deadLetters') }]} fmt=${fmtShort} />
      <${Chart}
        testid="chart-restarts"
        title="restarts and failures / s"
        times=${t}
        series=${[
          { label: 'restarts', values: col('restarts') },
          { label: 'failures', values: col('failures') },
        ]}
        fmt=${fmtShort}
      />
    </div>
    <div class="grid two">
      <${ActorList} testid="slowest" title="slowest 10 (max handler time)" rows=${s.tick.slowest} value=${(r) => fmtMs(r.maxMs)} />
      <${ActorList} testid="busiest" title="busiest 10 (messages in the last second)" rows=${s.tick.busiest} value=${(r) => `${fmtShort(r.perSec)}/s`} />
    </div>`;
}
