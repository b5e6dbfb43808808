import { defaultAcdConfig, type AcdConfig, type OverflowGroup } from '../acd/acd-config.ts';
import {
  promptFile,
  type IvrAction,
  type IvrConfig,
  type IvrNode,
  type IvrOption,
  type IvrPromptSet,
  type PromptId,
} from './ivr-config.ts';

/** The voice menu and the ACD settings, checked together (the calls domain calls this pair CallCenterConfig). */
export interface CallCenterConfig {
  ivr: IvrConfig;
  acd: AcdConfig;
}

export type ConfigCheck = { ok: true; config: CallCenterConfig } | { ok: false; errors: string[] };

export interface ValidateOptions {
  /** Does the prompt's file exist? (The loader checks the disk; tests pass a set.) */
  promptExists: (id: PromptId) => boolean;
}

const OPTION_KEY = /^[0-9*#]$/;
const PROMPT_ID = /^[a-z]{2,3}(?:-[A-Za-z]+)?\/[a-z0-9][a-z0-9-]*$/;
const PHONE = /^[0-9]{3,20}$/;
const OVERFLOW: readonly OverflowGroup[] = ['any-skill', 'leaders'];

/**
 * Checks the call-flow file (menu, prompts, queue thresholds) and turns it into typed config.
 * Every problem is reported, each naming the node, key or file at fault.
 */
export function validateCallCenterConfig(raw: unknown, opts: ValidateOptions): ConfigCheck {
  const errors: string[] = [];
  const err = (m: string) => errors.push(m);
  if (!isObject(raw)) return { ok: false, errors: ['the file must hold a JSON object'] };

  const skills = stringArray(raw.skills);
  if (!skills || skills.length === 0) err('"skills" must be a non-empty list of skill names');
  const skillSet = new Set(skills ?? []);
  const defaultSkill = typeof raw.defaultSkill === 'string' ? raw.defaultSkill : '';
  if (!skillSet.has(defaultSkill)) err(`"defaultSkill" ${JSON.stringify(raw.defaultSkill)} is not one of "skills"`);

  const defaults = isObject(raw.defaults) ? raw.defaults : {};
  const rawNodes = isObject(raw.nodes) ? raw.nodes : undefined;
  if (!rawNodes || Object.keys(rawNodes).length === 0) err('"nodes" must be an object with at least one node');
  const nodeIds = new Set(Object.keys(rawNodes ?? {}));
  const start = typeof raw.start === 'string' ? raw.start : '';
  if (!nodeIds.has(start)) err(`"start" names unknown node ${JSON.stringify(raw.start)}`);

  const usedPrompts = new Map<PromptId, string>(); // prompt → where it is first used
  const prompts = (v: unknown, where: string, required: boolean): PromptId[] => {
    const list = typeof v === 'string' ? [v] : v === undefined && !required ? [] : stringArray(v);
    if (!list || (required && list.length === 0)) {
      err(`${where}: "prompt" must be a prompt id or a non-empty list of them`);
      return [];
    }
    for (const p of list) {
      if (!PROMPT_ID.test(p)) err(`${where}: prompt id ${JSON.stringify(p)} is not of the form "zh/name"`);
      else if (!usedPrompts.has(p)) usedPrompts.set(p, where);
    }
    return list;
  };

  const action = (v: unknown, where: string): IvrAction | undefined => {
    if (!isObject(v)) {
      err(`${where}: must be an action object`);
      return undefined;
    }
    const kind = v.action;
    const skillOk = (s: unknown, key: string) => {
      if (s === undefined) return true;
      if (typeof s !== 'string' || !skillSet.has(s)) {
        err(`${where}: ${key} ${JSON.stringify(s)} is not one of "skills"`);
        return false;
      }
      return true;
    };
    const nodeOk = (n: unknown, key: string) => {
      if (typeof n !== 'string' || !nodeIds.has(n)) {
        err(`${where}: ${key} goes to unknown node ${JSON.stringify(n)}`);
        return false;
      }
      return true;
    };
    switch (kind) {
      case 'goto':
        if (!nodeOk(v.node, '"node"') || !skillOk(v.setSkill, '"setSkill"')) return undefined;
        return typeof v.setSkill === 'string'
          ? { action: 'goto', node: v.node as string, setSkill: v.setSkill }
          : { action: 'goto', node: v.node as string };
      case 'queue': {
        if (!skillOk(v.skill, '"skill"')) return undefined;
        if (
          v.priority !== undefined &&
          !(Number.isInteger(v.priority) && (v.priority as number) >= 0 && (v.priority as number) <= 100)
        ) {
          err(`${where}: "priority" must be an integer from 0 to 100`);
          return undefined;
        }
        const a: IvrAction = { action: 'queue' };
        if (typeof v.skill === 'string') a.skill = v.skill;
        if (typeof v.priority === 'number') a.priority = v.priority;
        return a;
      }
      case 'transfer': {
        if (typeof v.number !== 'string' || !PHONE.test(v.number)) {
          err(`${where}: "number" must be 3 to 20 digits (got ${JSON.stringify(v.number)})`);
          return undefined;
        }
        const p = prompts(v.prompt, where, false);
        return p.length
          ? { action: 'transfer', number: v.number, prompt: p }
          : { action: 'transfer', number: v.number };
      }
      case 'play': {
        const p = prompts(v.prompt, where, true);
        if (!nodeOk(v.next, '"next"')) return undefined;
        return { action: 'play', prompt: p, next: v.next as string };
      }
      case 'callback':
      case 'hangup': {
        const p = prompts(v.prompt, where, false);
        return p.length ? { action: kind, prompt: p } : { action: kind };
      }
      default:
        err(`${where}: unknown action ${JSON.stringify(kind)} (goto, queue, transfer, play, callback, hangup)`);
        return undefined;
    }
  };

  const int = (v: unknown, fallback: unknown, where: string, key: string, min: number, max: number): number => {
    const x = v ?? fallback;
    if (typeof x !== 'number' || !Number.isInteger(x) || x < min || x > max) {
      err(`${where}: "${key}" must be an integer from ${min} to ${max} (got ${JSON.stringify(x)})`);
      return min;
    }
    return x;
  };

  const nodes: Record<string, IvrNode> = {};
  for (const [id, n] of Object.entries(rawNodes ?? {})) {
    const where = `node "${id}"`;
    if (!isObject(n)) {
      err(`${where}: must be an object`);
      continue;
    }
    const label = typeof n.label === 'string' ? { label: n.label } : {};
    if (n.type === 'menu' || n.type === 'ticket-status') {
      const prompt = prompts(n.prompt, where, true);
      const timeoutMs = int(n.timeoutMs, defaults.timeoutMs, where, 'timeoutMs', 500, 60_000);
      const retries = int(n.retries, defaults.retries, where, 'retries', 0, 5);
      const invalidPrompt = prompts(n.invalidPrompt ?? defaults.invalidPrompt, `${where} invalidPrompt`, true);
      const noInputPrompt = prompts(n.noInputPrompt ?? defaults.noInputPrompt, `${where} noInputPrompt`, true);
      const onFailure = action(n.onFailure ?? { action: 'queue' }, `${where} onFailure`) ?? { action: 'queue' };
      if (n.type === 'menu') {
        const options: Record<string, IvrOption> = {};
        if (!isObject(n.options) || Object.keys(n.options).length === 0)
          err(`${where}: "options" must map at least one key to an action`);
        for (const [key, o] of Object.entries(isObject(n.options) ? n.options : {})) {
          if (!OPTION_KEY.test(key)) {
            err(`${where}: option key ${JSON.stringify(key)} is not a single key 0-9, * or #`);
            continue;
          }
          const a = action(o, `${where} option "${key}"`);
          if (a) options[key] = isObject(o) && typeof o.label === 'string' ? { ...a, label: o.label } : a;
        }
        const onTimeout = n.onTimeout === undefined ? undefined : action(n.onTimeout, `${where} onTimeout`);
        nodes[id] = {
          type: 'menu',
          ...label,
          prompt,
          options,
          timeoutMs,
          retries,
          invalidPrompt,
          noInputPrompt,
          ...(onTimeout ? { onTimeout } : {}),
          onFailure,
        };
      } else {
        const maxDigits = int(n.maxDigits, 20, where, 'maxDigits', 1, 32);
        const next = action(n.next, `${where} next`) ?? { action: 'queue' };
        // Three failed look-ups end the call, so the menu cannot be used to enumerate orders (art. 22).
        const maxLookupFailures = int(n.maxLookupFailures, 3, where, 'maxLookupFailures', 1, 10);
        const onLookupFailures = action(n.onLookupFailures ?? { action: 'hangup' }, `${where} onLookupFailures`) ?? {
          action: 'hangup',
        };
        nodes[id] = {
          type: 'ticket-status',
          ...label,
          prompt,
          maxDigits,
          timeoutMs,
          retries,
          invalidPrompt,
          noInputPrompt,
          next,
          onFailure,
          maxLookupFailures,
          onLookupFailures,
        };
      }
    } else if (n.type === 'play') {
      const prompt = prompts(n.prompt, where, true);
      const next = action(n.next, `${where} next`) ?? { action: 'queue' };
      nodes[id] = { type: 'play', ...label, prompt, next };
    } else {
      err(`${where}: unknown type ${JSON.stringify(n.type)} (menu, play, ticket-status)`);
    }
  }

  const promptSet = validatePromptSet(raw.prompts, (v, where) => prompts(v, where, true), err);
  const acd = validateAcd(raw.acd, err);

  if (nodeIds.has(start) && errors.length === 0) {
    for (const id of unreachable(start, nodes)) err(`node "${id}" is unreachable from start node "${start}"`);
    const silent = silentCallerPath(start, nodes);
    if (!silent.reachesQueue)
      err(`a caller who presses nothing never reaches an agent (path: ${silent.path.join(' → ')})`);
  }

  for (const [p, where] of usedPrompts) {
    if (!opts.promptExists(p)) err(`${where}: prompt file ${promptFile(p)} is missing`);
  }

  // Desk languages (e.g. cantonese → yue): which of the prompts in use exist in each, asked of the same check.
  const skillLanguages: Record<string, string> = {};
  const localPrompts: Record<string, string[]> = {};
  if (raw.skillLanguages !== undefined) {
    if (!isObject(raw.skillLanguages))
      err('"skillLanguages" must map skills to prompt languages, e.g. {"cantonese": "yue"}');
    else
      for (const [skill, lang] of Object.entries(raw.skillLanguages)) {
        if (!skillSet.has(skill)) err(`"skillLanguages": ${JSON.stringify(skill)} is not one of "skills"`);
        else if (typeof lang !== 'string' || !/^[a-z]{2,3}$/.test(lang))
          err(`"skillLanguages".${skill} must be a language code of 2–3 letters (the folder under sounds/)`);
        else {
          skillLanguages[skill] = lang;
          localPrompts[lang] = [...usedPrompts.keys()]
            .map((p) => p.slice(p.indexOf('/') + 1))
            .filter((name) => opts.promptExists(`${lang}/${name}`));
        }
      }
  }

  if (errors.length > 0) return { ok: false, errors };
  const ivr: IvrConfig = {
    start,
    skills: skills ?? [],
    defaultSkill,
    nodes,
    prompts: promptSet as IvrPromptSet,
    ...(Object.keys(skillLanguages).length > 0 ? { skillLanguages, localPrompts } : {}),
  };
  return { ok: true, config: { ivr, acd } };
}

function validatePromptSet(
  v: unknown,
  prompts: (v: unknown, where: string) => PromptId[],
  err: (m: string) => void,
): IvrPromptSet | undefined {
  if (!isObject(v)) {
    err('"prompts" must be an object (digits, ten, hundred, ticket and queue prompts)');
    return undefined;
  }
  const one = (key: keyof IvrPromptSet): PromptId => {
    const list = prompts(v[key], `prompts.${key}`);
    if (list.length !== 1) err(`prompts.${key}: must be exactly one prompt id`);
    return list[0] ?? '';
  };
  const digits = prompts(v.digits, 'prompts.digits');
  if (digits.length !== 10) err('prompts.digits: must list ten prompts, for 0 to 9');
  const statuses: Record<string, PromptId> = {};
  if (!isObject(v.statuses)) err('prompts.statuses: must map each work-order status to a prompt id');
  for (const [status, p] of Object.entries(isObject(v.statuses) ? v.statuses : {})) {
    const list = prompts(p, `prompts.statuses.${status}`);
    if (list[0]) statuses[status] = list[0];
  }
  return {
    digits,
    ten: one('ten'),
    hundred: one('hundred'),
    ticketNumberIs: one('ticketNumberIs'),
    ticketStatusIs: one('ticketStatusIs'),
    ticketNotFound: one('ticketNotFound'),
    statuses,
    statusUnknown: one('statusUnknown'),
    queueAheadBefore: one('queueAheadBefore'),
    queueAheadAfter: one('queueAheadAfter'),
    queueNext: one('queueNext'),
    ...(v.queueWaitBefore !== undefined || v.queueWaitMinutes !== undefined
      ? { queueWaitBefore: one('queueWaitBefore'), queueWaitMinutes: one('queueWaitMinutes') }
      : {}),
  };
}

function validateAcd(v: unknown, err: (m: string) => void): AcdConfig {
  if (v !== undefined && !isObject(v)) {
    err('"acd" must be an object');
    return defaultAcdConfig;
  }
  const o = (v ?? {}) as Record<string, unknown>;
  const int = (key: keyof AcdConfig, min: number, max: number): number => {
    const x = o[key] ?? defaultAcdConfig[key];
    if (typeof x !== 'number' || !Number.isInteger(x) || x < min || x > max) {
      err(`acd.${key}: must be an integer from ${min} to ${max} (got ${JSON.stringify(x)})`);
      return defaultAcdConfig[key] as number;
    }
    return x;
  };
  const acd: AcdConfig = {
    ringTimeoutMs: int('ringTimeoutMs', 1000, 120_000),
    wrapUpMs: int('wrapUpMs', 0, 600_000),
    wrapUpMaxMs: int('wrapUpMaxMs', 0, 3_600_000),
    wrapUpCodes: wrapUpCodes(o.wrapUpCodes, err),
    announceEveryMs: int('announceEveryMs', 0, 600_000),
    prewarnMs: int('prewarnMs', 1000, 600_000),
    breachMs: int('breachMs', 1000, 600_000),
    overflow: defaultAcdConfig.overflow,
    repeatCallerPriority: int('repeatCallerPriority', 0, 100),
    averageHandleMs: int('averageHandleMs', 10_000, 3_600_000),
  };
  if (o.overflow !== undefined) {
    const list = stringArray(o.overflow);
    const bad = list ? list.filter((g) => !OVERFLOW.includes(g as OverflowGroup)) : [];
    if (!list || bad.length > 0)
      err(`acd.overflow: must be a list of ${OVERFLOW.join(', ')} (got ${JSON.stringify(o.overflow)})`);
    else acd.overflow = list as OverflowGroup[];
  }
  if (acd.wrapUpMaxMs < acd.wrapUpMs)
    err(`acd.wrapUpMaxMs (${acd.wrapUpMaxMs}) must not be below acd.wrapUpMs (${acd.wrapUpMs})`);
  if (acd.prewarnMs >= acd.breachMs)
    err(`acd.prewarnMs (${acd.prewarnMs}) must be below acd.breachMs (${acd.breachMs})`);
  return acd;
}

/** acd.wrapUpCodes: [{ code, label }], codes unique (letters, digits, `_`, `-`), labels the desk's Chinese text. */
function wrapUpCodes(v: unknown, err: (m: string) => void): { code: string; label: string }[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) {
    err(`acd.wrapUpCodes: must be a list of { code, label } (got ${JSON.stringify(v)})`);
    return [];
  }
  const seen = new Set<string>();
  const out: { code: string; label: string }[] = [];
  v.forEach((c, i) => {
    const code = isObject(c) ? c['code'] : undefined;
    const label = isObject(c) ? c['label'] : undefined;
    if (typeof code !== 'string' || !/^[A-Za-z0-9_-]{1,32}$/.test(code))
      err(`acd.wrapUpCodes[${i}].code: must be 1 to 32 letters, digits, _ or - (got ${JSON.stringify(code)})`);
    else if (seen.has(code)) err(`acd.wrapUpCodes[${i}].code: ${code} is listed twice`);
    else if (typeof label !== 'string' || label.trim() === '' || label.length > 40)
      err(`acd.wrapUpCodes[${i}].label: must be 1 to 40 characters`);
    else {
      seen.add(code);
      out.push({ code, label });
    }
  });
  return out;
}

function actionTargets(a: IvrAction): string[] {
  if (a.action === 'goto') return [a.node];
  if (a.action === 'play') return [a.next];
  return [];
}

function nodeActions(n: IvrNode): IvrAction[] {
  switch (n.type) {
    case 'menu':
      return [...Object.values(n.options), ...(n.onTimeout ? [n.onTimeout] : []), n.onFailure];
    case 'play':
      return [n.next];
    case 'ticket-status':
      return [n.next, n.onFailure, n.onLookupFailures];
  }
}

function unreachable(start: string, nodes: Record<string, IvrNode>): string[] {
  const seen = new Set([start]);
  const todo = [start];
  while (todo.length > 0) {
    const n = nodes[todo.pop() as string];
    if (!n) continue;
    for (const a of nodeActions(n)) {
      for (const t of actionTargets(a)) {
        if (!seen.has(t)) {
          seen.add(t);
          todo.push(t);
        }
      }
    }
  }
  return Object.keys(nodes).filter((id) => !seen.has(id));
}

/** Follows what happens to a caller who never presses a key: it must end in a queue. */
function silentCallerPath(start: string, nodes: Record<string, IvrNode>): { reachesQueue: boolean; path: string[] } {
  const path: string[] = [];
  let id = start;
  for (;;) {
    if (path.includes(id)) return { reachesQueue: false, path: [...path, id, '(loop)'] };
    path.push(id);
    const n = nodes[id];
    if (!n) return { reachesQueue: false, path };
    const a: IvrAction = n.type === 'play' ? n.next : n.type === 'menu' ? (n.onTimeout ?? n.onFailure) : n.onFailure;
    if (a.action === 'queue') return { reachesQueue: true, path };
    const next = actionTargets(a)[0];
    if (next === undefined) return { reachesQueue: false, path: [...path, `(${a.action})`] };
    id = next;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringArray(v: unknown): string[] | undefined {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && x.length > 0)) return undefined;
  return v as string[];
}
