import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { EXCHANGE_SECRET, outboxHarness, type OutboxHarness } from './harness.ts';
import { Receiver, until } from './receiver.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('exchange outbox across a crash of the sender', () => {
  let h: OutboxHarness | undefined;
  let rx: Receiver | undefined;
  let child: ChildProcess | undefined;
  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await h?.close();
    await rx?.close();
  });

  it('given a sender killed with SIGKILL mid-push, when a new sender starts, then no record is lost and each order stays in order', async () => {
    h = outboxHarness();
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push(await h.order(20 + i, true));
    expect((await h.module.exchange.figures()).pending).toBe(10);

    // The receiver acknowledges three pushes and holds the answer to the fourth: the sender is mid-push.
    rx = await new Receiver(EXCHANGE_SECRET, (n) => (n < 3 ? 'ack' : 'hang')).start();
    child = spawn(
      join(ROOT, 'node_modules', '.bin', 'tsx'),
      [join(ROOT, 'test', 'exchange', 'fixtures', 'outbox-sender-child.ts'), h.dir, rx.url],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => {
      stderr += String(c);
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child!.on('exit', (_code, signal) => resolve(signal)),
    );
    await until(() => rx!.deliveries.length === 4 || child!.exitCode !== null, 'the fourth push arrives', 30_000);
    expect(stderr).toBe('');
    const inFlight = rx.deliveries[3]!;
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    // Three records left the outbox; the one in flight and the rest are still there.
    expect((await h.module.exchange.figures()).pending).toBe(7);
    expect((await h.module.exchange.due(h.clock.now(), 20)).some((r) => String(r.id) === inFlight.id)).toBe(true);

    rx.behaviour = () => 'ack';
    const sender = h.sender(rx.url);
    sender.start();
    await until(async () => (await sender.refreshFigures()).pending === 0, 'the outbox drains after the restart');
    const per = rx.firstDeliveries();
    for (const id of ids) expect(per.get(id)).toEqual([1, 2]);
    // At least once: the record in flight at the crash came twice, every other record once.
    expect(rx.deliveries.filter((d) => d.id === inFlight.id)).toHaveLength(2);
    expect(new Set(rx.deliveries.map((d) => d.id)).size).toBe(10);
    expect(rx.deliveries).toHaveLength(11);
  });
});
