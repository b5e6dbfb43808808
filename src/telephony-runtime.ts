import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config, TelephonyMode } from './config/index.ts';
import type { Clock } from './shared/clock.ts';
import type { Logger } from './shared/logger.ts';
import { projectSoundsDir, startSimulator, type SimulatorHandle } from './simulator/index.ts';
import { AmiClient, amiClientFromConfig } from './telephony/ami/index.ts';
import { AriConnection, type ReconcileHandler } from './telephony/ari/index.ts';

/** The telephony side as the platform sees it: which mode, whether ARI is up, and how to stop it. */
export interface TelephonyRuntime {
  readonly mode: TelephonyMode;
  /**
   * The ARI connection the call layer uses. When telephony is off (tests) or the embedded simulator did
   * not start, it exists but is never started: calls fail with ARI errors and /health says disconnected.
   */
  readonly ari: AriConnection;
  /** The embedded PBX simulator in simulator mode. */
  readonly simulator: SimulatorHandle | undefined;
  /**
   * The AMI connection: to the embedded simulator's AMI in simulator mode, to the configured Asterisk when
   * ASTERISK_AMI_HOST is set; undefined when AMI is not configured (or telephony is off).
   */
  readonly ami: AmiClient | undefined;
  connected(): boolean;
  /** For /health: is AMI configured, and is its connection logged in. */
  amiHealth(): { configured: boolean; connected: boolean };
  stop(): Promise<void>;
}

export interface StartTelephonyOptions {
  config: Config;
  clock: Clock;
  logger: Logger;
  /** The call layer's reconcile step (issue 4). Until it is wired, snapshots are only logged. */
  reconcile?: ReconcileHandler;
  /** false: the ARI connection waits for start() (several instances: started by the call-ownership lease). */
  autoStart?: boolean;
  /** Checked before each ARI request (fencing of a deposed owner, docs/scale-out.md). */
  guard?: () => void;
}

/**
 * TELEPHONY START. Simulator mode (no ASTERISK_ARI_URL): start the embedded PBX simulator on loopback
 * and connect the production ARI client to it. Asterisk mode: connect the ARI client to the configured
 * Asterisk. A failure here never stops the HTTP server: /health reports `connected: false` and the ARI
 * client keeps retrying on its own.
 */
export async function startTelephony(opts: StartTelephonyOptions): Promise<TelephonyRuntime> {
  const { config, clock } = opts;
  const log = opts.logger.child({ component: 'telephony' });
  // pino appends a child's bindings to its parent's without merging them, so a `component` bound on a
  // child of `log` would appear twice in each line (issue 7 item 15): the AMI client's logger is made
  // from the root with a dotted name instead.
  const amiLog = opts.logger.child({ component: 'telephony.ami' });
  const a = config.asterisk;
  const reconcile = reconcileOrLog(opts.reconcile, log);

  let simulator: SimulatorHandle | undefined;
  let ami: AmiClient | undefined;
  let url: string;
  let user: string;
  let password: string;
  if (a.mode === 'simulator') {
    user = 'hotline';
    password = randomBytes(16).toString('base64url');
    const amiSecret = randomBytes(16).toString('base64url');
    try {
      simulator = await startSimulator({
        host: '127.0.0.1',
        port: 0,
        ariUser: user,
        ariPassword: password,
        clock,
        recordingsDir: join(config.server.dataDir, 'simulator', 'recordings'),
        // Inbound calls placed on the simulator enter this server's Stasis application.
        inboundApp: a.app,
        // The voice-menu prompts: sound:hotline/<name> with lang zh plays sounds/zh/<name>.wav, as long as it lasts.
        soundsDirs: [projectSoundsDir(fileURLToPath(new URL('../sounds', import.meta.url)))],
        logger: opts.logger.child({ component: 'simulator' }),
        // AMI on loopback, a free port, a secret of this start only.
        ami: { port: 0, user, secret: amiSecret },
      });
    } catch (err) {
      log.error({ err: (err as Error).message }, 'the embedded PBX simulator did not start; running without telephony');
      return idleTelephony(opts);
    }
    url = simulator.ariUrl;
    log.info({ ariUrl: url, ami: simulator.ami }, 'embedded PBX simulator started');
    if (simulator.ami) {
      ami = new AmiClient({
        host: simulator.ami.host,
        port: simulator.ami.port,
        user,
        secret: amiSecret,
        clock,
        logger: amiLog,
      });
    }
    // For scripts/place-call.ts: where the simulator's control API is and how to sign in (this start only).
    writeFileSync(
      join(config.server.dataDir, 'simulator', 'control.json'),
      JSON.stringify({ controlUrl: simulator.controlUrl, user, password }),
      { mode: 0o600 },
    );
  } else {
    url = a.ariUrl!;
    user = a.ariUser!;
    password = a.ariPassword!;
    ami = amiClientFromConfig(config, clock, amiLog);
  }

  const ari = new AriConnection({
    url,
    user,
    password,
    app: a.app,
    clock,
    logger: opts.logger,
    reconcile,
    restTimeoutMs: a.restTimeoutMs,
    guard: opts.guard,
  });
  if (opts.autoStart !== false) {
    ari.start();
    log.info({ mode: a.mode, app: a.app }, 'ARI connection started');
  }
  // Never throws; keeps itself connected (with backoff) until stop().
  ami?.start();
  if (ami) log.info({ mode: a.mode }, 'AMI connection started');

  return {
    mode: a.mode,
    ari,
    simulator,
    ami,
    connected: () => ari.state === 'ready',
    amiHealth: () => ({ configured: ami !== undefined, connected: ami?.state === 'ready' }),
    async stop() {
      ami?.stop();
      await ari.stop();
      await simulator?.close();
    },
  };
}

function reconcileOrLog(handler: ReconcileHandler | undefined, log: Logger): ReconcileHandler {
  return (
    handler ?? {
      reconcile(snapshot) {
        log.info(
          {
            channels: snapshot.channels.length,
            bridges: snapshot.bridges.length,
            connection: snapshot.connectionNumber,
          },
          'ARI reconciled (no call layer attached)',
        );
      },
    }
  );
}

/** Telephony that is switched off: an ARI client that is never started, pointing nowhere. */
export function idleTelephony(opts: StartTelephonyOptions): TelephonyRuntime {
  const a = opts.config.asterisk;
  const ari = new AriConnection({
    url: a.ariUrl ?? 'http://127.0.0.1:1',
    user: a.ariUser ?? 'none',
    password: a.ariPassword ?? 'none',
    app: a.app,
    clock: opts.clock,
    logger: opts.logger,
    reconcile: reconcileOrLog(opts.reconcile, opts.logger),
    restTimeoutMs: Math.min(a.restTimeoutMs, 1000),
  });
  return {
    mode: a.mode,
    ari,
    simulator: undefined,
    ami: undefined,
    connected: () => false,
    amiHealth: () => ({ configured: false, connected: false }),
    stop: () => ari.stop(),
  };
}
