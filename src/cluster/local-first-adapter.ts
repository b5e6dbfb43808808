import type { createAdapter } from '@socket.io/postgres-adapter';

type AdapterFactory = ReturnType<typeof createAdapter>;
type ClusterAdapter = ReturnType<AdapterFactory>;
type Broadcast = ClusterAdapter['broadcast'];
type BroadcastOptions = Parameters<Broadcast>[1];

/**
 * Wraps the socket.io cluster adapter so a broadcast reaches this instance's own sockets at once.
 *
 * Why: the cluster adapter (socket.io-adapter's ClusterAdapter, under `@socket.io/postgres-adapter`) awaits the
 * publish — a `NOTIFY` round trip through PostgreSQL — before it delivers a broadcast locally. A screen-pop for a
 * desktop connected to the deciding instance then pays the database hop (p99 ≈ 70–100 ms on a loaded machine,
 * scripts/bench/README.md) and, while the database is slow or cut off, does not arrive at all until the publish
 * fails. Here the local sockets the broadcast targets get it first (the adapter's own `local` flag), then it is
 * published to the other instances with those sockets excluded, so nobody gets it twice: socket ids are unique
 * across instances, so the exclusion changes nothing elsewhere.
 *
 * Emits already flagged `local` pass through unchanged, and so do broadcasts to a whole namespace or to more than
 * MAX_EXCLUDED local sockets: their exclusion list would travel in every NOTIFY (8 000 bytes at most before the
 * adapter falls back to its attachments table), and they are figures and notices, not screen-pops.
 */
export function localFirstAdapter(factory: AdapterFactory): AdapterFactory {
  // A `function`, not an arrow: socket.io calls the factory with `new`, and an object it returns is the adapter.
  return function localFirst(nsp) {
    const adapter = factory(nsp);
    const cluster: Broadcast = adapter.broadcast.bind(adapter);
    adapter.broadcast = (packet: unknown, opts: BroadcastOptions) => {
      if (opts.flags?.local || opts.rooms.size === 0) return cluster(packet, opts);
      const reached = localTargets(adapter, opts);
      if (reached.size > MAX_EXCLUDED) return cluster(packet, opts);
      void cluster(packet, { ...opts, flags: { ...opts.flags, local: true } });
      return cluster(packet, { ...opts, except: reached });
    };
    return adapter;
  };
}

/** Local sockets a room broadcast may exclude by id (≈ 20 bytes each in the NOTIFY payload). */
const MAX_EXCLUDED = 50;

/**
 * The rooms to exclude from the publish: the ones the broadcast already excluded plus each local socket it reaches
 * (every socket is in a room named by its id, so an id excludes exactly that socket, here and nowhere else).
 */
function localTargets(adapter: ClusterAdapter, opts: BroadcastOptions): Set<string> {
  const ids = new Set<string>(opts.except ?? []);
  for (const room of opts.rooms) for (const id of adapter.rooms.get(room) ?? []) ids.add(id);
  return ids;
}
