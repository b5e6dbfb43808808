/**
 * `npm run simulator`: runs the PBX simulator standalone.
 * Env: PORT (default 8088), ARI_USER / ARI_PASSWORD (required), RECORDINGS_DIR (default ./data/sim-recordings),
 * SOUNDS_DIR (optional, extra sounds), STASIS_APP (app for inbound calls, default cti-test),
 * AMI_PORT (default 5038; 0 picks a free port), AMI_USER (default hotline), AMI_SECRET (default: a random one,
 * printed once at start so a client can sign in),
 * SIM_TIMING (REST latency and event/reply order: `off` (default), `asterisk22`, or a JSON object for parseTiming()),
 * SIM_TIMING_SEED (integer, overrides the config's seed).
 */
import { randomBytes } from 'node:crypto';
import { createLogger } from '../shared/logger.ts';
import { startSimulator } from './server.ts';
import { parseTiming, type SimulatorTiming } from './timing.ts';

function fail(msg: string): never {
  process.stderr.write(`simulator: ${msg}\n`);
  process.exit(2);
}

const port = Number(process.env.PORT ?? '8088');
if (!Number.isInteger(port) || port < 0 || port > 65535)
  fail(`PORT must be an integer 0-65535, got "${process.env.PORT}"`);
const user = process.env.ARI_USER;
const password = process.env.ARI_PASSWORD;
if (!user || !password) fail('ARI_USER and ARI_PASSWORD must be set');
const amiPort = Number(process.env.AMI_PORT ?? '5038');
if (!Number.isInteger(amiPort) || amiPort < 0 || amiPort > 65535)
  fail(`AMI_PORT must be an integer 0-65535, got "${process.env.AMI_PORT}"`);
const amiUser = process.env.AMI_USER || 'hotline';
const amiSecretGiven = process.env.AMI_SECRET;
const amiSecret = amiSecretGiven || randomBytes(12).toString('base64url');
const timing = readTiming(process.env.SIM_TIMING, process.env.SIM_TIMING_SEED);

function readTiming(text: string | undefined, seedText: string | undefined): SimulatorTiming | undefined {
  if (!text || text === 'off') {
    if (seedText) fail('SIM_TIMING_SEED needs SIM_TIMING (asterisk22 or a JSON object)');
    return undefined;
  }
  let raw: unknown = text;
  if (text !== 'asterisk22') {
    try {
      raw = JSON.parse(text);
    } catch {
      fail(`SIM_TIMING must be off, asterisk22 or a JSON object, got "${text}"`);
    }
  }
  try {
    const t = parseTiming(raw);
    if (seedText !== undefined) {
      const seed = Number(seedText);
      if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
        fail(`SIM_TIMING_SEED must be an integer 0-4294967295, got "${seedText}"`);
      t.seed = seed;
    }
    return t;
  } catch (err) {
    fail(`SIM_TIMING: ${err instanceof Error ? err.message : String(err)}`);
  }
}

const logger = createLogger();
const sim = await startSimulator({
  port,
  ariUser: user,
  ariPassword: password,
  recordingsDir: process.env.RECORDINGS_DIR ?? './data/sim-recordings',
  soundsDirs: process.env.SOUNDS_DIR ? [process.env.SOUNDS_DIR] : [],
  inboundApp: process.env.STASIS_APP ?? 'cti-test',
  logger,
  ami: { port: amiPort, user: amiUser, secret: amiSecret },
  ...(timing ? { timing } : {}),
});
logger.info(
  {
    ariUrl: sim.ariUrl,
    controlUrl: sim.controlUrl,
    ami: sim.ami,
    amiUser,
    timing: timing ? { seed: timing.seed, scale: timing.scale ?? 1 } : 'off',
  },
  'PBX simulator listening',
);
// A generated secret is shown once on the terminal (stderr, never in the JSON log).
if (!amiSecretGiven)
  process.stderr.write(`simulator: AMI user ${amiUser}, secret ${amiSecret} (set AMI_SECRET to choose one)\n`);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  sim.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
