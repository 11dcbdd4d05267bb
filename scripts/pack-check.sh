#!/usr/bin/env bash
# The packages as a user gets them from the registry: `npm pack` the three
# workspaces (prepack builds dist/), check what the tarballs hold, install them
# into a fresh plain-JavaScript project outside the workspace, and run a
# program there with plain `node` — in-thread and on executor threads, with
# the actors module given by URL, by absolute path, and (refused) by relative path.
# Fails on the first thing a user would trip over (e.g. ERR_MODULE_NOT_FOUND).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/troupe-pack.XXXXXX")"
trap 'rm -rf "$work"' EXIT

cd "$root"
npm pack --silent --pack-destination "$work" \
  -w @troupe/scheduler -w @troupe/runtime -w @troupe/observability >/dev/null

for t in "$work"/troupe-*.tgz; do
  list="$(tar tzf "$t")"
  for f in package/package.json package/dist/index.js package/dist/index.d.ts; do
    grep -qx "$f" <<<"$list" || { echo "pack-check: $(basename "$t") lacks $f" >&2; exit 1; }
  done
  if grep -q 'tsbuildinfo' <<<"$list"; then
    echo "pack-check: $(basename "$t") ships a .tsbuildinfo" >&2
    exit 1
  fi
done
grep -qx package/dist/executors/executor.js <<<"$(tar tzf "$work"/troupe-runtime-*.tgz)" ||
  { echo 'pack-check: @troupe/runtime lacks dist/executors/executor.js' >&2; exit 1; }

app="$work/app"
mkdir "$app" && cd "$app"
printf '{ "name": "troupe-pack-check", "private": true, "type": "module" }\n' >package.json
npm install --silent --no-audit --no-fund --prefer-offline "$work"/troupe-*.tgz

cat >actors.js <<'EOF'
import { defineActor } from '@troupe/runtime';
export const Counter = defineActor('counter', {
  init: (props) => ({ n: props.start }),
  receive(state, msg, ctx) {
    if (msg.type === 'get') ctx.reply(state.n);
    return msg.type === 'inc' ? { n: state.n + 1 } : state;
  },
});
EOF

cat >main.js <<'EOF'
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { toNdjson } from '@troupe/observability';
import { createSystem, isConfigError } from '@troupe/runtime';
import { Counter } from './actors.js';

const url = new URL('./actors.js', import.meta.url);
for (const [executors, actors] of [[0, url], [2, url], [2, fileURLToPath(url)]]) {
  const system = await createSystem({ actors, executors });
  const lines = [];
  const sub = toNdjson(system.events$, (l) => lines.push(l));
  const c = await system.spawn(Counter, { start: 41 });
  c.tell({ type: 'inc' });
  assert.equal(await c.ask({ type: 'get' }, { timeoutMs: 10_000 }), 42);
  const report = await system.shutdown();
  sub.unsubscribe();
  assert.equal(report.outcome, 'clean');
  assert.ok(lines.some((l) => JSON.parse(l).type === 'actor.spawned'));
  console.log(`pack-check: executors ${executors}, actors ${typeof actors === 'string' ? 'path' : 'URL'}: ok`);
}
const err = await createSystem({ actors: './actors.js', executors: 2 }).catch((e) => e);
assert.ok(isConfigError(err), String(err));
assert.equal(err.context.path, 'options.actors');
console.log('pack-check: a relative actors path is refused:', err.message);
EOF

node main.js
