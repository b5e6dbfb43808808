import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/shared/logger.ts';
import { duplicateJsonKeys } from '../shared/json-duplicate-keys.ts';
import { startTestServer } from './helpers.ts';

/** Resolves once `check()` is true (real sockets to the embedded simulator, so real time). */
async function until(what: string, check: () => boolean, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('JSON log lines (issue 7 item 15)', () => {
  it('given the server with telephony (ARI, AMI, simulator) running, when it logs, then no line repeats a key', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'trace', destination: { write: (s: string) => void lines.push(s) } });
    const server = await startTestServer({ telephony: true, logger });
    try {
      await until('ARI and AMI ready', () => server.telephony.connected() && server.telephony.ami?.state === 'ready');
      await server.app.inject({ method: 'GET', url: '/health' });
    } finally {
      await server.cleanup();
    }
    const raw = lines
      .join('')
      .split('\n')
      .filter((l) => l.length > 0);
    const parsed = raw.map((l) => JSON.parse(l) as { component?: string; msg?: string });
    for (const line of raw) expect(duplicateJsonKeys(line), line).toEqual([]);
    // The AMI client's lines are among those checked (they were the ones with "component" twice).
    expect(
      parsed.some((l) => l.component === 'telephony.ami' && /AMI connected/.test(l.msg ?? '')),
      raw.join('\n'),
    ).toBe(true);
  });
});
