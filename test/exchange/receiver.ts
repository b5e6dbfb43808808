import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook } from '../../src/sms/webhook-signature.ts';

export interface Delivery {
  id: string;
  orderId: number;
  version: number;
  signatureOk: boolean;
}

/** What the receiver does with the n-th request (0-based): answer, fail, hold the answer, or ack another id. */
export type Behaviour = (n: number, d: Delivery) => 'ack' | 'fail' | 'hang' | { ackId: string };

/** A local stand-in for the regional platform's endpoint, on 127.0.0.1 and a free port. */
export class Receiver {
  readonly deliveries: Delivery[] = [];
  /** Ids acknowledged, in order (a record acknowledged twice appears twice). */
  readonly acked: string[] = [];
  private readonly held: ServerResponse[] = [];
  private readonly server: Server;
  url = '';

  constructor(
    private readonly secret: string,
    public behaviour: Behaviour = () => 'ack',
  ) {
    this.server = createServer((req, res) => this.handle(req, res));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/exchange`;
    return this;
  }

  /** Records delivered at least once, per order, in first-delivery order. */
  firstDeliveries(): Map<number, number[]> {
    const seen = new Set<string>();
    const out = new Map<number, number[]>();
    for (const d of this.deliveries) {
      if (seen.has(d.id)) continue;
      seen.add(d.id);
      out.set(d.orderId, [...(out.get(d.orderId) ?? []), d.version]);
    }
    return out;
  }

  async close(): Promise<void> {
    for (const r of this.held.splice(0)) r.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const record = JSON.parse(body) as { orderId: number; version: number; format: string };
      const ts = String(req.headers['x-exchange-timestamp'] ?? '');
      const d: Delivery = {
        id: String(req.headers['x-exchange-id']),
        orderId: record.orderId,
        version: record.version,
        signatureOk:
          record.format === '12345-exchange/1' &&
          verifyWebhook({
            secret: this.secret,
            signature: req.headers['x-exchange-signature'] as string | undefined,
            timestamp: ts,
            rawBody: body,
            now: Number(ts),
          }).ok,
      };
      const n = this.deliveries.length;
      this.deliveries.push(d);
      const what = this.behaviour(n, d);
      if (what === 'hang') {
        this.held.push(res);
        return;
      }
      if (what === 'fail') {
        res.writeHead(500).end('{"error":"down"}');
        return;
      }
      const ackId = what === 'ack' ? d.id : what.ackId;
      this.acked.push(ackId);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ack: ackId }));
    });
  }
}

/** Waits for I/O (the receiver, the sender's fetch), checking the condition between event-loop turns. */
export async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
