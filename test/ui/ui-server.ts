import { FakeClock } from '../../src/shared/clock.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import type { SimulatorHandle } from '../../src/simulator/index.ts';
import { FAST_SCRYPT, tempDir, testConfig } from '../platform/helpers.ts';

/**
 * The real server (HTTP, socket.io, call layer, work orders, embedded PBX simulator) on a temp DATA_DIR
 * and a fake clock, so the voice menu's prompts and the 15/20 s thresholds pass without waiting.
 */
export class UiServer {
  private constructor(
    readonly server: RunningServer,
    readonly clock: FakeClock,
    private readonly cleanupDir: () => void,
  ) {}

  static async start(env: Record<string, string> = {}): Promise<UiServer> {
    const { dir, cleanup } = tempDir('ui-');
    const clock = new FakeClock(Date.now());
    const server = await startServer(testConfig(dir, env), {
      clock,
      logger: createLogger({ level: process.env.TEST_LOG ?? 'silent', pretty: false }),
      scrypt: FAST_SCRYPT,
      scanner: false,
    });
    const ui = new UiServer(server, clock, cleanup);
    await ui.until('ARI connected to the simulator', async () => server.telephony.connected());
    return ui;
  }

  get url(): string {
    return this.server.url;
  }

  get sim(): SimulatorHandle {
    const s = this.server.telephony.simulator;
    if (!s) throw new Error('the embedded simulator did not start');
    return s;
  }

  async user(
    username: string,
    role: 'agent' | 'supervisor' | 'auditor',
    password = 'user-password-1',
  ): Promise<{ username: string; password: string }> {
    await this.server.auth.createUser({ username, password, role, unitId: null });
    return { username, password };
  }

  /**
   * Moves fake time in small steps, letting the server, the simulator and the browser run in between,
   * until `cond` holds. Fails naming `what` after `maxMs` of fake time.
   */
  async until(
    what: string,
    cond: () => Promise<boolean>,
    opts: { stepMs?: number; maxMs?: number } = {},
  ): Promise<void> {
    const step = opts.stepMs ?? 100;
    const max = opts.maxMs ?? 60_000;
    for (let moved = 0; ; moved += step) {
      if (await cond()) return;
      if (moved >= max) throw new Error(`timed out waiting for: ${what} (${moved} ms of fake time)`);
      await this.clock.advanceAsync(step);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  async close(): Promise<void> {
    await this.server.close();
    this.cleanupDir();
  }
}
