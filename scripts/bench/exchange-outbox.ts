/**
 * Exchange outbox throughput (issue 13 item 2): records per second the OutboxSender pushes from the SQLite
 * outbox to a local receiver (each record signed, POSTed, acknowledged and deleted), beside a bare loop of
 * HTTP POSTs of the same bodies with the same client (fetch) and the same concurrency to the same receiver.
 * The receiver runs in a child process (its own core, as the regional platform would be another machine).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OutboxSender } from '../../src/exchange/outbox-sender.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { openStore } from '../../src/store/db.ts';
import { SqliteExchangeRepo, type ExchangeRepo } from '../../src/store/exchange-repo.ts';
import { PgExchangeRepo } from '../../src/store/pg-exchange-repo.ts';
import { inTransaction, openPgStore } from '../../src/store/pg-store.ts';
import { startTestPostgres } from '../../test/support/postgres.ts';

const RECORDS = Number(process.env.BENCH_OUTBOX_RECORDS ?? 5000);
const CONCURRENCY = Number(process.env.BENCH_OUTBOX_CONCURRENCY ?? 4);
/** Records per order: each order's records go one after another, so fewer orders means less parallelism. */
const PER_ORDER = 2;
const SECRET = 'bench-exchange-secret-0123456789';

/** A record about the size of a real one (the 12345-exchange/1 fields of an order with a reply). */
function recordBody(orderId: number, version: number): string {
  return JSON.stringify({
    format: '12345-exchange/1',
    orderId,
    status: version === 1 ? 'registered' : 'closed',
    channel: 'website',
    type: 'complaint',
    category: 'environment.noise',
    fastResponse: true,
    emergency: false,
    confidential: false,
    content: '小区旁边工地每天夜里十二点以后还在施工，噪音很大，影响休息，希望有关部门尽快处理。'.repeat(2),
    location: '青秀区民族大道 100 号',
    callId: null,
    requester: { name: '张先生', phone: '13812345678', contactPhone: null },
    receivedAt: '2026-01-05T10:00:00.000+08:00',
    dispatchDueAt: '2026-01-06T10:00:00.000+08:00',
    leadUnitId: 'qingxiu-urban',
    assistingUnitIds: [],
    dispatchedAt: null,
    signedAt: null,
    completionDueAt: null,
    completionDueProvisional: false,
    repliedAt: null,
    reply: null,
    attachments: [],
    closedAt: null,
    directAnswer: null,
    notAcceptedReason: null,
    satisfaction: null,
    satisfactionByDefault: null,
    repeatOfOrderId: null,
    mergedIntoOrderId: null,
    version,
  });
}

async function startReceiverChild(): Promise<{ url: string; proc: ChildProcess }> {
  const proc = fork(fileURLToPath(import.meta.url), ['--receiver'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    proc.once('error', reject);
    proc.once('exit', (code) => reject(new Error(`receiver child exited early (${code})`)));
    proc.once('message', (m: { port: number }) => resolve(m.port));
  });
  proc.removeAllListeners('exit');
  return { url: `http://127.0.0.1:${port}/exchange`, proc };
}

/** The receiver: reads the body and acknowledges the delivery id (no signature check: both sides pay the same). */
function receiverMain(): void {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"ack":"${String(req.headers['x-exchange-id'] ?? '')}"}`);
    });
  });
  server.listen(0, '127.0.0.1', () => {
    const a = server.address();
    process.send?.({ port: typeof a === 'object' && a ? a.port : 0 });
  });
  process.on('disconnect', () => process.exit(0));
}

async function bareLoop(url: string): Promise<number> {
  const bodies = Array.from({ length: RECORDS }, (_, i) =>
    recordBody(Math.floor(i / PER_ORDER) + 1, (i % PER_ORDER) + 1),
  );
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < bodies.length) {
        const i = next++;
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json; charset=utf-8', 'x-exchange-id': String(i) },
          body: bodies[i]!,
        });
        await res.text();
      }
    }),
  );
  return RECORDS / ((performance.now() - started) / 1000);
}

async function outbox(url: string): Promise<{ rate: number; writeRate: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-outbox-'));
  const store = openStore({ dataDir: dir });
  try {
    const repo = new SqliteExchangeRepo(store.sqlite);
    const t0 = performance.now();
    store.sqlite.transaction(() => {
      for (let i = 0; i < RECORDS; i++) {
        const orderId = Math.floor(i / PER_ORDER) + 1;
        repo.appendSync(orderId, (i % PER_ORDER) + 1, recordBody(orderId, (i % PER_ORDER) + 1), Date.now());
      }
    })();
    const writeRate = RECORDS / ((performance.now() - t0) / 1000);
    return { rate: await drain(repo, url), writeRate };
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Pushes the whole outbox and returns records per second. */
async function drain(repo: ExchangeRepo, url: string): Promise<number> {
  const sender = new OutboxSender({
    repo,
    endpoint: url,
    secret: SECRET,
    clock: systemClock,
    logger: createLogger({ level: 'warn', pretty: false }),
    concurrency: CONCURRENCY,
  });
  const started = performance.now();
  sender.start();
  while ((await repo.figures()).pending > 0) await new Promise((r) => setTimeout(r, 20));
  const rate = RECORDS / ((performance.now() - started) / 1000);
  await sender.stop();
  if (sender.figures().acknowledged !== RECORDS)
    throw new Error(`acknowledged ${sender.figures().acknowledged} of ${RECORDS}`);
  return rate;
}

/** The same on PostgreSQL (issue 12): an embedded PostgreSQL 18, or BENCH_DATABASE_URL. */
async function outboxPg(url: string): Promise<{ rate: number; writeRate: number }> {
  const embedded = process.env['BENCH_DATABASE_URL'] ? null : await startTestPostgres();
  const dbUrl = process.env['BENCH_DATABASE_URL'] ?? (await embedded!.createDatabase('bench_outbox'));
  const store = await openPgStore({ url: dbUrl, poolSize: 10 });
  try {
    await store.pool.query('delete from exchange_outbox');
    const t0 = performance.now();
    await inTransaction(store.pool, async (c) => {
      for (let i = 0; i < RECORDS; i++) {
        const orderId = Math.floor(i / PER_ORDER) + 1;
        const v = (i % PER_ORDER) + 1;
        await PgExchangeRepo.appendIn(c, orderId, v, recordBody(orderId, v), Date.now());
      }
    });
    const writeRate = RECORDS / ((performance.now() - t0) / 1000);
    return { rate: await drain(new PgExchangeRepo(store.pool), url), writeRate };
  } finally {
    await store.close();
    await embedded?.stop();
  }
}

export async function run(): Promise<void> {
  const rx = await startReceiverChild();
  try {
    // Warm-up: connections and JIT, not counted.
    await fetch(rx.url, { method: 'POST', body: '{}' }).then((r) => r.text());
    const bare = await bareLoop(rx.url);
    const o = await outbox(rx.url);
    const p = await outboxPg(rx.url);
    console.log(
      `  ${RECORDS} records (~${recordBody(1, 1).length} bytes each, ${PER_ORDER} per order), concurrency ${CONCURRENCY}, receiver in a child process`,
    );
    console.log(`  bare HTTP POST loop (fetch)      ${bare.toFixed(0)} records/s`);
    console.log(
      `  outbox sender                    ${o.rate.toFixed(0)} records/s pushed, signed, acknowledged and deleted (${((o.rate / bare) * 100).toFixed(0)} % of the bare loop)`,
    );
    console.log(`  outbox append (one transaction)  ${o.writeRate.toFixed(0)} records/s written`);
    console.log(
      `  outbox sender on PostgreSQL      ${p.rate.toFixed(0)} records/s (${((p.rate / bare) * 100).toFixed(0)} % of the bare loop); append ${p.writeRate.toFixed(0)} records/s in one transaction`,
    );
    console.log(
      `  machine load                     loadavg(1 min) ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores`,
    );
  } finally {
    rx.proc.disconnect();
    rx.proc.kill();
  }
}

if (process.argv.includes('--receiver')) receiverMain();
