/**
 * Starts `npm run simulator` (src/simulator/cli.ts) as a child process for benchmarks and tests. Every
 * port it opens is picked by the OS (PORT=0, AMI_PORT=0): the CLI's defaults (8088, 5038) are for a
 * developer's terminal, and a bench must not fail because something else holds them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface SimulatorChild {
  readonly child: ChildProcess;
  readonly ariUrl: string;
  readonly controlUrl: string;
  readonly ami: { host: string; port: number };
}

export interface SimulatorChildOptions {
  readonly ariUser: string;
  readonly ariPassword: string;
  readonly app: string;
  readonly recordingsDir: string;
  readonly amiUser?: string;
  readonly amiSecret?: string;
  readonly startTimeoutMs?: number;
}

/** The child's environment: the caller's, with the simulator's settings and OS-picked ports. */
export function simulatorChildEnv(o: SimulatorChildOptions, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...base,
    PORT: '0',
    AMI_PORT: '0',
    ARI_USER: o.ariUser,
    ARI_PASSWORD: o.ariPassword,
    AMI_USER: o.amiUser ?? o.ariUser,
    AMI_SECRET: o.amiSecret ?? o.ariPassword,
    STASIS_APP: o.app,
    RECORDINGS_DIR: o.recordingsDir,
    SOUNDS_DIR: join(ROOT, 'sounds'),
    LOG_LEVEL: 'info',
  };
}

/** Resolves once the child logged where it listens; rejects if it exits or is silent for startTimeoutMs. */
export async function startSimulatorChild(o: SimulatorChildOptions): Promise<SimulatorChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/simulator/cli.ts')], {
    cwd: ROOT,
    env: simulatorChildEnv(o),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  return await new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`simulator child did not start in ${o.startTimeoutMs ?? 30_000} ms: ${stderr}`));
    }, o.startTimeoutMs ?? 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      for (const line of buf.split('\n')) {
        if (!line.includes('"ariUrl"')) continue;
        let logged: { ariUrl?: string; controlUrl?: string; ami?: { host: string; port: number } };
        try {
          logged = JSON.parse(line) as typeof logged;
        } catch {
          continue; // a partial line: wait for the rest
        }
        if (!logged.ariUrl || !logged.controlUrl || !logged.ami) continue;
        clearTimeout(timer);
        child.removeAllListeners('exit');
        child.stdout!.removeAllListeners('data');
        child.stdout!.resume();
        resolve({ child, ariUrl: logged.ariUrl, controlUrl: logged.controlUrl, ami: logged.ami });
        return;
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`simulator child exited with ${code}: ${stderr}`));
    });
  });
}

/** SIGTERM and wait for the exit. */
export async function stopSimulatorChild(sim: SimulatorChild): Promise<void> {
  if (sim.child.exitCode !== null || sim.child.signalCode !== null) return;
  const exited = new Promise((r) => sim.child.once('exit', r));
  sim.child.kill('SIGTERM');
  await exited;
}
