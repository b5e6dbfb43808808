import { permissionsOf } from '../auth/permissions.ts';
import type { AuthService } from '../auth/auth-service.ts';
import type { CallLayer } from '../calls/call-layer.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { SimulatorHandle } from '../simulator/index.ts';
import type { UsersRepo } from '../store/users-repo.ts';
import type { WorkOrderModule } from '../work-orders/module.ts';
import type { Caller } from '../work-orders/work-order-service.ts';
import { describeAccounts, ensureDemoAccounts, type DemoAccount } from './demo-accounts.ts';
import { DemoTraffic } from './demo-traffic.ts';

/** Demo traffic was asked for where it must not run. */
export class DemoRefusedError extends Error {
  override readonly name = 'DemoConfigError';
}

/** `--demo` or DEMO=1, with DEMO_CALLS_PER_MINUTE (1–120, default 6). Throws naming a bad setting. */
export function demoSettings(argv: readonly string[], env: NodeJS.ProcessEnv): { callsPerMinute: number } | null {
  const on = argv.includes('--demo') || env.DEMO === '1' || env.DEMO === 'true';
  if (!on) return null;
  const raw = env.DEMO_CALLS_PER_MINUTE;
  const callsPerMinute = raw === undefined || raw === '' ? 6 : Number(raw);
  if (!Number.isFinite(callsPerMinute) || callsPerMinute < 1 || callsPerMinute > 120)
    throw new DemoRefusedError(`DEMO_CALLS_PER_MINUTE must be a number from 1 to 120, got ${JSON.stringify(raw)}`);
  return { callsPerMinute };
}

/** Refuses demo traffic on a real Asterisk: simulated callers must never ring real phones. */
export function assertDemoAllowed(mode: string): void {
  if (mode !== 'simulator')
    throw new DemoRefusedError(
      'demo traffic runs only on the built-in PBX simulator: unset ASTERISK_ARI_URL (it points at a real Asterisk) or start without --demo/DEMO=1',
    );
}

export interface RunningDemo {
  accounts: DemoAccount[];
  traffic: DemoTraffic;
  /** What to print for the newcomer. */
  banner: string;
  stop(): void;
}

/** What the demo needs of the running server (src/server.ts RunningServer has all of it). */
export interface DemoHost {
  url: string;
  clock: Clock;
  logger: Logger;
  auth: AuthService;
  users: UsersRepo;
  config: { server: { dataDir: string } };
  telephony: { mode: string; simulator?: SimulatorHandle | undefined };
  workOrders: Pick<WorkOrderModule, 'organisation' | 'orders'>;
  callLayer: Pick<CallLayer, 'controller' | 'figures'>;
}

/** Creates the demo organisation and accounts and starts the traffic on the server's simulator. */
export async function startDemo(
  server: DemoHost,
  opts: { callsPerMinute: number; random?: () => number },
): Promise<RunningDemo> {
  assertDemoAllowed(server.telephony.mode);
  const sim = server.telephony.simulator;
  if (!sim) throw new DemoRefusedError('demo traffic needs the built-in PBX simulator, which did not start');
  const system: Caller = { id: 'demo', role: 'admin', unitId: null, permissions: permissionsOf('admin') };
  const accounts = await ensureDemoAccounts({
    dataDir: server.config.server.dataDir,
    auth: server.auth,
    users: server.users,
    organisation: server.workOrders.organisation,
    system,
  });
  const users = new Map<string, number>();
  for (const a of accounts) users.set(a.username, (await server.users.byUsername(a.username))?.id ?? 0);
  const traffic = new DemoTraffic({
    clock: server.clock,
    logger: server.logger.child({ component: 'demo' }),
    sim: sim.control,
    commands: server.callLayer.controller.commands,
    figures: () => server.callLayer.figures.current(),
    orders: server.workOrders.orders,
    accounts,
    callsPerMinute: opts.callsPerMinute,
    callerFor: (a) => ({
      id: String(users.get(a.username)),
      // The agent's calls are known by user name (an agent records orders only for calls they took, issue 9).
      username: a.username,
      role: a.role,
      unitId: a.unitId,
      permissions: permissionsOf(a.role),
    }),
    ...(opts.random ? { random: opts.random } : {}),
  });
  traffic.start();
  return { accounts, traffic, banner: describeAccounts(server.url, accounts), stop: () => traffic.stop() };
}
