import type { ChannelSnapshot, EngineEventSource } from './engine-events.ts';
import type { EngineOriginateRequest } from './types.ts';
import type { AmiHeader, AmiMessage } from '../shared/ami-codec.ts';
import { getHeader, getHeaders } from '../shared/ami-codec.ts';

/** The outcome codes Asterisk puts in OriginateResponse `Reason:` (the last AST_CONTROL_* seen). */
export const ORIGINATE_REASON = { failed: 0, hangup: 1, ringTimeout: 3, answered: 4, busy: 5, congestion: 8 } as const;

export type OriginateParse =
  | {
      ok: true;
      request: EngineOriginateRequest;
      channel: string;
      context: string;
      exten: string;
      application: string;
      data: string;
      callerIdNum: string;
      callerIdName: string;
    }
  | { ok: false; message: string };

/**
 * Validates an Originate action as Asterisk's action_originate() does, with its error texts, and maps it
 * to the engine's originate request.
 */
export function parseOriginate(m: AmiMessage): OriginateParse {
  const channel = getHeader(m, 'Channel') ?? '';
  if (channel === '') return { ok: false, message: 'Channel not specified' };
  const priorityText = getHeader(m, 'Priority') ?? '';
  let priority = 1;
  if (priorityText !== '') {
    if (!/^\s*-?\d+/.test(priorityText)) return { ok: false, message: 'Invalid priority' };
    priority = Number.parseInt(priorityText, 10);
  }
  const timeoutText = getHeader(m, 'Timeout') ?? '';
  let timeoutMs = 30_000;
  if (timeoutText !== '') {
    if (!/^\s*-?\d+/.test(timeoutText)) return { ok: false, message: 'Invalid timeout' };
    timeoutMs = Number.parseInt(timeoutText, 10);
  }
  if (!channel.includes('/')) return { ok: false, message: 'Invalid channel' };
  const context = getHeader(m, 'Context') ?? '';
  const exten = getHeader(m, 'Exten') ?? '';
  const application = getHeader(m, 'Application') ?? '';
  const data = getHeader(m, 'Data') ?? '';
  const callerId = getHeader(m, 'CallerID') ?? '';
  const { name: callerIdName, num: callerIdNum } = splitCallerId(callerId);
  const variables: Record<string, string> = {};
  for (const line of getHeaders(m, 'Variable')) {
    // Asterisk accepts several `Variable:` headers and also comma-separated pairs in one header.
    for (const pair of line.split(',')) {
      const eq = pair.indexOf('=');
      if (eq > 0) variables[pair.slice(0, eq).trim()] = pair.slice(eq + 1);
    }
  }
  const request: EngineOriginateRequest = { endpoint: channel, timeoutSec: Math.max(1, Math.ceil(timeoutMs / 1000)) };
  if (application !== '') {
    request.app = application;
    if (data !== '') request.appArgs = data;
  } else {
    request.context = context || 'default';
    request.exten = exten || 's';
    request.priority = priority;
  }
  if (callerId !== '') request.callerId = callerId;
  const channelId = getHeader(m, 'ChannelId');
  if (channelId) request.channelId = channelId;
  const otherChannelId = getHeader(m, 'OtherChannelId');
  if (otherChannelId) request.otherChannelId = otherChannelId;
  if (Object.keys(variables).length > 0) request.variables = variables;
  return { ok: true, request, channel, context, exten, application, data, callerIdNum, callerIdName };
}

/** `"Name" <1234>` or `1234` → name and number, `<unknown>` where absent (as OriginateResponse prints). */
function splitCallerId(cid: string): { name: string; num: string } {
  const m = /^\s*"?([^"<]*?)"?\s*<([^>]*)>\s*$/.exec(cid);
  if (m) return { name: m[1] || '<unknown>', num: m[2] || '<unknown>' };
  return { name: '<unknown>', num: cid.trim() || '<unknown>' };
}

function reasonForCause(cause: number, lastState: string): number {
  if (cause === 17) return ORIGINATE_REASON.busy;
  if (cause === 34 || cause === 38 || cause === 42) return ORIGINATE_REASON.congestion;
  if (cause === 19 || lastState === 'Ringing') return ORIGINATE_REASON.ringTimeout;
  return ORIGINATE_REASON.hangup;
}

/**
 * Starts the originate and watches the channel until it answers (Success, Reason 4) or dies first
 * (Failure with the reason), then renders the OriginateResponse event. Subscribes before starting, so an
 * engine that answers synchronously is not missed. `done` is called exactly once; throws what
 * `start` throws (then nothing stays subscribed).
 */
export function trackOriginate(
  events: EngineEventSource,
  start: () => ChannelSnapshot,
  parsed: Extract<OriginateParse, { ok: true }>,
  actionId: string,
  done: (event: AmiMessage) => void,
): () => void {
  let channel: ChannelSnapshot | undefined;
  let lastState = 'Down';
  let finished = false;
  const early: Array<() => void> = [];
  const unsubscribers: Array<() => void> = [];
  const stop = (): void => {
    finished = true;
    for (const u of unsubscribers) u();
  };
  const finish = (success: boolean, reason: number, snapshot: ChannelSnapshot): void => {
    if (finished) return;
    stop();
    done(originateResponse(parsed, actionId, success, reason, snapshot.name, snapshot.id));
  };
  const onState = (c: ChannelSnapshot): void => {
    lastState = c.state;
    if (c.state === 'Up') finish(true, ORIGINATE_REASON.answered, c);
  };
  const onDestroyed = (c: ChannelSnapshot, cause: number): void => finish(false, reasonForCause(cause, lastState), c);
  unsubscribers.push(
    events.on('channelStateChanged', (e) => {
      if (!channel) early.push(() => e.channel.id === channel?.id && onState(e.channel));
      else if (e.channel.id === channel.id) onState(e.channel);
    }),
    events.on('channelDestroyed', (e) => {
      if (!channel) early.push(() => e.channel.id === channel?.id && onDestroyed(e.channel, e.cause));
      else if (e.channel.id === channel.id) onDestroyed(e.channel, e.cause);
    }),
    events.on('pbxRestarted', () => {
      if (channel) finish(false, ORIGINATE_REASON.failed, channel);
    }),
  );
  try {
    channel = start();
  } catch (err) {
    stop();
    throw err;
  }
  lastState = channel.state;
  for (const replay of early) replay();
  if (!finished && channel.state === 'Up') finish(true, ORIGINATE_REASON.answered, channel);
  return stop;
}

export function originateResponse(
  parsed: Extract<OriginateParse, { ok: true }>,
  actionId: string,
  success: boolean,
  reason: number,
  channelName: string,
  uniqueid: string,
): AmiMessage {
  const head: AmiHeader[] = [
    ['Event', 'OriginateResponse'],
    ['Privilege', 'call,all'],
  ];
  if (actionId !== '') head.push(['ActionID', actionId]);
  return [
    ...head,
    ['Response', success ? 'Success' : 'Failure'],
    ['Channel', channelName],
    ['Context', parsed.context],
    ['Exten', parsed.exten],
    ['Application', parsed.application],
    ['Data', parsed.data],
    ['Reason', String(reason)],
    ['Uniqueid', uniqueid],
    ['CallerIDNum', parsed.callerIdNum],
    ['CallerIDName', parsed.callerIdName],
  ];
}
