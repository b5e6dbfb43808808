import {
  EngineEventBus,
  CHANNEL_STATE_CODES,
  type ChannelSnapshot,
  type ChannelStateName,
} from '../../src/simulator/engine-events.ts';
import type { AmiEngine } from '../../src/simulator/ami-session.ts';
import type { EngineOriginateRequest } from '../../src/simulator/types.ts';

/** A hand-driven engine for AMI server and adapter tests that do not need call behaviour. */
export function stubEngine(startedAt = Date.UTC(2026, 10, 25, 22, 26, 34)) {
  const bus = new EngineEventBus((err) => {
    throw err;
  });
  const channels = new Map<string, ChannelSnapshot>();
  const originated: EngineOriginateRequest[] = [];
  let seq = 0;
  const engine: AmiEngine & {
    bus: EngineEventBus;
    originated: EngineOriginateRequest[];
    channels: Map<string, ChannelSnapshot>;
  } = {
    bus,
    originated,
    channels,
    events: bus,
    startedAt,
    listChannels: () => [...channels.values()],
    originate: (req) => {
      if (!req.endpoint.startsWith('Local/') && !req.endpoint.startsWith('PJSIP/'))
        throw new Error('Allocation failed');
      originated.push(req);
      const c = channel(`${req.endpoint}-0000000${seq}`, req.channelId ?? `1795645637.${++seq}`, 'Down');
      channels.set(c.id, c);
      return c;
    },
  };
  return engine;
}

export function channel(
  name: string,
  id: string,
  state: ChannelStateName,
  over: Partial<ChannelSnapshot> = {},
): ChannelSnapshot {
  return {
    id,
    name,
    state,
    stateCode: CHANNEL_STATE_CODES[state],
    caller: { name: '', number: '' },
    connected: { name: '', number: '' },
    accountcode: '',
    dialplan: { context: 'agents', exten: '1001', priority: 1, app_name: '', app_data: '' },
    creationtime: '2026-11-25T22:27:17.000+0000',
    language: 'en',
    linkedid: id,
    protocol_id: '',
    tech: name.split('/')[0] ?? 'Local',
    ...over,
  };
}

export function at(ms = Date.UTC(2026, 10, 25, 22, 27, 17)) {
  return { at: ms, timestamp: '2026-11-25T22:27:17.000+0000' };
}
