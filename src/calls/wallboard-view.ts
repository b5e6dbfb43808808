import type { CallCenterState } from '../domain/calls/call-center-state.ts';
import { shanghaiDayStart } from '../domain/stats/shanghai-day.ts';
import { maskPhone } from '../shared/phone-mask.ts';

/** One caller waiting for an agent, as the wallboard lists them (queue order within a desk). */
export interface WaitingCaller {
  callId: string;
  /** Always masked: the wallboard is a screen the whole room sees (art. 22). */
  number: string;
  skill: string;
  /** When the caller left the voice menu: the wait (art. 25) counts from here. */
  since: number;
  priority: number;
  repeatCaller: boolean;
  /** Past the pre-warning (15 s) / the answer target (20 s). */
  prewarned: boolean;
  breached: boolean;
  /** A supervisor sent the call to the leaders on duty. */
  leadersOnly: boolean;
  /** The agent whose phone is ringing for it. */
  ringingAt?: string;
}

export interface AgentRow {
  agentId: string;
  displayName: string;
  status: string;
  reason?: string;
  /** When the state began: the wallboard shows the duration. */
  since: number;
  callId?: string;
  /** When the current call was answered: talk time. */
  talkSince?: number;
  skills: string[];
  /** A leader on duty per the rota (art. 23). */
  leaderOnDuty: boolean;
}

/** A rota span running now or later today, with its leader's state. */
export interface RotaRow {
  spanId: string;
  agentId: string;
  displayName: string;
  from: number;
  to: number;
  seat: string | null;
  skill: string | null;
  onDutyNow: boolean;
  /** The leader's agent state ('signed-out' when not signed in). */
  status: string;
}

export interface WallboardView {
  waitingCalls: WaitingCaller[];
  agentList: AgentRow[];
  rota: RotaRow[];
}

/** What the wallboard lists, from the domain's state (no I/O but the display names given). */
export function wallboardView(
  state: CallCenterState,
  now: number,
  displayNames: (ids: Iterable<string>) => Map<string, string>,
): WallboardView {
  const waitingCalls: WaitingCaller[] = [];
  for (const c of state.calls.values()) {
    if ((c.phase !== 'queued' && c.phase !== 'ringing') || !c.queue) continue;
    const q = c.queue;
    const row: WaitingCaller = {
      callId: c.callId,
      number: maskPhone(c.record.callerNumber),
      skill: q.skill,
      since: q.enqueuedAt,
      priority: q.priority,
      repeatCaller: c.record.repeatCaller,
      prewarned: now - q.enqueuedAt >= state.config.acd.prewarnMs,
      breached: q.escalated || now - q.enqueuedAt >= state.config.acd.breachMs,
      leadersOnly: q.leadersOnly === true,
    };
    if (c.phase === 'ringing' && q.offeredTo !== undefined) row.ringingAt = q.offeredTo;
    waitingCalls.push(row);
  }
  // Queue order: higher priority first, then the longest wait.
  waitingCalls.sort((a, b) => b.priority - a.priority || a.since - b.since);

  const dayEnd = shanghaiDayStart(now) + 86_400_000;
  const spans = state.rota.filter((s) => s.to > now && s.from < dayEnd).sort((a, b) => a.from - b.from);
  const ids = new Set<string>(spans.map((s) => s.agentId));
  for (const a of state.agents.values()) if (a.status !== 'signed-out') ids.add(a.agentId);
  const names = displayNames(ids);

  const agentList: AgentRow[] = [];
  for (const a of state.agents.values()) {
    if (a.status === 'signed-out') continue;
    const call = a.callId !== undefined ? state.calls.get(a.callId) : undefined;
    const talkSince = a.status === 'on-call' ? call?.record.answeredAt : undefined;
    agentList.push({
      agentId: a.agentId,
      displayName: names.get(a.agentId) ?? a.agentId,
      status: a.status,
      since: a.since,
      skills: [...a.skills],
      leaderOnDuty: state.rota.some((s) => s.agentId === a.agentId && s.from <= now && now < s.to),
      ...(a.pauseReason !== undefined ? { reason: a.pauseReason } : {}),
      ...(a.callId !== undefined ? { callId: a.callId } : {}),
      ...(talkSince !== undefined ? { talkSince } : {}),
    });
  }
  agentList.sort((x, y) => (x.displayName < y.displayName ? -1 : x.displayName > y.displayName ? 1 : 0));

  const rota: RotaRow[] = spans.map((s) => ({
    spanId: s.spanId,
    agentId: s.agentId,
    displayName: names.get(s.agentId) ?? s.agentId,
    from: s.from,
    to: s.to,
    seat: s.seat,
    skill: s.skill,
    onDutyNow: s.from <= now,
    status: state.agents.get(s.agentId)?.status ?? 'signed-out',
  }));
  return { waitingCalls, agentList, rota };
}
