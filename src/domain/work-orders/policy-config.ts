import { DEFAULT_CLOCK_POLICY, type ClockPolicy } from './handling-clock.ts';
import { DEFAULT_SUPERVISION_POLICY, type SupervisionPolicy } from './supervision.ts';
import { ORDER_TYPES } from './types.ts';

/** One problem in a policy given as configuration, with the key's path. */
export interface PolicyIssue {
  path: string;
  message: string;
}

export type PolicyResult<T> = { ok: true; value: T } | { ok: false; issues: PolicyIssue[] };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

type NumberRule = { min: number; max: number; integer: boolean };

function readNumbers<T extends object>(
  input: Record<string, unknown>,
  defaults: T,
  rules: Partial<Record<keyof T, NumberRule>>,
  prefix: string,
  issues: PolicyIssue[],
): T {
  const out = { ...defaults } as Record<string, unknown>;
  for (const [key, rule] of Object.entries(rules) as [string, NumberRule][]) {
    if (!(key in input)) continue;
    const v = input[key];
    if (
      typeof v !== 'number' ||
      !Number.isFinite(v) ||
      v < rule.min ||
      v > rule.max ||
      (rule.integer && !Number.isInteger(v))
    ) {
      issues.push({
        path: prefix + key,
        message: `must be ${rule.integer ? 'a whole number' : 'a number'} from ${rule.min} to ${rule.max}`,
      });
    } else {
      out[key] = v;
    }
  }
  return out as T;
}

const DAY = 24 * 3600_000;
const wd: NumberRule = { min: 1, max: 60, integer: true };
const ms: NumberRule = { min: 60_000, max: 30 * DAY, integer: true };

/**
 * Reads a clock policy from configuration: any key left out keeps the measures' default, unknown keys and bad
 * values are reported by path (e.g. `workingDaysByType.complaint`).
 */
export function parseClockPolicy(input: unknown, prefix = ''): PolicyResult<ClockPolicy> {
  if (input === undefined) return { ok: true, value: DEFAULT_CLOCK_POLICY };
  if (!isObject(input)) return { ok: false, issues: [{ path: prefix || '$', message: 'must be an object' }] };
  const issues: PolicyIssue[] = [];
  const known = new Set([...Object.keys(DEFAULT_CLOCK_POLICY)]);
  for (const k of Object.keys(input)) if (!known.has(k)) issues.push({ path: prefix + k, message: 'unknown setting' });
  const value = readNumbers<ClockPolicy>(
    input,
    DEFAULT_CLOCK_POLICY,
    {
      chairmanMailboxWorkingDays: wd,
      emergencySignMs: ms,
      emergencyCompletionMs: ms,
      signWorkingDays: wd,
      returnWorkingDays: wd,
      emergencyReturnMs: ms,
      dispatchMs: ms,
      satisfactionReplyMs: ms,
      knowledgeQuestionWorkingDays: wd,
      maxExtensionFactor: { min: 0, max: 10, integer: false },
    },
    prefix,
    issues,
  );
  const byType = input['workingDaysByType'];
  if (byType !== undefined) {
    if (!isObject(byType)) {
      issues.push({
        path: `${prefix}workingDaysByType`,
        message: 'must be an object of type → working days (or null for no clock)',
      });
    } else {
      const merged: Record<string, number | null> = { ...DEFAULT_CLOCK_POLICY.workingDaysByType };
      for (const [k, v] of Object.entries(byType)) {
        const path = `${prefix}workingDaysByType.${k}`;
        if (!(ORDER_TYPES as readonly string[]).includes(k))
          issues.push({ path, message: `unknown order type; one of ${ORDER_TYPES.join(', ')}` });
        else if (v !== null && (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 60))
          issues.push({ path, message: 'must be a whole number of working days from 1 to 60, or null' });
        else merged[k] = v as number | null;
      }
      value.workingDaysByType = merged as ClockPolicy['workingDaysByType'];
    }
  }
  const byCategory = input['workingDaysByCategory'];
  if (byCategory !== undefined) {
    if (!isObject(byCategory)) {
      issues.push({
        path: `${prefix}workingDaysByCategory`,
        message: 'must be an object of category code → working days',
      });
    } else {
      const merged: Record<string, number> = {};
      for (const [k, v] of Object.entries(byCategory)) {
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 365)
          issues.push({
            path: `${prefix}workingDaysByCategory.${k}`,
            message: 'must be a whole number of working days from 1 to 365',
          });
        else merged[k] = v;
      }
      value.workingDaysByCategory = merged;
    }
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value };
}

/** Reads the supervision thresholds from configuration, defaults for keys left out. */
export function parseSupervisionPolicy(input: unknown, prefix = ''): PolicyResult<SupervisionPolicy> {
  if (input === undefined) return { ok: true, value: DEFAULT_SUPERVISION_POLICY };
  if (!isObject(input)) return { ok: false, issues: [{ path: prefix || '$', message: 'must be an object' }] };
  const issues: PolicyIssue[] = [];
  for (const k of Object.keys(input))
    if (!(k in DEFAULT_SUPERVISION_POLICY)) issues.push({ path: prefix + k, message: 'unknown setting' });
  const value = readNumbers<SupervisionPolicy>(
    input,
    DEFAULT_SUPERVISION_POLICY,
    {
      warnWorkingDaysBefore: { min: 0, max: 30, integer: true },
      warnFraction: { min: 0, max: 1, integer: false },
      redAfterOverdueWorkingDays: { min: 0, max: 60, integer: true },
      redAfterOverdueFraction: { min: 0, max: 100, integer: false },
    },
    prefix,
    issues,
  );
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value };
}
