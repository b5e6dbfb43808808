import type { CallState, MonitorMode, MonitorSession } from './call-center-state.ts';
import type { Draft, Rejection } from './draft.ts';
import type { Effect } from './effects.ts';
import { conflict, isRejection, MAIN, talkingCall, update } from './talk-helpers.ts';

/**
 * Supervisors on a live call (监听, 耳语, 强插; issue 10): the supervisor's own phone is rung, then
 * joined to a snoop channel on the agent's leg (listen: spy both ways, whisper none; whisper: spy both
 * ways, whisper toward the agent only) or put into the call's main bridge (barge). A snoop's
 * directions cannot be changed in ARI, so switching between listen and whisper makes a new snoop
 * channel and hangs the old one up. The caller's audio path is never touched by listen or whisper.
 * The session ends with the monitor-stop command, when the supervisor's phone hangs up, or when the
 * monitored agent leaves the call (settleMonitors).
 */

export const MONITOR_BRIDGE = 'monitor';

export function monitorStart(
  d: Draft,
  i: {
    supervisorId: string;
    agentId: string;
    mode: MonitorMode;
    extension: string;
    legId: string;
    snoopId: string;
    notifyAgent: boolean;
  },
): Rejection | undefined {
  if (i.supervisorId === i.agentId)
    return { code: 'invalid-input', reason: 'bad-request', message: 'a supervisor cannot monitor themselves' };
  const probe = d.agents.get(i.agentId);
  if (!probe) return { code: 'unknown-agent', message: `agent ${i.agentId} is not signed in` };
  const call = talkingCall(d, i.agentId);
  if (isRejection(call)) return call;
  const own = sessionOf(d, i.supervisorId);
  const m = call.talk.monitor;
  if (m && m.supervisorId !== i.supervisorId)
    return conflict(`call ${call.callId} is already monitored by ${m.supervisorId}`);
  if (own && own.callId !== call.callId)
    return conflict(`supervisor ${i.supervisorId} is monitoring another call; stop that session first`);
  if (m) return switchMode(d, call, m, i.mode, i.snoopId);
  call.talk.monitor = {
    supervisorId: i.supervisorId,
    agentId: i.agentId,
    mode: i.mode,
    extension: i.extension,
    legId: i.legId,
    answered: false,
    startedAt: d.now,
    modeSince: d.now,
    notifyAgent: i.notifyAgent,
  };
  d.emit({
    type: 'dial-monitor',
    callId: call.callId,
    legId: i.legId,
    extension: i.extension,
    supervisorId: i.supervisorId,
  });
  d.emit(stateEffect(call.callId, call.talk.monitor, 'ringing', d.now));
  return undefined;
}

/** The supervisor's phone answered: connect it in the session's current mode. */
export function monitorAnswered(d: Draft, callId: string, legId: string): Rejection | undefined {
  const c = d.calls.get(callId);
  const m = c?.talk?.monitor;
  if (!c || !m || m.legId !== legId || m.answered || c.phase !== 'connected' || !c.agentChannelId) {
    d.emit({ type: 'hangup', callId, channelId: legId, reason: 'monitor-gone' });
    return { code: 'invalid-transition', message: `no monitor session is ringing on leg ${legId}` };
  }
  const call = d.call(callId) as CallState & { talk: { monitor: MonitorSession } };
  const session: MonitorSession = { ...m, answered: true, startedAt: d.now, modeSince: d.now };
  call.talk.monitor = session;
  connect(d, call, session, m.mode, `${legId}-s0`);
  d.emit(stateEffect(callId, call.talk.monitor, 'active', d.now));
  if (session.notifyAgent) update(d, session.agentId, callId, 'monitored', session.mode);
  return undefined;
}

/** The supervisor's leg is gone (hung up, or never answered): the session ends. */
export function monitorLegGone(d: Draft, callId: string, legId: string): Rejection | undefined {
  const c = d.calls.get(callId);
  const m = c?.talk?.monitor;
  if (!c || !m || m.legId !== legId)
    return { code: 'invalid-transition', message: `no monitor session on leg ${legId}` };
  const call = d.call(callId) as CallState;
  endSession(d, call, m, 'supervisor-hung-up', false);
  return undefined;
}

export function monitorStop(d: Draft, supervisorId: string): Rejection | undefined {
  const own = sessionOf(d, supervisorId);
  if (!own)
    return {
      code: 'invalid-transition',
      reason: 'no-monitor',
      message: `supervisor ${supervisorId} is not monitoring any call`,
    };
  const call = d.call(own.callId) as CallState;
  endSession(d, call, own.session, 'stopped', true);
  return undefined;
}

/**
 * After every decision: a session whose agent left the call (call ended, transferred, handed over)
 * is ended, so no supervisor stays on a line nobody watches and nothing is left on the PBX.
 */
export function settleMonitors(d: Draft, touchedCallIds: Iterable<string>): void {
  for (const id of touchedCallIds) {
    const before = d.state.calls.get(id);
    const m = before?.talk?.monitor;
    if (!before || !m) continue;
    const after = d.calls.get(id);
    const stillThere =
      after?.talk?.monitor === m &&
      after.phase === 'connected' &&
      after.agentId === m.agentId &&
      after.agentChannelId === before.agentChannelId;
    if (stillThere || (after && after.talk?.monitor !== m)) continue;
    if (after) {
      endSession(d, d.call(id) as CallState, m, 'call-left', true);
    } else {
      endSession(d, { ...before, talk: { ...before.talk!, parties: [] } }, m, 'call-ended', true);
    }
  }
}

// ---- internals ----------------------------------------------------------------------------------

function sessionOf(d: Draft, supervisorId: string): { callId: string; session: MonitorSession } | undefined {
  for (const c of d.calls.values()) {
    if (c.talk?.monitor?.supervisorId === supervisorId) return { callId: c.callId, session: c.talk.monitor };
  }
  return undefined;
}

function switchMode(
  d: Draft,
  call: CallState & { talk: { monitor?: MonitorSession } },
  m: MonitorSession,
  mode: MonitorMode,
  snoopId: string,
): Rejection | undefined {
  if (m.mode === mode) return undefined;
  if (!m.answered) {
    // Still ringing the supervisor: the phone is connected in the new mode when it answers.
    call.talk.monitor = { ...m, mode };
    return undefined;
  }
  d.emit({
    type: 'monitor-state',
    callId: call.callId,
    supervisorId: m.supervisorId,
    agentId: m.agentId,
    mode: m.mode,
    state: 'mode-ended',
    startedAt: m.modeSince,
    at: d.now,
  });
  const next: MonitorSession = { ...m, mode, modeSince: d.now };
  call.talk.monitor = next;
  connect(d, call, next, m.mode, snoopId);
  d.emit(stateEffect(call.callId, next, 'active', d.now));
  if (next.notifyAgent) update(d, next.agentId, call.callId, 'monitored', mode);
  return undefined;
}

/** Puts the supervisor's leg where the mode wants it, tearing down what the previous mode used. */
function connect(
  d: Draft,
  call: CallState & { talk: { monitor?: MonitorSession } },
  m: MonitorSession,
  previous: MonitorMode,
  snoopId: string,
): void {
  const callId = call.callId;
  const oldSnoop = m.snoopId;
  if (m.mode === 'barge') {
    // Into the main bridge (an ARI addChannel moves a channel out of the bridge it is in).
    d.emit({ type: 'join-bridge', callId, bridge: MAIN, channelIds: [m.legId] });
    if (oldSnoop) {
      d.emit({ type: 'hangup', callId, channelId: oldSnoop, reason: 'monitor-mode' });
      d.emit({ type: 'destroy-bridge', callId, bridge: MONITOR_BRIDGE });
    }
    const { snoopId: _gone, ...rest } = m;
    call.talk.monitor = rest;
    return;
  }
  d.emit({
    type: 'snoop',
    callId,
    snoopId,
    channelId: call.agentChannelId as string,
    spy: 'both',
    // Whisper goes out toward the agent's phone only: the caller hears the agent's leg, never the snoop.
    whisper: m.mode === 'whisper' ? 'out' : 'none',
  });
  d.emit({
    type: 'join-bridge',
    callId,
    bridge: MONITOR_BRIDGE,
    channelIds: previous === 'barge' || !oldSnoop ? [m.legId, snoopId] : [snoopId],
  });
  if (oldSnoop) d.emit({ type: 'hangup', callId, channelId: oldSnoop, reason: 'monitor-mode' });
  call.talk.monitor = { ...m, snoopId };
}

function endSession(d: Draft, call: CallState, m: MonitorSession, reason: string, hangupLeg: boolean): void {
  const callId = call.callId;
  if (hangupLeg) d.emit({ type: 'hangup', callId, channelId: m.legId, reason: 'monitor-ended' });
  if (m.snoopId) d.emit({ type: 'hangup', callId, channelId: m.snoopId, reason: 'monitor-ended' });
  d.emit({ type: 'destroy-bridge', callId, bridge: MONITOR_BRIDGE });
  d.emit({
    type: 'monitor-state',
    callId,
    supervisorId: m.supervisorId,
    agentId: m.agentId,
    mode: m.mode,
    state: 'ended',
    startedAt: m.startedAt,
    modeStartedAt: m.modeSince,
    answered: m.answered,
    reason,
    at: d.now,
  });
  if (m.answered && m.notifyAgent && call.agentId === m.agentId && d.calls.get(callId))
    update(d, m.agentId, callId, 'unmonitored', m.mode);
  if (call.talk && d.calls.get(callId) === call) delete call.talk.monitor;
}

function stateEffect(
  callId: string,
  m: MonitorSession,
  state: 'ringing' | 'active',
  at: number,
): Extract<Effect, { type: 'monitor-state' }> {
  return {
    type: 'monitor-state',
    callId,
    supervisorId: m.supervisorId,
    agentId: m.agentId,
    mode: m.mode,
    state,
    startedAt: m.startedAt,
    at,
  };
}
