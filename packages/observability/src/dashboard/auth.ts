/**
 * Who may look. Bound to loopback the dashboard needs no token (only this
 * machine can reach it); bound anywhere else it refuses to start without one.
 * A request carries the token as `Authorization: Bearer …`, as `?token=…`
 * (the first page load; the page then keeps it in a cookie), or in that cookie.
 * Compared in constant time: both sides are hashed to 32 bytes first, so
 * neither their content nor their length shows in the time taken.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { ConfigError } from '@troupe/runtime';

export const COOKIE = 'troupe_dashboard_token';
const MIN_TOKEN = 16;

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

/** Checks the options once, at start: a non-loopback bind without a usable token is a ConfigError. */
export function checkToken(host: string, token: unknown, path: string): string | null {
  if (token === undefined || token === null) {
    if (isLoopback(host)) return null;
    throw new ConfigError(
      `${path}.token`,
      `a token (at least ${MIN_TOKEN} characters) when the dashboard binds beyond loopback (host "${host}")`,
      token,
    );
  }
  if (typeof token !== 'string' || token.length < MIN_TOKEN)
    throw new ConfigError(
      `${path}.token`,
      `a string of at least ${MIN_TOKEN} characters`,
      typeof token === 'string' ? `${token.length} characters` : token,
    );
  return token;
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export class TokenCheck {
  private readonly want: Buffer | null;

  constructor(token: string | null) {
    this.want = token === null ? null : digest(token);
  }

  get required(): boolean {
    return this.want !== null;
  }

  /** The token the request offers, wherever it is (null: none). */
  static offered(req: IncomingMessage, url: URL): string | null {
    const auth = req.headers.authorization;
    if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice(7).trim();
    const q = url.searchParams.get('token');
    if (q !== null) return q;
    const cookie = req.headers.cookie;
    if (typeof cookie === 'string')
      for (const part of cookie.split(';')) {
        const [k, ...v] = part.trim().split('=');
        if (k === COOKIE) {
          try {
            return decodeURIComponent(v.join('='));
          } catch {
            return null;
          }
        }
      }
    return null;
  }

  allows(offered: string | null): boolean {
    if (this.want === null) return true;
    if (offered === null) return false;
    return timingSafeEqual(digest(offered), this.want);
  }
}
