import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { verifyEvidencePackage } from '../audit-console/package-verify.ts';
import { ConfigError, loadConfig } from '../config/index.ts';
import { openStore } from '../store/db.ts';
import { RecordingsRepo } from '../store/recordings-repo.ts';
import { PgRecordingsStore } from '../store/pg-recordings-store.ts';
import { openPgStore } from '../store/pg-store.ts';
import { SqliteRecordingsStore, type RecordingsStore } from '../store/recordings-store.ts';
import { archivedFilePath, archiveRoot } from './archive.ts';
import { verifyIntegrity, type IntegrityReport } from './integrity.ts';

/**
 * `npm run verify [-- --files N] [-- --json]`: walks the audit-log and recording-index hash chains of
 * DATA_DIR's database, or of DATABASE_URL's PostgreSQL when set (configured like `npm start`), and re-hashes the archived files (all, or N).
 * Exit code 0 when everything matches, 1 naming the first row or file that does not, 2 on bad usage.
 *
 * `npm run verify -- --package evidence-x.tar` checks an evidence package offline instead (no DATA_DIR):
 * see src/audit-console/package-verify.ts.
 */
export async function runVerify(
  argv: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<{ exitCode: number; out: string; report?: IntegrityReport }> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: { files: { type: 'string' }, json: { type: 'boolean' }, package: { type: 'string' } },
      strict: true,
    });
  } catch (err) {
    return {
      exitCode: 2,
      out: `verify: ${(err as Error).message}\nusage: npm run verify -- [--files N] [--json] | --package FILE.tar\n`,
    };
  }
  if (args.values.package !== undefined)
    return verifyPackageFile(resolve(cwd, args.values.package), args.values.json === true);
  const files = args.values.files === undefined ? 0 : Number(args.values.files);
  if (!Number.isInteger(files) || files < 0)
    return { exitCode: 2, out: `verify: --files must be a whole number >= 0 (got ${args.values.files})\n` };
  let dataDir: string;
  let recordingsDir: string | undefined;
  let databaseUrl: string | undefined;
  try {
    const config = loadConfig({ env, cwd });
    dataDir = config.server.dataDir;
    recordingsDir = config.recordings.dir;
    databaseUrl = config.server.databaseUrl;
  } catch (err) {
    if (err instanceof ConfigError) return { exitCode: 2, out: `${err.message}\n` };
    throw err;
  }
  // With DATABASE_URL the chains and the recording rows are in PostgreSQL; the files stay under DATA_DIR.
  const opened = databaseUrl ? await openPgRecordings(databaseUrl) : openSqliteRecordings(dataDir);
  try {
    const root = archiveRoot(dataDir, recordingsDir);
    const { nextFileCursor: _cursor, ...report } = await verifyIntegrity({
      repo: opened.recordings,
      resolveFile: (row) => archivedFilePath(root, row),
      files,
    });
    if (args.values.json) return { exitCode: report.ok ? 0 : 1, out: `${JSON.stringify(report, null, 2)}\n`, report };
    const lines = [
      `audit_log: ${report.audit.rows} rows, head ${report.audit.head ?? '-'}`,
      `recording_index: ${report.index.rows} entries, head ${report.index.head ?? '-'}`,
      `recordings: ${report.recordings.archived} archived; files re-hashed: ${report.files.checked} (${report.files.bytes} bytes in ${report.files.ms} ms)`,
    ];
    if (report.ok) lines.push('OK: both chains and every checked file match');
    else {
      lines.push(`FIRST MISMATCH: ${report.first!.where}: ${report.first!.message}`);
      for (const p of report.problems.slice(1)) lines.push(`  also: ${p.where}: ${p.message}`);
    }
    return { exitCode: report.ok ? 0 : 1, out: `${lines.join('\n')}\n`, report };
  } finally {
    await opened.close();
  }
}

function openSqliteRecordings(dataDir: string): { recordings: RecordingsStore; close(): Promise<void> } {
  const store = openStore({ dataDir });
  return {
    recordings: new SqliteRecordingsStore(new RecordingsRepo(store.db)),
    close: async () => store.close(),
  };
}

async function openPgRecordings(url: string): Promise<{ recordings: RecordingsStore; close(): Promise<void> }> {
  const store = await openPgStore({ url, poolSize: 2 });
  return { recordings: new PgRecordingsStore(store.db, store.pool), close: () => store.close() };
}

function verifyPackageFile(path: string, json: boolean): { exitCode: number; out: string } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    return {
      exitCode: 2,
      out: `verify: cannot read package ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`,
    };
  }
  const report = verifyEvidencePackage(bytes);
  if (json) return { exitCode: report.ok ? 0 : 1, out: `${JSON.stringify(report, null, 2)}\n` };
  const lines = [
    `package ${path}${report.recording ? ` (recording ${report.recording})` : ''}`,
    ...report.checked.map((c) => `  ok: ${c}`),
  ];
  lines.push(
    report.ok ? 'OK: the package verifies' : `FIRST MISMATCH: ${report.first!.part}: ${report.first!.message}`,
  );
  return { exitCode: report.ok ? 0 : 1, out: `${lines.join('\n')}\n` };
}
