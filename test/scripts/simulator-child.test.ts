import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulatorChildEnv, startSimulatorChild, stopSimulatorChild } from '../../scripts/simulator-child.ts';

const AMI_DEFAULT = 5038;

/** Holds 127.0.0.1:port for the test if it is free; if someone else already holds it, that is just as good. */
async function occupy(port: number): Promise<Server | undefined> {
  const server = createServer();
  return await new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      err.code === 'EADDRINUSE' ? resolve(undefined) : reject(err),
    );
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('the simulator child that `npm run bench -- calls` starts', () => {
  let dir: string;
  let blocker: Server | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sim-child-'));
    blocker = await occupy(AMI_DEFAULT);
  });
  afterAll(async () => {
    await new Promise<void>((r) => (blocker ? blocker.close(() => r()) : r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('asks the OS for every port, whatever the caller environment says', () => {
    const env = simulatorChildEnv(
      { ariUser: 'b', ariPassword: 'b-secret', app: 'hotline', recordingsDir: dir },
      { PORT: '8088', AMI_PORT: '5038' },
    );
    expect(env).toMatchObject({ PORT: '0', AMI_PORT: '0' });
  });

  it('starts and serves AMI on a free port while 5038 is taken', { timeout: 60_000 }, async () => {
    // Given 127.0.0.1:5038 held by another process (this test or someone else),
    // when the bench's simulator child starts, then it comes up with AMI on another port.
    const sim = await startSimulatorChild({
      ariUser: 'b',
      ariPassword: 'b-secret',
      app: 'hotline',
      recordingsDir: join(dir, 'pbx'),
      startTimeoutMs: 45_000,
    });
    try {
      expect(sim.ami.port).toBeGreaterThan(0);
      expect(sim.ami.port).not.toBe(AMI_DEFAULT);
      expect(new URL(sim.ariUrl).port).not.toBe('8088');
      const res = await fetch(`${sim.ariUrl}/asterisk/info`, {
        headers: { authorization: `Basic ${Buffer.from('b:b-secret').toString('base64')}` },
      });
      expect(res.status).toBe(200);
    } finally {
      await stopSimulatorChild(sim);
    }
    expect(sim.child.exitCode).toBe(0);
  });
});
