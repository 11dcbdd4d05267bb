/**
 * Where a pool's task function comes from, and loading it on each thread.
 *
 * A task module is named by href (a function cannot cross threads): every
 * thread that runs a worker of the pool imports it once — executors through
 * the tsx hooks they register at start, so TypeScript task modules just work —
 * and keeps the function in this module's cache (one instance per thread).
 * A plain function is only for in-thread pools (`executors: 0`): it is kept in
 * `localTasks` under the pool's id and never leaves the thread.
 */
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../../kernel/errors.ts';
import type { TaskFunction, TaskSource } from './options.ts';

/** The task as data a worker's props can carry: a module href and export, or null for an in-thread function. */
export interface TaskRef {
  readonly module: string | null;
  readonly export: string;
}

const PATH = 'system.pool(task)';
const SHAPE = 'a task module (URL, absolute path, or { module, export }) or, in-thread, a function';

/** Validates `task` and names it as data; a function is refused where executors run the workers. */
export function taskRefOf(task: TaskSource, threaded: boolean): TaskRef {
  if (typeof task === 'function') {
    if (threaded)
      throw new ConfigError(
        PATH,
        'a task module URL: a function cannot reach executor threads (functions run in-thread pools, executors: 0)',
        task,
      );
    return { module: null, export: task.name || 'default' };
  }
  if (task instanceof URL || typeof task === 'string')
    return { module: moduleHref(task, PATH), export: 'default' };
  if (task === null || typeof task !== 'object') throw new ConfigError(PATH, SHAPE, task);
  for (const k of Object.keys(task))
    if (k !== 'module' && k !== 'export')
      throw new ConfigError(
        `${PATH}.${k}`,
        'one of module, export',
        (task as unknown as Record<string, unknown>)[k],
      );
  const name = task.export ?? 'default';
  if (typeof name !== 'string' || name.length === 0)
    throw new ConfigError(`${PATH}.export`, 'the name of an exported function', task.export);
  if (!(task.module instanceof URL || typeof task.module === 'string'))
    throw new ConfigError(`${PATH}.module`, 'a URL or an absolute path', task.module);
  return { module: moduleHref(task.module, `${PATH}.module`), export: name };
}

function moduleHref(m: URL | string, path: string): string {
  if (m instanceof URL) return m.href;
  if (isAbsolute(m)) return pathToFileURL(m).href;
  if (/^[a-z][a-z0-9+.-]+:/i.test(m) && URL.canParse(m)) return m;
  throw new ConfigError(
    path,
    "a URL or an absolute path (a relative path would resolve against the working directory: pass new URL('./tasks.js', import.meta.url))",
    m,
  );
}

/** In-thread pools' functions by pool id (this thread only). */
export const localTasks = new Map<string, TaskFunction>();

/** Loaded task functions by `href#export` (this thread's). */
const loaded = new Map<string, TaskFunction | Promise<TaskFunction>>();

/**
 * The task function: at once when this thread has it, else a promise of it (the first worker of
 * the pool on this thread imports the module). A module without that export is a ConfigError.
 */
export function taskFunction(pool: string, ref: TaskRef): TaskFunction | Promise<TaskFunction> {
  if (ref.module === null) {
    const f = localTasks.get(pool);
    if (f === undefined)
      throw new ConfigError(PATH, 'a task module (an in-thread function stays on its thread)', 'a function');
    return f;
  }
  const key = `${ref.module}#${ref.export}`;
  const known = loaded.get(key);
  if (known !== undefined) return known;
  const p = import(ref.module).then(
    (mod: Record<string, unknown>) => {
      const f = mod[ref.export];
      if (typeof f !== 'function') {
        loaded.delete(key);
        throw new ConfigError(
          `${PATH} export "${ref.export}"`,
          `a function exported by ${ref.module}`,
          f === undefined ? `no export named "${ref.export}"` : f,
        );
      }
      loaded.set(key, f as TaskFunction);
      return f as TaskFunction;
    },
    (e: unknown) => {
      loaded.delete(key);
      throw new ConfigError(
        PATH,
        'an importable module',
        `${ref.module} (${(e as Error)?.message ?? String(e)})`,
      );
    },
  );
  loaded.set(key, p);
  return p;
}
