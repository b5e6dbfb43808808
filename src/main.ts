import { ConfigError, loadConfig, type Config } from './config/index.ts';
import { startServer } from './server.ts';
import { assertDemoAllowed, demoSettings, startDemo } from './demo/start-demo.ts';

// Entry point of `npm start`: configuration, store, first admin, HTTP + socket.io, telephony
// (see src/server.ts and src/telephony-runtime.ts for the wiring), and a clean stop on Ctrl-C.
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig({ env: process.env, cwd: process.cwd() });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }

  // `npm start -- --demo` (or DEMO=1): simulated traffic on the built-in simulator, refused with a real Asterisk.
  const demo = demoSettings(process.argv.slice(2), process.env);
  if (demo) assertDemoAllowed(config.asterisk.mode);

  // Several instances: a deposed owner's call state is stale; it stops and its supervisor restarts it as a
  // clean standby (exit code 75, "try again"; docs/scale-out.md).
  let deposed: () => void = () => process.exit(75);
  const server = await startServer(config, { onDeposed: () => deposed() });
  const log = server.logger;
  if (demo) {
    const running = await startDemo(server, demo);
    process.stdout.write(running.banner);
  }
  log.info(
    { url: server.url, telephony: server.telephony.mode, dataDir: config.server.dataDir },
    `hotline CTI listening on ${server.url}`,
  );

  let stopping = false;
  const stop = (reason: string, exitCode: number) => {
    if (stopping) {
      log.warn({ reason }, 'asked to stop again: exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ reason }, 'shutting down');
    // A stop that hangs must not keep the process alive forever.
    const force = setTimeout(() => {
      log.error('shutdown took longer than 10 s; exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    server.close().then(
      () => {
        log.info('stopped');
        log.flush?.();
        process.exit(exitCode);
      },
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  deposed = () => stop('call ownership lost to another instance', 75);
  process.on('SIGINT', () => stop('SIGINT', 0));
  process.on('SIGTERM', () => stop('SIGTERM', 0));
  // A promise nobody awaited must not take the hotline down: log it loudly and keep serving.
  process.on('unhandledRejection', (reason) => {
    log.error({ err: reason }, 'unhandled promise rejection (a bug): logged, the server keeps running');
  });
  // After an uncaught exception the process state is unknown: stop cleanly, exit 1, let the supervisor restart.
  process.on('uncaughtException', (err) => {
    log.fatal({ err }, 'uncaught exception');
    stop('uncaughtException', 1);
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`start-up failed: ${startupMessage(err)}\n`);
  process.exit(1);
});

/** The operator's view of a start-up failure: the setting to change when there is one, else the stack. */
function startupMessage(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // Configuration-like errors (e.g. IvrConfigError) already name the problem; a stack adds nothing.
  if (/ConfigError$/.test(err.name)) return err.message;
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
  switch (e.code) {
    case 'EADDRINUSE':
      return `port ${e.port ?? ''} on ${e.address ?? ''} is already in use: stop the other server or choose another PORT`;
    case 'EADDRNOTAVAIL':
      return `HOST ${e.address ?? ''} is not an address of this machine: use e.g. 127.0.0.1 or 0.0.0.0`;
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${e.message}): check DATA_DIR is writable and PORT is above 1023`;
    case 'SQLITE_CANTOPEN':
      return `cannot open the database under DATA_DIR (${e.message})`;
    default:
      // A file-system failure (ENOTDIR, EROFS, ENOSPC, ...) at start is a DATA_DIR problem.
      if (e.syscall && e.path) return `${e.code ?? 'error'}: cannot ${e.syscall} ${e.path}: check DATA_DIR`;
      return err.stack ?? err.message;
  }
}
