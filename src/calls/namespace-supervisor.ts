import type { Logger } from 'pino';
import type { Namespace, Socket } from 'socket.io';
import { can, type Principal } from '../auth/principal.ts';
import type { CallEventHub } from './call-events.ts';
import type { FiguresPublisher } from './live-figures.ts';
import { maskPhone } from '../shared/phone-mask.ts';
import type { Clock } from '../shared/clock.ts';
import type { CallRecords } from '../store/call-records.ts';
import type { CallbackRow } from '../store/schema/calls.ts';
import type { Rejection } from '../domain/calls/decide.ts';
import { checkExtension, defaultExtensionPolicy, type ExtensionPolicy } from './agent-extension.ts';
import { MONITOR_MODES, type MonitorCommands, type MonitorModeName } from './monitor-commands.ts';
import { refusalZh } from './refusal-text.ts';

export interface SupervisorNamespaceOptions {
  nsp: Namespace;
  events: CallEventHub;
  figures: FiguresPublisher;
  calls: CallRecords;
  clock: Clock;
  /** listen / whisper / barge (issue 10); absent: the commands are refused. */
  monitor?: MonitorCommands;
  extensions?: ExtensionPolicy;
  logger?: Pick<Logger, 'warn'>;
}

export function callbackView(row: CallbackRow, full: boolean) {
  return { ...row, number: full ? row.number : maskPhone(row.number) };
}

type Ack =
  | { ok: true; [k: string]: unknown }
  | { ok: false; error: { statusCode: number; code: string; message: string; messageZh: string } };

const STATUS_OF: Record<Rejection['code'], number> = {
  'unknown-agent': 404,
  'unknown-call': 404,
  'invalid-transition': 409,
  'invalid-input': 400,
  'invalid-extension': 400,
  'extension-in-use': 409,
};

function refusal(statusCode: number, code: string, message: string): Ack {
  return { ok: false, error: { statusCode, code, message, messageZh: refusalZh(code) } };
}

/**
 * `/supervisor`: live figures pushed on change (coalesced by the FiguresPublisher), alerts as they
 * happen (pre-warning, breach, ring-no-answer), and the callback list. On connection the client gets
 * `figures`, `callbacks` (pending) and `alerts` (last 24 h) at once; afterwards only pushes.
 * Commands, acknowledged like the desktop's (`{ok:true}` or `{ok:false, error:{statusCode, code, message,
 * messageZh}}`), permission `calls:snoop`: `monitor {agentId, mode: 'listen'|'whisper'|'barge', extension}`
 * starts a session on the agent's call (the supervisor's phone at `extension` is rung) or switches its mode;
 * `monitor-stop {}` ends it. The supervisor's own sessions are pushed as `monitor` events.
 */
export function attachSupervisorNamespace(o: SupervisorNamespaceOptions): { close(): void } {
  const { nsp, events, figures, calls, clock } = o;
  const extensions = o.extensions ?? defaultExtensionPolicy;
  const FULL = 'see-full';
  const own = (supervisorId: string) => `supervisor:${supervisorId}`;
  const offs = [
    figures.onFigures((f) => nsp.emit('figures', f)),
    events.on('alert', (a) => nsp.emit('alert', a)),
    events.on('callback', (row) => {
      nsp.to(FULL).emit('callback', callbackView(row, true));
      nsp.except(FULL).emit('callback', callbackView(row, false));
    }),
    events.on('monitor', (supervisorId, view) => nsp.to(own(supervisorId)).emit('monitor', view)),
  ];
  nsp.on('connection', (socket: Socket) => {
    const principal = (socket.data as { principal: Principal }).principal;
    const full = can(principal, 'phone:see-full');
    if (full) void socket.join(FULL);
    void socket.join(own(principal.username));
    socket.emit('figures', figures.current());
    // Read from the store (PostgreSQL: a round trip); the commands below are registered meanwhile.
    const since = clock.now() - 86_400_000;
    void Promise.all([calls.listCallbacks({ status: 'pending' }), calls.alertsSince(since)]).then(
      ([callbacks, alerts]) => {
        socket.emit(
          'callbacks',
          callbacks.map((r) => callbackView(r, full)),
        );
        socket.emit('alerts', alerts.slice(-200));
      },
      (err: unknown) =>
        o.logger?.warn(
          { err: err instanceof Error ? err.message : String(err) },
          'supervisor: callback list and alerts not read',
        ),
    );

    const command = (event: string, fn: (p: Record<string, unknown>) => Rejection | Ack | undefined) => {
      socket.on(event, (...args: unknown[]) => {
        const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as (a: Ack) => void) : undefined;
        const payload = args[0] ?? {};
        let answer: Ack;
        if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
          answer = refusal(400, 'invalid-input', `${event}: the payload must be an object`);
        } else if (!can(principal, 'calls:snoop') || !o.monitor) {
          answer = refusal(403, 'forbidden', `${event}: role ${principal.role} lacks calls:snoop`);
        } else {
          const r = fn(payload as Record<string, unknown>);
          if (!r) answer = { ok: true };
          else if ('ok' in r) answer = r;
          else answer = refusal(STATUS_OF[r.code], r.reason ?? r.code, r.message);
        }
        ack?.(answer);
      });
    };

    command('monitor', (p) => {
      for (const key of Object.keys(p))
        if (!['agentId', 'mode', 'extension'].includes(key))
          return refusal(400, 'bad-request', `monitor: unknown field ${key}`);
      if (typeof p.agentId !== 'string' || p.agentId.length === 0 || p.agentId.length > 64)
        return refusal(400, 'bad-request', 'monitor: agentId must be a non-empty string');
      if (typeof p.mode !== 'string' || !(MONITOR_MODES as readonly string[]).includes(p.mode))
        return refusal(400, 'bad-request', `monitor: mode must be one of ${MONITOR_MODES.join(', ')}`);
      if (typeof p.extension !== 'string') return refusal(400, 'bad-request', 'monitor: extension must be a string');
      return (
        checkExtension(extensions, p.extension) ??
        o.monitor!.start(principal.username, {
          agentId: p.agentId,
          mode: p.mode as MonitorModeName,
          extension: p.extension,
        })
      );
    });
    command('monitor-stop', (p) =>
      Object.keys(p).length > 0
        ? refusal(400, 'bad-request', 'monitor-stop: takes no fields')
        : o.monitor!.stop(principal.username),
    );
  });
  return {
    close() {
      for (const off of offs) off();
    },
  };
}
