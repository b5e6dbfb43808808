import { randomUUID } from 'node:crypto';
import type { Namespace } from 'socket.io';
import type { Ack, AgentCommandRelay, RelayedCommand } from '../calls/namespace-agent.ts';
import type { Clock, TimerId } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';

interface CommandMessage {
  id: string;
  from: string;
  cmd: RelayedCommand;
}

interface ReplyMessage {
  id: string;
  to: string;
  ack: Ack;
}

const COMMAND = 'cluster:agent-command';
const REPLY = 'cluster:agent-reply';

/**
 * Relays a desktop's command from the instance its socket is on to the instance that owns the calls, through
 * the socket.io adapter's server-side events (PostgreSQL NOTIFY underneath): every instance hears the command,
 * only the owner runs it, and its acknowledgement travels back to the sender by the same way. No owner within
 * `timeoutMs` (a takeover in progress): 503 `no-owner`, with the Chinese text for the desk.
 */
export function agentCommandRelay(o: {
  instanceId: string;
  isOwner: () => boolean;
  clock: Clock;
  logger: Logger;
  timeoutMs?: number;
}): AgentCommandRelay {
  const log = o.logger.child({ component: 'cluster-relay', instance: o.instanceId });
  return {
    isOwner: o.isOwner,
    attach(nsp: Namespace, run) {
      const pending = new Map<string, { resolve: (ack: Ack) => void; timer: TimerId }>();
      const onCommand = (msg: CommandMessage) => {
        if (!o.isOwner() || typeof msg?.id !== 'string') return;
        void run(msg.cmd).then((ack) =>
          nsp.serverSideEmit(REPLY, { id: msg.id, to: msg.from, ack } satisfies ReplyMessage),
        );
      };
      const onReply = (msg: ReplyMessage) => {
        if (msg?.to !== o.instanceId) return;
        const p = pending.get(msg.id);
        if (!p) return;
        pending.delete(msg.id);
        o.clock.clearTimeout(p.timer);
        p.resolve(msg.ack);
      };
      nsp.on(COMMAND, onCommand);
      nsp.on(REPLY, onReply);
      return {
        send(cmd) {
          const id = randomUUID();
          return new Promise<Ack>((resolve) => {
            const timer = o.clock.setTimeout(() => {
              pending.delete(id);
              log.warn({ event: cmd.event }, 'no instance owning the calls answered a relayed command');
              resolve({
                ok: false,
                error: {
                  statusCode: 503,
                  code: 'no-owner',
                  message: 'no instance owns the calls right now (a takeover is in progress); try again',
                  messageZh: '话务控制正在切换，请稍后重试',
                },
              });
            }, o.timeoutMs ?? 5000);
            pending.set(id, { resolve, timer });
            nsp.serverSideEmit(COMMAND, { id, from: o.instanceId, cmd } satisfies CommandMessage);
          });
        },
        close() {
          nsp.off(COMMAND, onCommand);
          nsp.off(REPLY, onReply);
          for (const p of pending.values()) o.clock.clearTimeout(p.timer);
          pending.clear();
        },
      };
    },
  };
}
