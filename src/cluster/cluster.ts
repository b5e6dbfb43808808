import { hostname } from 'node:os';
import { createAdapter } from '@socket.io/postgres-adapter';
import pg from 'pg';
import type { AgentCommandRelay } from '../calls/namespace-agent.ts';
import type { Config } from '../config/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { agentCommandRelay } from './agent-command-relay.ts';
import { CallOwnership } from './call-ownership.ts';
import { localFirstAdapter } from './local-first-adapter.ts';

/** Several instances on one PostgreSQL (docs/scale-out.md): the lease, the socket.io adapter, the command relay. */
export interface Cluster {
  readonly instanceId: string;
  readonly ownership: CallOwnership;
  readonly relay: AgentCommandRelay;
  /** socket.io's `adapter` option: rooms and broadcasts reach the desktops of every instance. */
  readonly adapter: ReturnType<typeof createAdapter>;
  /** The adapter's and the relay's connections (the lease has its own: see startCluster). */
  readonly pool: pg.Pool;
  close(opts: { release: boolean }): Promise<void>;
}

/**
 * The cluster layer's database: CLUSTER_DATABASE_URL, else DATABASE_URL when it is a postgres:// URL (the store
 * and the cluster on the same PostgreSQL). Neither: undefined, a single instance.
 */
export function clusterDatabaseUrl(config: Config, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (config.cluster.databaseUrl) return config.cluster.databaseUrl;
  const db = env.DATABASE_URL;
  return db && /^postgres(?:ql)?:\/\//.test(db) ? db : undefined;
}

export async function startCluster(o: { url: string; config: Config; clock: Clock; logger: Logger }): Promise<Cluster> {
  const instanceId = o.config.cluster.instanceId ?? `${hostname()}:${process.pid}`;
  const ttl = o.config.cluster.leaseTtlMs;
  const log = o.logger.child({ component: 'cluster', instance: instanceId });
  const newPool = (max: number) => {
    const p = new pg.Pool({
      connectionString: o.url,
      max,
      // A renewal that hangs (a cut network) must fail before the owner's deadline, so the next one can be tried.
      query_timeout: Math.floor(ttl / 2),
      connectionTimeoutMillis: Math.floor(ttl / 2),
      keepAlive: true,
    });
    p.on('error', (err) => log.warn({ err: err.message }, 'cluster database connection error'));
    return p;
  };
  const pool = newPool(6);
  // The lease on a connection of its own: on the shared pool a burst of socket.io NOTIFYs (every broadcast is one)
  // took every connection, the renewal waited past its deadline and a healthy owner deposed itself (measured with
  // 100 calls and 30 agents on a loaded machine: "timeout exceeded when trying to connect", exit 75).
  const leasePool = newPool(1);
  try {
    // The adapter's table for payloads over NOTIFY's 8000 bytes (its documentation asks the site to create it).
    await pool.query(
      `CREATE TABLE IF NOT EXISTS socket_io_attachments (
         id bigserial UNIQUE, created_at timestamptz DEFAULT now(), payload bytea
       )`,
    );
  } catch (err) {
    await pool.end();
    await leasePool.end();
    throw new Error(`cluster database ${redact(o.url)} not usable: ${(err as Error).message}`);
  }
  const ownership = new CallOwnership({ pool: leasePool, instanceId, ttlMs: ttl, clock: o.clock, logger: o.logger });
  // Local desktops first, then the NOTIFY to the other instances (a same-instance pop does not wait for the database).
  const adapter = localFirstAdapter(
    createAdapter(pool, {
      // Instances missing 2 heartbeats are no longer waited for by fetchSockets() and acknowledgements.
      heartbeatInterval: 1000,
      heartbeatTimeout: 3000,
      errorHandler: (err) => log.warn({ err: err.message }, 'socket.io adapter error'),
    }),
  );
  const relay = agentCommandRelay({ instanceId, isOwner: () => ownership.isOwner(), clock: o.clock, logger: o.logger });
  log.info({ leaseTtlMs: ttl, db: redact(o.url) }, 'cluster layer started: standing by for call ownership');
  return {
    instanceId,
    ownership,
    relay,
    adapter,
    pool,
    async close({ release }) {
      await ownership.stop({ release });
      // A partitioned database never answers the goodbye: do not let it hold the shutdown.
      const ended = Promise.all([pool.end(), leasePool.end()]).catch(() => undefined);
      await Promise.race([ended, new Promise((r) => setTimeout(r, 1000).unref())]);
    },
  };
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
