import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/shared/clock.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { startTestServer } from '../platform/helpers.ts';
import { PHONE, WEBHOOK_SECRET } from './helpers.ts';

interface Line {
  level: number;
  msg: string;
  refused?: number;
  reason?: string;
  err?: unknown;
  stack?: unknown;
}

/** A server whose every log line is captured, on a fake clock. */
async function serverWithCapturedLog(env: Record<string, string>) {
  const raw: string[] = [];
  const logger = createLogger({
    level: 'info',
    pretty: false,
    destination: { write: (s: string) => void raw.push(s) },
  });
  const clock = new FakeClock(Date.UTC(2026, 0, 5, 1, 0, 0));
  const server = await startTestServer({ clock, logger, scanner: false, env });
  const lines = () =>
    raw
      .join('')
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l) as Line);
  const webhookLines = () =>
    lines().filter((l) => /webhook/i.test(l.msg) && l.msg !== 'incoming request' && l.msg !== 'request completed');
  const post = () =>
    server.app.inject({
      method: 'POST',
      url: '/webhooks/sms',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ from: PHONE, text: '1' }),
    });
  return { server, clock, lines, webhookLines, raw, post };
}

describe('refused SMS webhook calls are logged at most once a minute (issue 7 item 10)', () => {
  it('given no SMS_WEBHOOK_SECRET, when anonymous calls flood in, then one warn line a minute with a count and no error or stack', async () => {
    const s = await serverWithCapturedLog({});
    try {
      // When: 50 anonymous calls in the first second, 10 more half a minute later.
      for (let i = 0; i < 50; i++) expect((await s.post()).statusCode).toBe(503);
      s.clock.advance(30_000);
      for (let i = 0; i < 10; i++) expect((await s.post()).statusCode).toBe(503);

      // Then: one line so far, at warn, for the first refusal.
      expect(
        s.lines().filter((l) => l.level >= 50),
        s.raw.join(''),
      ).toEqual([]);
      expect(s.webhookLines()).toHaveLength(1);
      expect(s.webhookLines()[0]).toMatchObject({ level: 40, refused: 1, reason: 'webhook-not-configured' });
      expect(s.raw.join('')).not.toMatch(/stack|at .*\.ts:\d+/);

      // When: a minute after that line, one more call.
      s.clock.advance(30_000);
      expect((await s.post()).statusCode).toBe(503);

      // Then: a second line counting the 59 calls kept quiet plus this one.
      expect(s.webhookLines()).toHaveLength(2);
      expect(s.webhookLines()[1]).toMatchObject({ level: 40, refused: 60, reason: 'webhook-not-configured' });
    } finally {
      await s.server.cleanup();
    }
  });

  it('given a configured secret, when unsigned calls flood in, then they are counted on the same once-a-minute warn line', async () => {
    const s = await serverWithCapturedLog({ SMS_WEBHOOK_SECRET: WEBHOOK_SECRET });
    try {
      for (let i = 0; i < 20; i++) expect((await s.post()).statusCode).toBe(401);
      expect(s.webhookLines()).toHaveLength(1);
      expect(s.webhookLines()[0]).toMatchObject({ level: 40, refused: 1, reason: 'bad-signature' });
      s.clock.advance(60_000);
      expect((await s.post()).statusCode).toBe(401);
      expect(s.webhookLines().map((l) => l.refused)).toEqual([1, 20]);
      expect(s.lines().filter((l) => l.level >= 50)).toEqual([]);
    } finally {
      await s.server.cleanup();
    }
  });

  it('given calls kept quiet when the server stops, then their count is written on close', async () => {
    const s = await serverWithCapturedLog({});
    await s.post();
    await s.post();
    await s.post();
    await s.server.cleanup();
    expect(s.webhookLines().map((l) => l.refused)).toEqual([1, 2]);
  });
});
