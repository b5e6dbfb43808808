/**
 * `npm run bench`: runs every module in scripts/bench/*.ts in name order. Each exports
 * `async function run(): Promise<void>` and prints its own figures beside a baseline measured in
 * the same run. A failing module is reported and the others still run; the exit code is 1 then.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'bench');
const only = process.argv.slice(2);
const files = (await readdir(dir))
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
  .sort();

let failed = 0;
for (const file of files) {
  const started = performance.now();
  console.log(`\n=== bench/${file} ===`);
  try {
    const mod = (await import(pathToFileURL(path.join(dir, file)).href)) as { run?: () => Promise<void> };
    if (typeof mod.run !== 'function') throw new Error('module has no exported run()');
    await mod.run();
    console.log(`--- bench/${file} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } catch (err) {
    failed++;
    console.error(`--- bench/${file} FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }
}
// Keep-alive sockets or a module's stray timer must not keep the runner alive after the last figure.
process.exit(failed ? 1 : 0);
