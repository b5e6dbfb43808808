import { ConfigError, loadConfig, type Config } from './config/index.ts';
import { startServer } from './server.ts';

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

  const server = await startServer(config);
  server.logger.info(
    { url: server.url, telephony: server.telephony.mode, dataDir: config.server.dataDir },
    `hotline CTI listening on ${server.url}`,
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      server.logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    server.logger.info({ signal }, 'shutting down');
    // A stop that hangs must not keep the process alive forever.
    const force = setTimeout(() => {
      server.logger.error('shutdown took longer than 10 s; exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    server.close().then(
      () => {
        server.logger.info('stopped');
        server.logger.flush?.();
        process.exit(0);
      },
      (err: unknown) => {
        server.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`start-up failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
