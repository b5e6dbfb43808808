import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../shared/clock.ts';

/**
 * Playback in the browser: an <audio> element cannot send the Authorization header, and fetching the
 * whole file into a blob would defeat seeking (and needs `media-src blob:` in the page's CSP). So the
 * console asks for a short-lived ticket for ONE recording, signed with a key that lives only in this
 * process, and puts it in the audio URL; the streaming route accepts nothing else. A ticket cannot be
 * widened to another recording, and a restart invalidates every ticket.
 */
export interface TicketClaims {
  name: string;
  username: string;
  role: string;
  exp: number;
}

export class PlaybackTickets {
  private readonly key: Buffer;

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs = 10 * 60_000,
    key?: Buffer,
  ) {
    this.key = key ?? randomBytes(32);
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }

  issue(name: string, username: string, role: string): { ticket: string; expiresAt: number } {
    const exp = this.clock.now() + this.ttlMs;
    const body = Buffer.from(JSON.stringify({ name, username, role, exp } satisfies TicketClaims)).toString(
      'base64url',
    );
    return { ticket: `${body}.${this.sign(body)}`, expiresAt: exp };
  }

  /** The claims when the ticket is genuine, unexpired and for `name`; otherwise null. */
  verify(ticket: string, name: string): TicketClaims | null {
    const dot = ticket.indexOf('.');
    if (dot <= 0) return null;
    const body = ticket.slice(0, dot);
    const given = Buffer.from(ticket.slice(dot + 1));
    const expected = Buffer.from(this.sign(body));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    let claims: TicketClaims;
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TicketClaims;
    } catch {
      return null;
    }
    if (claims.name !== name || typeof claims.exp !== 'number' || claims.exp <= this.clock.now()) return null;
    return claims;
  }
}
