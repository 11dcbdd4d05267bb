/**
 * The dashboard in a real browser: Debian's chromium driven by playwright-core (one launch for
 * the whole file). A workload runs in this process while the page watches it over server-sent
 * events. Screenshots go to test-results/dashboard/ (gitignored) as artifacts.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DashboardServer, serveDashboard } from '@troupe/observability';
import { type ActorRef, type ActorSystem, createSystem, defineActor, supervisor } from '@troupe/runtime';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../../../test/support/require-binary.ts';
import { Busy } from './fixtures/top-actors.ts';

const CHROMIUM = requireBinary('/usr/bin/chromium', 'the dashboard browser tests');
const SHOTS = join(process.cwd(), 'test-results', 'dashboard');

type Load = { type: 'load'; n: number };
const Worker = defineActor('dash.worker', {
  init: () => 0,
  receive: (s: number, m: Load) => {
    // A little real work so handler times are not all zero.
    let x = 0;
    for (let i = 0; i < m.n * 50; i++) x += i;
    return s + (x > 0 ? 1 : 1);
  },
});
const Flaky = defineActor('dash.flaky', {
  init: () => 0,
  receive(): number {
    throw new Error('flaky handler broke on purpose');
  },
});
type RingMsg = { type: 'link'; next: ActorRef<RingMsg> } | { type: 'go' };
const Ring = defineActor('dash.ring', {
  init: (): { next: ActorRef<RingMsg> | null } => ({ next: null }),
  receive(s: { next: ActorRef<RingMsg> | null }, m: RingMsg, ctx) {
    if (m.type === 'link') return { next: m.next };
    return (async () => {
      try {
        ctx.reply(await ctx.ask<string>(s.next!, { type: 'go' }));
      } catch (e) {
        ctx.reply((e as Error).name);
      }
      return s;
    })();
  },
});

describe.skipIf(CHROMIUM === null)('dashboard in chromium', () => {
  let system: ActorSystem;
  let dash: DashboardServer;
  let browser: BrowserContext;
  let page: Page;
  let profile: string;
  let timer: ReturnType<typeof setInterval>;
  const errors: string[] = [];
  let flakyId = 0;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    system = await createSystem({ deadlock: { strategy: 'fail-ask' } });
    dash = await serveDashboard(system, { port: 0, log: false, title: 'browser-test' });
    // Worker i gets i+1 messages per round: processed counts sort as worker-9 > … > worker-0.
    const workers = Array.from({ length: 10 }, (_, i) =>
      system.spawnSync(Worker, undefined, { name: `worker-${i}` }),
    );
    timer = setInterval(() => {
      workers.forEach((w, i) => {
        for (let k = 0; k <= i; k++) w.tell({ type: 'load', n: i });
      });
    }, 20);
    const flaky = system.spawnSync(Flaky, undefined, { name: 'flaky' });
    flakyId = flaky.id;
    await flaky.ask('boom').catch(() => {});
    profile = mkdtempSync(join(tmpdir(), 'troupe-chromium-'));
    // A fresh profile of our own (playwright takes it as the persistent context's folder).
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM!,
      viewport: { width: 1400, height: 1000 },
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
  }, 60_000);

  afterAll(async () => {
    clearInterval(timer);
    await browser?.close();
    await dash?.close();
    await system?.shutdown();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  const total = async (id: string) =>
    Number(((await page.getByTestId(`total-${id}`).textContent()) ?? '').replace(/,/g, ''));

  it('loads with no console errors and its numbers follow the workload', async () => {
    await page.goto(dash.url);
    await page.getByTestId('total-processed').waitFor();
    const first = await total('processed');
    // The next ticks (one a second) must carry higher counts while the workload runs.
    await expect.poll(() => total('processed'), { timeout: 10_000, interval: 200 }).toBeGreaterThan(first);
    await expect.poll(() => page.getByTestId('rate').textContent(), { timeout: 10_000 }).not.toBe('0');
    expect(await total('actors')).toBeGreaterThanOrEqual(11);
    await page.screenshot({ path: join(SHOTS, 'overview.png'), fullPage: true });
    expect(errors).toEqual([]);
  }, 30_000);

  it('sorts and filters the actors table', async () => {
    await page.getByTestId('tab-actors').click();
    const names = () => page.locator('[data-testid="actor-row"] td[data-col="name"]').allTextContents();
    await expect.poll(async () => (await names()).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(11);
    // Default: processed, descending — worker-9 gets ten times worker-0's messages.
    await expect
      .poll(async () => (await names()).filter((n) => n.startsWith('worker-'))[0], { timeout: 10_000 })
      .toBe('worker-9');
    await page.getByTestId('sort-name').click();
    await expect.poll(async () => (await names())[0], { timeout: 5000 }).toBe('flaky');
    await page.getByTestId('sort-name').click();
    await expect.poll(async () => (await names())[0], { timeout: 5000 }).toBe('worker-9');
    await page.getByTestId('actor-filter').fill('worker-3');
    await expect.poll(names, { timeout: 5000 }).toEqual(['worker-3']);
    await page.getByTestId('actor-filter').fill('dash.flaky');
    await expect.poll(names, { timeout: 5000 }).toEqual(['flaky']);
    await page.screenshot({ path: join(SHOTS, 'actors.png'), fullPage: true });
    expect(errors).toEqual([]);
  }, 30_000);

  it('opens an actor’s detail with its recent failure and the stack', async () => {
    await page.locator(`[data-testid="actor-row"][data-id="${flakyId}"]`).click();
    await page.getByTestId('actor-detail').waitFor();
    expect(page.url()).toContain(`#/actor/${flakyId}`);
    await expect
      .poll(() => page.getByTestId('failures').textContent(), { timeout: 5000 })
      .toContain('flaky handler broke on purpose');
    expect(await page.getByTestId('stack').first().textContent()).toMatch(/at .*dashboard-browser\.test\.ts/);
    await page.screenshot({ path: join(SHOTS, 'actor-detail.png'), fullPage: true });
    expect(errors).toEqual([]);
  }, 30_000);

  it('draws a deadlock in the wait-for graph with its cycle highlighted and the strategy’s action', async () => {
    await page.getByTestId('tab-deadlocks').click();
    await page.getByTestId('no-deadlocks').waitFor();
    const refs = Array.from({ length: 3 }, (_, i) =>
      system.spawnSync(Ring, undefined, { name: `ring-${i}` }),
    );
    for (const [i, r] of refs.entries()) r.tell({ type: 'link', next: refs[(i + 1) % 3]! });
    await expect(refs[0]!.ask<string>({ type: 'go' })).resolves.toBe('DeadlockError');
    await page.getByTestId('wait-for-graph').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('cycle-node').count()).toBe(3);
    expect(await page.getByTestId('cycle-edge').count()).toBe(3);
    expect(await page.getByTestId('deadlock-action').textContent()).toMatch(/fail-ask/);
    expect(await page.getByTestId('wait-for-graph').textContent()).toContain('ring-1');
    await page.screenshot({ path: join(SHOTS, 'deadlocks.png'), fullPage: true });
    expect(errors).toEqual([]);
  }, 30_000);

  it('shows a supervision tree with its restarts, and filters the event log by type', async () => {
    const tree = await system.start(
      supervisor({
        id: 'app',
        intensity: { maxRestarts: 5, withinMs: 60_000 },
        children: [
          { id: 'fragile', actor: Flaky },
          { id: 'steady', actor: Worker },
        ],
      }),
    );
    const fragile = (await tree.child('fragile'))!;
    fragile.tell('boom');
    await page.getByTestId('tab-supervision').click();
    const app = page.getByTestId('tree').filter({ hasText: 'app' });
    await expect.poll(() => app.getByTestId('child').count(), { timeout: 10_000 }).toBe(2);
    await expect
      .poll(async () => (await app.textContent()) ?? '', { timeout: 10_000 })
      .toMatch(/fragile[\s\S]*1 restarts/);
    // Restarts inside the intensity window (its size is known once an event names it).
    expect(await app.getByTestId('intensity').first().textContent()).toMatch(/^\s*1\/(5|\?) restarts in/);
    await page.screenshot({ path: join(SHOTS, 'supervision.png'), fullPage: true });
    await page.getByTestId('tab-events').click();
    await page.getByTestId('event-type').selectOption('actor.failed');
    await expect
      .poll(
        async () => [
          ...new Set(
            await page
              .getByTestId('event-row')
              .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-type'))),
          ),
        ],
        {
          timeout: 10_000,
        },
      )
      .toEqual(['actor.failed']);
    expect(errors).toEqual([]);
  }, 30_000);

  it('draws executors by NUMA group and an actor moving between them', async () => {
    const threaded = await createSystem({
      actors: new URL('./fixtures/top-actors.ts', import.meta.url),
      executors: 2,
    });
    const d2 = await serveDashboard(threaded, { port: 0, log: false, title: 'threaded' });
    const p2 = await browser.newPage();
    p2.on('pageerror', (e) => errors.push(String(e)));
    try {
      const mover = await threaded.spawn(Busy, undefined, { name: 'mover', placement: { executor: 1 } });
      await p2.goto(`${d2.url}#/executors`);
      await p2.getByTestId('executor-1').waitFor({ timeout: 10_000 });
      await p2.getByTestId('executor-2').waitFor({ timeout: 10_000 });
      expect(await p2.getByTestId('executor-table').textContent()).toMatch(/E1[\s\S]*E2/);
      await threaded.migrate(mover, { executor: 2 });
      await expect
        .poll(
          async () =>
            (await p2
              .getByTestId('move-list')
              .textContent()
              .catch(() => '')) ?? '',
          { timeout: 10_000 },
        )
        .toMatch(/mover\s*E1 → E2/);
      expect(await p2.getByTestId('move').count()).toBeGreaterThanOrEqual(1);
      await p2.screenshot({ path: join(SHOTS, 'executors.png'), fullPage: true });
    } finally {
      await p2.close();
      await d2.close();
      await threaded.shutdown();
    }
    expect(errors).toEqual([]);
  }, 40_000);
});
