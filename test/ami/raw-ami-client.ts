import { connect, type Socket } from 'node:net';
import { AmiMessageReader, formatAmiMessage, getHeader, type AmiMessage } from '../../src/shared/ami-codec.ts';

/** A bare AMI peer for protocol tests: sends raw text, collects parsed messages, waits for one. */
export class RawAmiClient {
  readonly received: AmiMessage[] = [];
  banner = '';
  closed = false;
  private readonly reader = new AmiMessageReader();
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: Socket) {
    let first = true;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      if (first) {
        const nl = chunk.indexOf('\r\n');
        this.banner = chunk.slice(0, nl);
        chunk = chunk.slice(nl + 2);
        first = false;
      }
      this.received.push(...this.reader.push(chunk));
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  static connect(port: number): Promise<RawAmiClient> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1');
      s.once('error', reject);
      const c = new RawAmiClient(s);
      s.once('connect', () => resolve(c));
    });
  }

  send(headers: Array<[string, string]>): void {
    this.socket.write(formatAmiMessage(headers));
  }

  raw(text: string): void {
    this.socket.write(text);
  }

  /** Resolves with the first received message (after `from`) matching, or rejects after 3 s of real time. */
  async waitFor(pred: (m: AmiMessage) => boolean, what = 'message'): Promise<AmiMessage> {
    const deadline = Date.now() + 3000;
    for (;;) {
      const found = this.received.find(pred);
      if (found) return found;
      if (this.closed) throw new Error(`connection closed while waiting for ${what}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 50);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  async waitClosed(): Promise<void> {
    const deadline = Date.now() + 3000;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('connection not closed');
      await new Promise<void>((r) => {
        const t = setTimeout(r, 50);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  response(actionId: string): Promise<AmiMessage> {
    return this.waitFor(
      (m) =>
        getHeader(m, 'ActionID') === actionId &&
        getHeader(m, 'Response') !== undefined &&
        getHeader(m, 'Event') === undefined,
      `response ${actionId}`,
    );
  }

  event(name: string): Promise<AmiMessage> {
    return this.waitFor((m) => getHeader(m, 'Event') === name, `event ${name}`);
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}
