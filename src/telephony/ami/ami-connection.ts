import { createConnection, type Socket } from 'node:net';
import {
  AmiMessageReader,
  formatAmiMessage,
  getHeader,
  type AmiHeader,
  type AmiMessage,
} from '../../shared/ami-codec.ts';

const BANNER_PREFIX = 'Asterisk Call Manager/';
/** The banner line must arrive within this many characters, or the peer is not an AMI server. */
const MAX_BANNER_CHARS = 256;

export interface AmiConnectionHandlers {
  /** The TCP connection is up and the banner was read (e.g. `Asterisk Call Manager/11.0.0`). */
  onReady(banner: string): void;
  /** A message with an `Event:` header (OriginateResponse too, although it carries an ActionID). */
  onEvent(message: AmiMessage): void;
  /** A response to an action, by its ActionID. */
  onResponse(actionId: string, message: AmiMessage): void;
  /** The connection is gone (refused, reset, closed by the peer or by destroy()). Called once. */
  onClose(reason: string): void;
}

/**
 * One AMI TCP session, without policy: framing, banner check, responses routed by ActionID. Timeouts,
 * login and reconnects belong to AmiClient. destroy() really releases the socket, which is why the adapter
 * owns its socket instead of going through asterisk-manager (whose disconnect() only half-closes it, so
 * every attempt against a hung Asterisk left a socket open).
 */
export class AmiConnection {
  private readonly socket: Socket;
  private readonly reader = new AmiMessageReader();
  private banner: string | undefined;
  private pending = '';
  private closed = false;
  private socketError = '';

  constructor(
    host: string,
    port: number,
    private readonly handlers: AmiConnectionHandlers,
  ) {
    this.socket = createConnection({ host, port });
    this.socket.setNoDelay(true);
    this.socket.setKeepAlive(true, 30_000);
    this.socket.setEncoding('utf8');
    this.socket.on('data', (chunk: string) => this.onData(chunk));
    this.socket.on('error', (err) => {
      this.socketError = err.message;
    });
    this.socket.on('close', () => {
      const reason =
        this.banner === undefined
          ? `cannot connect to ${host}:${port}${this.socketError ? ` (${this.socketError})` : ''}`
          : 'connection closed by Asterisk';
      this.finish(reason);
    });
  }

  /** Writes one action; `fields` keep their order, a Record value becomes repeated `Key: name=value` lines. */
  send(
    action: string,
    actionId: string,
    fields: Readonly<Record<string, string | number | boolean | Readonly<Record<string, string | number>>>>,
  ): void {
    if (this.closed) return;
    const headers: AmiHeader[] = [
      ['Action', action],
      ['ActionID', actionId],
    ];
    for (const [key, value] of Object.entries(fields)) {
      if (typeof value === 'object')
        for (const [k, v] of Object.entries(value)) headers.push([key, `${k}=${String(v)}`]);
      else headers.push([key, String(value)]);
    }
    this.socket.write(formatAmiMessage(headers));
  }

  destroy(): void {
    this.socket.destroy();
    this.finish('closed by the adapter');
  }

  private finish(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.handlers.onClose(reason);
  }

  private onData(chunk: string): void {
    if (this.closed) return;
    let data = chunk;
    if (this.banner === undefined) {
      this.pending += data;
      const nl = this.pending.indexOf('\n');
      if (nl < 0) {
        if (this.pending.length > MAX_BANNER_CHARS) this.fail('peer sent no AMI banner');
        return;
      }
      const line = this.pending.slice(0, nl).replace(/\r$/, '');
      data = this.pending.slice(nl + 1);
      this.pending = '';
      if (!line.startsWith(BANNER_PREFIX)) {
        this.fail(`peer is not an AMI server (first line ${JSON.stringify(line.slice(0, 60))})`);
        return;
      }
      this.banner = line;
      this.handlers.onReady(line);
    }
    for (const message of this.reader.push(data)) {
      if (this.closed) return;
      if (getHeader(message, 'Event') !== undefined) this.handlers.onEvent(message);
      else {
        const actionId = getHeader(message, 'ActionID');
        if (actionId !== undefined && getHeader(message, 'Response') !== undefined)
          this.handlers.onResponse(actionId, message);
      }
    }
  }

  private fail(reason: string): void {
    this.socket.destroy();
    this.finish(reason);
  }
}
