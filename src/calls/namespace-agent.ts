import type { Namespace, Socket } from 'socket.io';
import { can, type Principal } from '../auth/principal.ts';
import { checkExtension, defaultExtensionPolicy, explainRejection, type ExtensionPolicy } from './agent-extension.ts';
import type { CallCommandError, CallController } from './call-controller.ts';
import type { CallEventHub, DesktopPop } from './call-events.ts';
import { refusalZh } from './refusal-text.ts';
import { popForViewer, type PopViewer } from './screen-pop-builder.ts';
import { LinkRefusal, type WorkOrderLinker } from './work-order-link.ts';
import type { Rejection } from '../domain/calls/decide.ts';
import type { Clock, TimerId } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';

export interface AgentNamespaceOptions {
  nsp: Namespace;
  controller: CallController;
  /** link-work-order goes through the same checks as POST /calls/:id/work-orders. */
  linker: WorkOrderLinker;
  events: CallEventHub;
  clock: Clock;
  logger: Logger;
  /** An agent whose every desktop disconnected is signed out after this (unless on a call). Default 2 min. */
  signOutGraceMs?: number;
  /** Called with the moment each screen-pop is handed to socket.io (benchmarks). */
  onPopEmitted?: (agentId: string, callId: string, decidedAtHr: number) => void;
  /** Which extensions may be signed in on, and who to name when one is taken. Default: 3–6 digits. */
  extensions?: ExtensionPolicy;
  /**
   * Several instances (docs/scale-out.md): a desktop's commands are run by the instance that owns the calls;
   * elsewhere they are relayed to it and its acknowledgement comes back. Absent: this instance runs them.
   */
  relay?: AgentCommandRelay;
}

/** A desktop's command on its way to the owner of the calls: who sent it (the socket's principal), what, with what. */
export interface RelayedCommand {
  principal: Omit<Principal, 'permissions'> & { permissions: string[] };
  event: string;
  payload: unknown;
}

/** How an instance that does not own the calls gets a desktop's command run by the one that does. */
export interface AgentCommandRelay {
  /** True when this instance runs the calls now. */
  isOwner(): boolean;
  /** Serves relayed commands with `run` while this instance owns the calls; `send` relays one to the owner. */
  attach(
    nsp: Namespace,
    run: (cmd: RelayedCommand) => Promise<Ack>,
  ): { send(cmd: RelayedCommand): Promise<Ack>; close(): void };
}

/** The desktop's view on (re)connection: its agent state and current call (relayed like a command). */
const SNAPSHOT = 'cluster:snapshot';
/** Every desktop of the agent gone for the grace period: signed out unless on a call. */
const GRACE_SIGN_OUT = 'cluster:grace-sign-out';

/** What every acknowledgement carries; a refusal also has its Chinese text (`messageZh`) for the page. */
export type Ack =
  | { ok: true; [k: string]: unknown }
  | { ok: false; error: { statusCode: number; code: string; message: string; messageZh?: string } };

const STATUS_OF: Record<Rejection['code'], number> = {
  'unknown-agent': 404,
  'unknown-call': 404,
  'invalid-transition': 409,
  'invalid-input': 400,
  'invalid-extension': 400,
  'extension-in-use': 409,
};

/** The agent's id on the desktop: the user name they signed in with. */
export function agentIdOf(p: Principal): string {
  return p.username;
}

const room = (agentId: string) => `agent:${agentId}`;

const NO_VIEWER: PopViewer = { role: 'none', unitId: null, permissions: new Set(), seesFullPhone: false };

/**
 * `/agent`: the agent desktop. Events from the desktop (each with an acknowledgement callback):
 * `sign-in {extension, skills}`, `sign-out`, `ready`, `pause {reason}`, `hold`, `unhold`,
 * `transfer {number}`, `conference {number}`, `consult {number | agentId}`, `consult-complete`,
 * `consult-cancel`, `transfer-to-agent {agentId, reason?}`, `transfer-to-desk {skill, reason?}`,
 * `hangup`, `link-work-order {callId, workOrderId}`.
 * Events to the desktop: `agent-state`, `screen-pop` (only to the offered agent), `pop-history` (the same pop
 * with the caller's history read after it was pushed), `call-update`, and on (re)connection `current-call`
 * (null when none).
 */
export function attachAgentNamespace(o: AgentNamespaceOptions): { close(): void } {
  const { nsp, controller, events, clock } = o;
  const extensions = o.extensions ?? defaultExtensionPolicy;
  const log = o.logger.child({ component: 'agent-namespace' });
  /** Each agent's principal, as its desktops signed in: a pop is cut to what that principal may see. */
  const viewers = new Map<string, PopViewer>();
  const graceTimers = new Map<string, TimerId>();

  // A desk whose principal is unknown is shown no confidential order.
  const popFor = (agentId: string, pop: DesktopPop): DesktopPop => popForViewer(pop, viewers.get(agentId) ?? NO_VIEWER);

  const offs = [
    events.on('screenPop', (agentId, pop, decidedAtHr) => {
      nsp.to(room(agentId)).emit('screen-pop', popFor(agentId, pop));
      o.onPopEmitted?.(agentId, pop.callId, decidedAtHr);
    }),
    // The history read after the pop: the same cut for the desk's principal as the pop itself (art. 22).
    events.on('popHistory', (agentId, pop) => nsp.to(room(agentId)).emit('pop-history', popFor(agentId, pop))),
    events.on('callUpdate', (agentId, update) => nsp.to(room(agentId)).emit('call-update', update)),
    events.on('agentState', (agentId, state) => nsp.to(room(agentId)).emit('agent-state', state)),
    // Sign-ins restored after a restart or a takeover: a desk that does not come back (to any instance) within
    // the grace is signed out, counted from the restore, as if it had disconnected then.
    events.on('signInsRestored', (agentIds) => {
      void (async () => {
        for (const agentId of agentIds) {
          if (graceTimers.has(agentId) || (await deskCount(agentId)) > 0) continue;
          graceTimers.set(
            agentId,
            clock.setTimeout(() => {
              graceTimers.delete(agentId);
              void (async () => {
                // A desk may have come back on another instance, which has no such timer to clear.
                if ((await deskCount(agentId)) === 0 && (!o.relay || o.relay.isOwner())) graceSignOut(agentId);
              })();
            }, o.signOutGraceMs ?? 120_000),
          );
        }
      })().catch((err: unknown) => log.warn({ err: String(err) }, 'sign-out grace of restored sign-ins not armed'));
    }),
  ];
  /** Desktops of the agent connected now, on any instance (the socket.io adapter asks the others). */
  const deskCount = async (agentId: string): Promise<number> => (await nsp.in(room(agentId)).fetchSockets()).length;
  /** The grace ran out with no desk: signed out unless a call or an offer holds the agent. */
  const graceSignOut = (agentId: string): void => {
    const st = controller.agents().find((a) => a.agentId === agentId)?.status;
    if (st === 'ready' || st === 'paused' || st === 'wrap-up') controller.signOut(agentId);
  };

  const viewerOf = (principal: Principal): PopViewer => ({
    role: principal.role,
    unitId: principal.unitId,
    permissions: principal.permissions,
    seesFullPhone: can(principal, 'phone:see-full'),
  });

  // The command itself runs synchronously when the event arrives (commands keep their order); only
  // the wording of a refusal may wait (the holder's display name). `fn` answers a rejection, nothing
  // (plain `{ ok: true }`), or its own success ack.
  type Answer = Rejection | Extract<Ack, { ok: true }> | undefined;
  type Command = (principal: Principal, agentId: string, payload: Record<string, unknown>) => Answer | Promise<Answer>;
  const commands = new Map<string, Command>();
  const handle = (event: string, fn: Command) => commands.set(event, fn);

  /** Runs one desktop command on this instance's calls and words its acknowledgement. */
  const run = async (principal: Principal, event: string, payload: unknown): Promise<Ack> => {
    const agentId = agentIdOf(principal);
    // The owner learns each desk's principal from its commands, also those relayed from another instance.
    viewers.set(agentId, viewerOf(principal));
    if (event === SNAPSHOT) {
      const current = controller.currentCallOf(agentId);
      return {
        ok: true,
        agentState: controller.agents().find((a) => a.agentId === agentId) ?? { agentId, status: 'signed-out' },
        currentCall: current ? { state: current.state, pop: popFor(agentId, current.pop) } : null,
      };
    }
    if (event === GRACE_SIGN_OUT) {
      graceSignOut(agentId);
      return { ok: true };
    }
    const fn = commands.get(event);
    if (!fn)
      return { ok: false, error: { statusCode: 400, code: 'invalid-input', message: `unknown command ${event}` } };
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      return {
        ok: false,
        error: { statusCode: 400, code: 'invalid-input', message: `${event}: the payload must be an object` },
      };
    }
    try {
      const r = await fn(principal, agentId, payload as Record<string, unknown>);
      if (!r) return { ok: true };
      if ('ok' in r) return r;
      const code = r.reason ?? r.code;
      return {
        ok: false,
        error: { statusCode: STATUS_OF[r.code], code, message: r.message, messageZh: refusalZh(code) },
      };
    } catch (err) {
      const answer = commandError(err);
      if (answer.ok === false && answer.error.statusCode >= 500) log.error({ err, event }, 'agent command failed');
      return answer;
    }
  };
  const relayed = o.relay?.attach(nsp, (cmd) => run(principalFrom(cmd.principal), cmd.event, cmd.payload));
  /** Here when this instance owns the calls (or there is one instance), else relayed to the owner. */
  const dispatch = (principal: Principal, event: string, payload: unknown): Promise<Ack> =>
    !relayed || o.relay!.isOwner()
      ? run(principal, event, payload)
      : relayed.send({ principal: { ...principal, permissions: [...principal.permissions] }, event, payload });

  handle('sign-in', (_principal, agentId, p) => {
    const extension = p.extension;
    const skills = p.skills;
    if (typeof extension !== 'string') return { code: 'invalid-input', message: 'sign-in: extension must be a string' };
    if (!Array.isArray(skills) || skills.some((s) => typeof s !== 'string')) {
      return { code: 'invalid-input', message: 'sign-in: skills must be an array of strings' };
    }
    const rejected =
      checkExtension(extensions, extension) ?? controller.signIn(agentId, { extension, skills: skills as string[] });
    return rejected && explainRejection(extensions, extension, rejected);
  });
  handle('sign-out', (_, agentId) => controller.signOut(agentId));
  handle('ready', (_, agentId) => controller.ready(agentId));
  // Wrap-up (事后处理): the code of the call just ended, and one more wrap-up period up to the maximum.
  handle(
    'wrap-up-code',
    (_, agentId, p) =>
      commandPayload('wrap-up-code', p, { code: 'required' }) ?? controller.wrapUpCode(agentId, p.code as string),
  );
  handle(
    'extend-wrap-up',
    (_, agentId, p) => commandPayload('extend-wrap-up', p, {}) ?? controller.extendWrapUp(agentId),
  );
  handle('pause', (_, agentId, p) =>
    typeof p.reason === 'string'
      ? controller.pause(agentId, p.reason)
      : { code: 'invalid-input', message: 'pause: reason must be a string' },
  );
  handle('hold', (_, agentId) => controller.hold(agentId));
  handle('unhold', (_, agentId) => controller.unhold(agentId));
  handle('transfer', (_, agentId, p) =>
    typeof p.number === 'string'
      ? controller.transfer(agentId, p.number)
      : { code: 'invalid-input', message: 'transfer: number must be a string' },
  );
  handle('conference', (_, agentId, p) =>
    typeof p.number === 'string'
      ? controller.conference(agentId, p.number)
      : { code: 'invalid-input', message: 'conference: number must be a string' },
  );
  handle('hangup', (_, agentId) => controller.hangup(agentId));
  // Attended transfer (咨询转接) and transfer to an agent or desk (内部转接): docs/calls.md.
  handle('consult', (_, agentId, p) => {
    const bad = commandPayload('consult', p, { number: 'optional', agentId: 'optional' });
    if (bad) return bad;
    return controller.commands.consultStart(agentId, {
      ...(p.number !== undefined ? { number: p.number as string } : {}),
      ...(p.agentId !== undefined ? { agentId: p.agentId as string } : {}),
    });
  });
  handle('consult-complete', (_, agentId) => controller.commands.consultComplete(agentId));
  handle('consult-cancel', (_, agentId) => controller.commands.consultCancel(agentId));
  handle(
    'transfer-to-agent',
    (_, agentId, p) =>
      commandPayload('transfer-to-agent', p, { agentId: 'required', reason: 'optional' }) ??
      controller.commands.transferToAgent(agentId, p.agentId as string, p.reason as string | undefined),
  );
  handle(
    'transfer-to-desk',
    (_, agentId, p) =>
      commandPayload('transfer-to-desk', p, { skill: 'required', reason: 'optional' }) ??
      controller.commands.transferToDesk(agentId, p.skill as string, p.reason as string | undefined),
  );
  handle('link-work-order', async (principal, _, p) => {
    if (
      typeof p.callId !== 'string' ||
      typeof p.workOrderId !== 'string' ||
      p.workOrderId.length === 0 ||
      p.workOrderId.length > 64
    ) {
      return { code: 'invalid-input', message: 'link-work-order: callId and workOrderId must be strings' };
    }
    // The same codes as the HTTP route: 204 linked now, 200 already linked, 404 unknown call or order, 403 not visible.
    const r = await o.linker.link(principal, p.callId, p.workOrderId);
    return r.alreadyLinked ? { ok: true, statusCode: 200, alreadyLinked: true } : { ok: true, statusCode: 204 };
  });

  nsp.on('connection', (socket: Socket) => {
    const principal = (socket.data as { principal: Principal }).principal;
    const agentId = agentIdOf(principal);
    viewers.set(agentId, viewerOf(principal));
    const grace = graceTimers.get(agentId);
    if (grace !== undefined) {
      clock.clearTimeout(grace);
      graceTimers.delete(agentId);
    }
    void socket.join(room(agentId));
    // Registered at once, so a command sent right after connecting is not lost while the snapshot travels.
    for (const event of commands.keys()) {
      socket.on(event, async (...args: unknown[]) => {
        const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as (a: Ack) => void) : undefined;
        ack?.(await dispatch(principal, event, args[0] ?? {}));
      });
    }
    void dispatch(principal, SNAPSHOT, {}).then((snap) => {
      if (!socket.connected) return;
      if (snap.ok) {
        socket.emit('agent-state', snap.agentState);
        socket.emit('current-call', snap.currentCall);
      } else {
        // No owner answered (a takeover in progress): the desk shows signed out until the next push.
        socket.emit('agent-state', { agentId, status: 'signed-out' });
        socket.emit('current-call', null);
      }
    });

    socket.on('disconnect', () => {
      void (async () => {
        const left = await nsp.in(room(agentId)).fetchSockets();
        if (left.length > 0 || graceTimers.has(agentId)) return;
        // A desktop that reconnects within the grace keeps its state and gets its call back.
        graceTimers.set(
          agentId,
          clock.setTimeout(() => {
            graceTimers.delete(agentId);
            void dispatch(principal, GRACE_SIGN_OUT, {});
          }, o.signOutGraceMs ?? 120_000),
        );
      })();
    });
  });

  return {
    close() {
      relayed?.close();
      for (const off of offs) off();
      for (const t of graceTimers.values()) clock.clearTimeout(t);
      graceTimers.clear();
    },
  };
}

/** Checks a command's payload: the named fields are strings (required or optional), no others. */
function commandPayload(
  event: string,
  p: Record<string, unknown>,
  fields: Record<string, 'required' | 'optional'>,
): Rejection | undefined {
  for (const key of Object.keys(p)) {
    if (!(key in fields))
      return { code: 'invalid-input', reason: 'bad-request', message: `${event}: unknown field ${key}` };
  }
  for (const [key, need] of Object.entries(fields)) {
    const v = p[key];
    if (v === undefined && need === 'optional') continue;
    if (typeof v !== 'string' || v.length === 0 || v.length > 200)
      return { code: 'invalid-input', reason: 'bad-request', message: `${event}: ${key} must be a non-empty string` };
  }
  return undefined;
}

function commandError(err: unknown): Ack {
  if (err instanceof LinkRefusal)
    return {
      ok: false,
      error: { statusCode: err.statusCode, code: err.code, message: err.message, messageZh: refusalZh(err.code) },
    };
  const e = err as CallCommandError;
  if (
    e &&
    typeof e === 'object' &&
    'code' in e &&
    (e.code === 'no_call' || e.code === 'conflict' || e.code === 'bad_request')
  ) {
    const statusCode = e.code === 'no_call' ? 409 : e.code === 'conflict' ? 409 : 400;
    const code = e.code.replace('_', '-');
    return { ok: false, error: { statusCode, code, message: e.message, messageZh: refusalZh(code) } };
  }
  return { ok: false, error: { statusCode: 500, code: 'internal', message: 'the command failed' } };
}

function principalFrom(p: RelayedCommand['principal']): Principal {
  return { ...p, permissions: new Set(p.permissions) as Principal['permissions'] };
}
