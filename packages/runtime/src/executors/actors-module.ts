/**
 * The actors module by reference: executors import it by href (a module
 * object cannot cross threads), and the main thread validates and imports
 * the same href, so both sides load one module.
 */
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../kernel/errors.ts';

/** `options.actors`: a module by URL or path, or its exports as an object (in-thread only). */
export type ActorsOption = URL | string | Readonly<Record<string, unknown>>;

/**
 * The href of an `actors` module given as a string: a URL string, or an
 * absolute path. A relative path is refused: it would resolve against the
 * process's working directory, not the module that wrote it, so the same
 * program would find its actors or not depending on where it was started.
 */
export function actorsModuleHref(actors: URL | string): string {
  if (actors instanceof URL) return actors.href;
  if (isAbsolute(actors)) return pathToFileURL(actors).href;
  // A scheme of two letters or more: `C:` is a Windows drive (isAbsolute above), not a URL.
  if (/^[a-z][a-z0-9+.-]+:/i.test(actors) && URL.canParse(actors)) return actors;
  throw new ConfigError(
    'options.actors',
    "a URL or an absolute path (a relative path would resolve against the working directory, not your module: pass new URL('./actors.js', import.meta.url))",
    actors,
  );
}

/** What every executor imports: the module's href, null without one; an object is refused. */
export function actorsUrl(actors: ActorsOption | undefined): string | null {
  if (actors === undefined) return null;
  if (actors instanceof URL || typeof actors === 'string') return actorsModuleHref(actors);
  throw new ConfigError(
    'options.actors',
    'a URL or path of a module (executors import it; a module object cannot cross threads)',
    'an object',
  );
}
