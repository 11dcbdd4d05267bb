/**
 * The page's files: the package's own `assets/` folder and a few files of
 * its dependencies (preact, htm, uPlot) served from node_modules, so there is
 * no CDN and no build step. Only names listed here are served — a request
 * path is looked up, never joined onto a folder.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Asset {
  readonly body: Buffer;
  readonly type: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/**
 * Dependency files by the name the page imports them under: [package, file in it]. Found through
 * each package's package.json (their exports maps hide the files themselves).
 */
const VENDOR: Record<string, readonly [string, string]> = {
  'preact.js': ['preact', 'dist/preact.mjs'],
  'preact-hooks.js': ['preact', 'hooks/dist/hooks.mjs'],
  'htm.js': ['htm', 'dist/htm.module.js'],
  'uplot.js': ['uplot', 'dist/uPlot.esm.js'],
  'uplot.css': ['uplot', 'dist/uPlot.min.css'],
};

/** The folder of package `name`, found upwards from its entry file (not every exports map lists package.json). */
function packageRoot(entry: string, name: string): string {
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      if ((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name === name)
        return dir;
    } catch {
      // no package.json here: go up
    }
  }
  throw new Error(`dashboard: the ${name} package's folder was not found above ${entry}`);
}

/**
 * preact's hooks import the bare name "preact", which a browser cannot resolve without an import
 * map (and an inline one would need the CSP to allow inline scripts): point it at our copy.
 */
function vendorBody(name: string, body: Buffer): Buffer {
  if (name !== 'preact-hooks.js') return body;
  return Buffer.from(body.toString('utf8').replace(/from\s*"preact"/g, 'from"/vendor/preact.js"'));
}

export function assetsDir(): string {
  // src/dashboard/assets.ts and dist/dashboard/assets.js are both two levels below the package.
  return fileURLToPath(new URL('../../assets/', import.meta.url));
}

/** Reads every asset once (they are small): a request never touches the disk. */
export function loadAssets(dir = assetsDir()): Map<string, Asset> {
  const out = new Map<string, Asset>();
  const walk = (folder: string, prefix: string) => {
    for (const d of readdirSync(folder, { withFileTypes: true })) {
      if (d.isDirectory()) walk(join(folder, d.name), `${prefix}${d.name}/`);
      else if (TYPES[extname(d.name)] !== undefined)
        out.set(`/assets/${prefix}${d.name}`, {
          body: readFileSync(join(folder, d.name)),
          type: TYPES[extname(d.name)]!,
        });
    }
  };
  walk(dir, '');
  const require = createRequire(import.meta.url);
  for (const [name, [pkg, file]] of Object.entries(VENDOR)) {
    const root = packageRoot(require.resolve(pkg), pkg);
    out.set(`/vendor/${name}`, {
      body: vendorBody(name, readFileSync(join(root, file))),
      type: TYPES[extname(name)]!,
    });
  }
  const index = out.get('/assets/index.html');
  if (index !== undefined) out.set('/', index);
  return out;
}
