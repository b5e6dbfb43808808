import { existsSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium package (.ci/run installs it); preferred when present. */
export const SYSTEM_CHROMIUM = '/usr/bin/chromium';

export interface ChromiumSources {
  /** CHROMIUM_PATH: when set it is the only browser tried (a typo must not fall back silently). */
  readonly chromiumPath?: string | undefined;
  readonly systemPath?: string;
  /** Unpacks the Chromium that comes with `npm install` (@sparticuz/chromium) and returns its path. */
  readonly unpackBundled?: () => Promise<string>;
}

/**
 * Which Chromium the UI tests drive: CHROMIUM_PATH if set, else the system one, else the one shipped in
 * the @sparticuz/chromium dev dependency, so that `npm install && npm test` works on a fresh machine.
 * No browser at all is an error: the UI tests fail, they are never skipped.
 */
export async function findChromium(sources: ChromiumSources = {}): Promise<string> {
  const chromiumPath = 'chromiumPath' in sources ? sources.chromiumPath : process.env.CHROMIUM_PATH;
  if (chromiumPath !== undefined && chromiumPath !== '') {
    if (!existsSync(chromiumPath)) {
      throw new Error(
        `Chromium not found at ${chromiumPath} (CHROMIUM_PATH): the UI tests (test/ui) need a real browser. Fix or unset CHROMIUM_PATH.`,
      );
    }
    return chromiumPath;
  }
  const systemPath = sources.systemPath ?? SYSTEM_CHROMIUM;
  if (existsSync(systemPath)) return systemPath;
  try {
    return await (sources.unpackBundled ?? unpackBundledChromium)();
  } catch (err) {
    throw new Error(
      `No Chromium for the UI tests (test/ui): CHROMIUM_PATH is unset, ${systemPath} is missing and the bundled ` +
        `@sparticuz/chromium could not be unpacked (${(err as Error).message}). Run \`npm install\`, or set CHROMIUM_PATH.`,
    );
  }
}

/**
 * Unpacks @sparticuz/chromium once per user and version into `<tmp>/hotline-cti-chromium-<version>-<uid>`.
 * The package itself always unpacks into the bare temp dir (`/tmp/chromium`, reused whoever made it);
 * here it unpacks into a private staging dir renamed into place, so parallel test processes never start a
 * half-written binary, and a directory another user planted there is refused.
 */
export async function unpackBundledChromium(baseDir = tmpdir()): Promise<string> {
  const entry = createRequire(import.meta.url).resolve('@sparticuz/chromium');
  const pkg = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string };
  const uid = process.getuid?.() ?? 0;
  const dir = join(baseDir, `hotline-cti-chromium-${pkg.version}-${uid}`);
  const executable = join(dir, 'chromium');
  if (existsSync(executable)) {
    assertPrivateDir(dir, uid);
    return executable;
  }
  const staging = `${dir}.${process.pid}.partial`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { mode: 0o700 });
  const { default: bundled } = await import('@sparticuz/chromium');
  // executablePath() reads os.tmpdir() (TMPDIR) synchronously before its first await: point it at the
  // staging dir only for that call.
  const savedTmp = process.env.TMPDIR;
  process.env.TMPDIR = staging;
  let unpacking: Promise<string>;
  try {
    unpacking = bundled.executablePath();
  } finally {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
  }
  try {
    await unpacking;
    renameSync(staging, dir);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    // Another process finished first: use its copy.
    if (!existsSync(executable)) throw err;
  }
  assertPrivateDir(dir, uid);
  return executable;
}

function assertPrivateDir(dir: string, uid: number): void {
  const st = lstatSync(dir);
  if (!st.isDirectory() || st.uid !== uid || (st.mode & 0o022) !== 0) {
    throw new Error(
      `${dir} is not a directory owned by uid ${uid} and writable only by it: remove it and run the tests again`,
    );
  }
}

/** A real headless Chromium (see findChromium for which one). */
export async function launchChromium(sources?: ChromiumSources): Promise<Browser> {
  const executablePath = await findChromium(sources);
  return chromium.launch({
    executablePath,
    // --no-sandbox: CI and containers run the tests as root, where Chromium's sandbox refuses to start.
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
