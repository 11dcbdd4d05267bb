/**
 * The JSON API behind the page (and `troupe top`, and scripts): each route
 * reads the model and answers; a bad parameter is a 400 that names it.
 */

import type { Feed } from './feed.ts';
import { ACTOR_SORTS, type ActorSort } from './protocol.ts';

export class BadRequest extends Error {
  readonly status = 400;
}

export interface Answer {
  readonly status: number;
  readonly body: unknown;
}

export function actorQuery(p: URLSearchParams) {
  const sort = (p.get('sort') ?? 'processed') as ActorSort;
  if (!ACTOR_SORTS.includes(sort))
    throw new BadRequest(
      `sort must be one of ${ACTOR_SORTS.join(', ')}; got ${JSON.stringify(sort.slice(0, 50))}`,
    );
  const dir = p.get('dir') ?? 'desc';
  if (dir !== 'asc' && dir !== 'desc')
    throw new BadRequest(`dir must be asc or desc; got ${JSON.stringify(dir.slice(0, 50))}`);
  const filter = p.get('q') ?? '';
  if (filter.length > 200)
    throw new BadRequest(`q (the filter) must be at most 200 characters; got ${filter.length}`);
  return {
    sort,
    desc: dir === 'desc',
    filter,
    offset: int(p, 'offset', 0, 0, 1_000_000),
    limit: int(p, 'limit', 100, 1, 1000),
  };
}

function int(p: URLSearchParams, name: string, dflt: number, min: number, max: number): number {
  const v = p.get(name);
  if (v === null) return dflt;
  if (!/^\d{1,9}$/.test(v) || Number(v) < min || Number(v) > max)
    throw new BadRequest(
      `${name} must be an integer from ${min} to ${max}; got ${JSON.stringify(v.slice(0, 50))}`,
    );
  return Number(v);
}

/** Answers an /api or /snapshot path; null when the path is not one of them. */
export function api(feed: Feed, path: string, p: URLSearchParams, clients: number): Answer | null {
  const model = feed.model;
  if (path === '/snapshot')
    return {
      status: 200,
      body: {
        hello: feed.hello,
        tick: feed.tick(clients, true),
        history: model.history(),
        actors: model.actorPage(actorQuery(p)),
      },
    };
  if (path === '/api/actors') return { status: 200, body: model.actorPage(actorQuery(p)) };
  const m = /^\/api\/actors\/([^/]+)$/.exec(path);
  if (m !== null) {
    if (!/^\d{1,15}$/.test(m[1]!))
      throw new BadRequest(`an actor id is a number; got ${JSON.stringify(m[1]!.slice(0, 50))}`);
    const d = model.actorDetail(Number(m[1]));
    return d === null
      ? {
          status: 404,
          body: { error: `no actor ${m[1]} in the dashboard's table (never seen, or stopped long ago)` },
        }
      : { status: 200, body: d };
  }
  if (path === '/api/events') {
    const type = p.get('type');
    if (type !== null && type.length > 200) throw new BadRequest('type must be at most 200 characters');
    return {
      status: 200,
      body: {
        types: model.log.types(),
        entries: model.events(type === '' ? null : type, int(p, 'limit', 200, 1, 500)),
      },
    };
  }
  return null;
}
