import type { AgentState } from '../domain/acd/agent.ts';
import type { CallRecord } from '../domain/calls/call-record.ts';
import type { ScreenPop } from '../domain/calls/screen-pop.ts';
import type { CallbackRow } from '../store/schema/calls.ts';
import type { HistoryOrder } from './caller-history.ts';

/** What a new work order started from this call is pre-filled with (issue 4 item 6). */
export interface WorkOrderDraft {
  channel: 'phone';
  callId: string;
  /** The caller's number; masked for roles without phone:see-full (the server fills it in from callId). */
  requesterPhone: string;
  contactPhone: string;
  /** The desk the caller chose (mandarin, zhuang, cantonese, ...). */
  desk: string;
  /** Labels of the voice-menu options the caller pressed, as a hint for the category. */
  ivrChoices: string[];
  repeatOf: string | null;
}

/** The screen-pop as a desktop receives it: the domain's pop plus the caller's history and a draft. */
export interface DesktopPop extends ScreenPop {
  history: HistoryOrder[];
  openOrders: number;
  draft: WorkOrderDraft;
  /** A callback call (回拨): the call it calls back and the tries so far. */
  callbackHistory?: {
    callbackId: number;
    reason: string | null;
    waitedMs: number | null;
    tries: number;
    lastOutcome: string | null;
    original: {
      callId: string;
      arrivedAt: number | null;
      skill: string | null;
      outcome: string | null;
      ivrPath: string;
    };
    attempts: Array<{
      callId: string;
      agentId: string;
      dialledAt: number;
      outcome: string | null;
      note: string | null;
    }>;
  };
}

import type { CallUpdateState } from '../domain/calls/effects.ts';

export type CallState = 'ringing' | CallUpdateState;

export interface CallUpdate {
  callId: string;
  state: CallState;
  at: number;
  detail?: string;
}

/** A monitor session as the supervisor's page sees it. */
export interface MonitorView {
  callId: string;
  supervisorId: string;
  agentId: string;
  mode: 'listen' | 'whisper' | 'barge';
  state: 'ringing' | 'active' | 'mode-ended' | 'ended';
  startedAt: number;
  modeStartedAt?: number;
  answered?: boolean;
  reason?: string;
  at: number;
}

export interface CallAlert {
  id: number;
  level: 'info' | 'warning' | 'critical';
  kind: string;
  callId: string;
  agentId?: string;
  skill?: string;
  waitedMs?: number;
  cause?: string;
  at: number;
  message: string;
}

export interface CallLayerEvents {
  screenPop: (agentId: string, pop: DesktopPop, decidedAtHr: number) => void;
  /** The caller's history was read after the pop was pushed and differs: the same pop with the history read now. */
  popHistory: (agentId: string, pop: DesktopPop) => void;
  callUpdate: (agentId: string, update: CallUpdate) => void;
  agentState: (agentId: string, state: AgentState) => void;
  alert: (alert: CallAlert) => void;
  callback: (row: CallbackRow) => void;
  /** A supervisor's monitor session changed (issue 10). */
  monitor: (supervisorId: string, state: MonitorView) => void;
  /** Something the live figures depend on changed. */
  changed: () => void;
  /** Stored sign-ins were signed in again (restart, takeover): their desks have the sign-out grace from now. */
  signInsRestored: (agentIds: string[]) => void;
  /** A call's record changed (the CDR row was written). */
  record: (record: CallRecord) => void;
}

type Listeners = { [K in keyof CallLayerEvents]: Set<CallLayerEvents[K]> };

/** A small typed event hub: the call controller emits, the socket.io namespaces and tests listen. */
export class CallEventHub {
  private readonly l: Listeners = {
    screenPop: new Set(),
    popHistory: new Set(),
    callUpdate: new Set(),
    agentState: new Set(),
    alert: new Set(),
    callback: new Set(),
    monitor: new Set(),
    changed: new Set(),
    signInsRestored: new Set(),
    record: new Set(),
  };

  on<K extends keyof CallLayerEvents>(type: K, fn: CallLayerEvents[K]): () => void {
    (this.l[type] as Set<CallLayerEvents[K]>).add(fn);
    return () => (this.l[type] as Set<CallLayerEvents[K]>).delete(fn);
  }

  emit<K extends keyof CallLayerEvents>(type: K, ...args: Parameters<CallLayerEvents[K]>): void {
    for (const fn of this.l[type] as Set<(...a: unknown[]) => void>) {
      try {
        fn(...args);
      } catch {
        // A failing listener (a closed socket) must not stop the call layer.
      }
    }
  }
}
