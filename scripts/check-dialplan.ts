/**
 * Static check of the shipped Asterisk dialplan (dialplan/*.conf) for the mistakes that only show up on a
 * live call: a Goto/GotoIf/Gosub to a context, extension or label that does not exist, an `include` of an
 * undefined context, a Queue() of an undefined queue, a `same =>` with no extension before it, duplicate
 * priorities, unbalanced brackets, and PJSIP endpoints (config/asterisk) whose `context=` is not defined.
 *
 * Usage: `npx tsx scripts/check-dialplan.ts [dir ...]` (default: dialplan config/asterisk). Exit 1 on problems.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface SourceFile {
  name: string;
  text: string;
}

export interface DialplanIssue {
  file: string;
  line: number;
  message: string;
}

interface Step {
  file: string;
  line: number;
  context: string;
  exten: string;
  priority: number;
  label?: string;
  app: string;
  args: string;
}

interface Extension {
  steps: Step[];
}

interface Model {
  contexts: Map<
    string,
    {
      file: string;
      line: number;
      extens: Map<string, Extension>;
      includes: Array<{ name: string; file: string; line: number }>;
    }
  >;
  queues: Set<string>;
  endpointContexts: Array<{ context: string; file: string; line: number }>;
  issues: DialplanIssue[];
}

const SECTION = /^\[([^\]]+)\](\([^)]*\))?\s*$/;
const EXTEN = /^(exten|same)\s*=>?\s*(.*)$/i;

function stripComment(line: string): string {
  // `;` starts a comment unless escaped as `\;`.
  let out = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && line[i + 1] === ';') {
      out += '\\;';
      i++;
      continue;
    }
    if (c === ';') break;
    out += c;
  }
  return out.trim();
}

/** Splits on `sep` outside of (), [], {} nesting. */
function splitTop(s: string, sep: string, max = Infinity): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of s) {
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth = Math.max(0, depth - 1);
    if (c === sep && depth === 0 && out.length < max - 1) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function balanced(s: string): boolean {
  const stack: string[] = [];
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  for (const c of s) {
    if (c === '(' || c === '[' || c === '{') stack.push(c);
    else if (c in pairs) {
      if (stack.pop() !== pairs[c]) return false;
    }
  }
  return stack.length === 0;
}

/** Asterisk extension pattern → RegExp (`_X.`, `_1XXX`, `_[2-5]X!`); a plain extension matches itself. */
function patternToRegex(exten: string): RegExp {
  if (!exten.startsWith('_')) return new RegExp(`^${exten.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  let re = '';
  const p = exten.slice(1);
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === 'X' || c === 'x') re += '[0-9]';
    else if (c === 'Z' || c === 'z') re += '[1-9]';
    else if (c === 'N' || c === 'n') re += '[2-9]';
    else if (c === '.') re += '.+';
    else if (c === '!') re += '.*';
    else if (c === '[') {
      const end = p.indexOf(']', i);
      re += `[${p.slice(i + 1, end < 0 ? p.length : end)}]`;
      i = end < 0 ? p.length : end;
    } else re += c.replace(/[.*+?^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

const hasVariable = (s: string): boolean => s.includes('${') || s.includes('$[');

function parse(files: SourceFile[]): Model {
  const model: Model = { contexts: new Map(), queues: new Set(), endpointContexts: [], issues: [] };
  for (const f of files) {
    const isQueues = /queues/i.test(f.name);
    const isDialplan = /extensions/i.test(f.name);
    const isPjsip = /pjsip/i.test(f.name);
    let section: string | undefined;
    let lastExten: { exten: string; priority: number } | undefined;
    f.text.split(/\r?\n/).forEach((raw, idx) => {
      const line = idx + 1;
      const text = stripComment(raw);
      if (text === '' || text.startsWith('#include')) return;
      const sec = SECTION.exec(text);
      if (sec) {
        section = sec[1]!.trim();
        lastExten = undefined;
        const isTemplate = sec[2] === '(!)';
        if (isQueues && section !== 'general' && !isTemplate) model.queues.add(section);
        if (isDialplan && section !== 'general' && section !== 'globals') {
          if (model.contexts.has(section))
            model.issues.push({ file: f.name, line, message: `context [${section}] is defined twice` });
          else model.contexts.set(section, { file: f.name, line, extens: new Map(), includes: [] });
        }
        return;
      }
      if (isPjsip) {
        const m = /^context\s*=\s*(\S+)/.exec(text);
        if (m) model.endpointContexts.push({ context: m[1]!, file: f.name, line });
        return;
      }
      if (!isDialplan || !section) return;
      const ctx = model.contexts.get(section);
      if (!ctx) return;
      const inc = /^include\s*=>\s*(\S+)/i.exec(text);
      if (inc) {
        ctx.includes.push({ name: inc[1]!, file: f.name, line });
        return;
      }
      const ex = EXTEN.exec(text);
      if (!ex) {
        if (!/^[A-Za-z_]+\s*=/.test(text))
          model.issues.push({ file: f.name, line, message: `cannot parse line: ${text}` });
        return;
      }
      const kind = ex[1]!.toLowerCase();
      const body = ex[2]!;
      let exten: string;
      let rest: string;
      if (kind === 'same') {
        if (!lastExten) {
          model.issues.push({ file: f.name, line, message: '`same =>` without an `exten =>` before it' });
          return;
        }
        exten = lastExten.exten;
        rest = body;
      } else {
        const parts = splitTop(body, ',', 2);
        exten = (parts[0] ?? '').trim();
        rest = parts[1] ?? '';
      }
      const [prioText = '', appText = ''] = splitTop(rest, ',', 2).map((s) => s.trim());
      const pm = /^(n|\d+)(?:\(([^)]+)\))?$/.exec(prioText);
      if (!pm) {
        model.issues.push({ file: f.name, line, message: `bad priority "${prioText}"` });
        return;
      }
      let priority: number;
      if (pm[1] === 'n') {
        if (!lastExten || lastExten.exten !== exten) {
          model.issues.push({ file: f.name, line, message: `priority n for ${exten} with no priority before it` });
          return;
        }
        priority = lastExten.priority + 1;
      } else priority = Number(pm[1]);
      const am = /^([A-Za-z][A-Za-z0-9_]*)(?:\((.*)\))?$/.exec(appText);
      if (!am) {
        model.issues.push({ file: f.name, line, message: `bad application call "${appText}"` });
        return;
      }
      if (!balanced(appText)) model.issues.push({ file: f.name, line, message: `unbalanced brackets in ${appText}` });
      let e = ctx.extens.get(exten);
      if (!e) {
        e = { steps: [] };
        ctx.extens.set(exten, e);
        if (priority !== 1)
          model.issues.push({
            file: f.name,
            line,
            message: `extension ${exten} in [${section}] does not start at priority 1`,
          });
      }
      if (e.steps.some((s) => s.priority === priority))
        model.issues.push({
          file: f.name,
          line,
          message: `duplicate priority ${priority} for ${exten} in [${section}]`,
        });
      if (pm[2] && e.steps.some((s) => s.label === pm[2]))
        model.issues.push({ file: f.name, line, message: `duplicate label ${pm[2]} for ${exten} in [${section}]` });
      const step: Step = { file: f.name, line, context: section, exten, priority, app: am[1]!, args: am[2] ?? '' };
      if (pm[2]) step.label = pm[2];
      e.steps.push(step);
      lastExten = { exten, priority };
    });
  }
  return model;
}

/** Resolves a Goto-style target (`label`, `ext,label`, `ctx,ext,label`) from `from`. */
function checkTarget(model: Model, from: Step, target: string, what: string): string | undefined {
  const parts = splitTop(target.trim(), ',').map((s) => s.trim());
  if (parts.length === 0 || parts[0] === '') return `${what} with an empty target`;
  const [ctxName, exten, label] =
    parts.length >= 3
      ? [parts[0]!, parts[1]!, parts[2]!]
      : parts.length === 2
        ? [from.context, parts[0]!, parts[1]!]
        : [from.context, from.exten, parts[0]!];
  if (hasVariable(ctxName)) return undefined;
  const ctx = model.contexts.get(ctxName);
  if (!ctx) return `${what} to undefined context [${ctxName}]`;
  const candidates = hasVariable(exten)
    ? [...ctx.extens.values()]
    : [...ctx.extens.entries()].filter(([p]) => p === exten || patternToRegex(p).test(exten)).map(([, e]) => e);
  if (candidates.length === 0) return `${what} to extension ${exten} which [${ctxName}] does not have`;
  if (hasVariable(label)) return undefined;
  const ok = candidates.some((e) =>
    e.steps.some((s) => (/^\d+$/.test(label) ? s.priority === Number(label) : s.label === label)),
  );
  return ok ? undefined : `${what} to ${ctxName},${exten},${label}: no such priority or label`;
}

export function checkDialplan(files: SourceFile[]): DialplanIssue[] {
  const model = parse(files);
  const issues = [...model.issues];
  if (model.contexts.size === 0)
    issues.push({ file: '(all)', line: 0, message: 'no dialplan context found (no extensions*.conf?)' });
  for (const [name, ctx] of model.contexts) {
    for (const inc of ctx.includes) {
      if (!model.contexts.has(inc.name))
        issues.push({ file: inc.file, line: inc.line, message: `[${name}] includes undefined context [${inc.name}]` });
    }
    for (const e of ctx.extens.values()) {
      for (const step of e.steps) {
        const app = step.app.toLowerCase();
        const report = (message: string | undefined): void => {
          if (message) issues.push({ file: step.file, line: step.line, message });
        };
        if (app === 'goto') report(checkTarget(model, step, step.args, 'Goto'));
        else if (app === 'gosub') report(checkTarget(model, step, splitTop(step.args, '(')[0] ?? '', 'Gosub'));
        else if (app === 'gotoif') {
          const [, branches] = splitTop(step.args, '?', 2);
          if (branches === undefined) report('GotoIf without "?"');
          else
            for (const b of splitTop(branches, ':')) if (b.trim() !== '') report(checkTarget(model, step, b, 'GotoIf'));
        } else if (app === 'queue') {
          const q = (splitTop(step.args, ',')[0] ?? '').trim();
          if (!hasVariable(q) && !model.queues.has(q)) report(`Queue(${q}): no such queue in queues*.conf`);
        }
        for (const m of step.args.matchAll(/Local\/[^@,)]+@([A-Za-z0-9_-]+)/g)) {
          if (!model.contexts.has(m[1]!)) report(`Local channel to undefined context [${m[1]}]`);
        }
      }
    }
  }
  for (const ep of model.endpointContexts) {
    if (!model.contexts.has(ep.context))
      issues.push({
        file: ep.file,
        line: ep.line,
        message: `PJSIP context=${ep.context} is not defined in the dialplan`,
      });
  }
  return issues;
}

export function readConfFiles(dirs: string[]): SourceFile[] {
  const out: SourceFile[] = [];
  for (const dir of dirs) {
    for (const name of readdirSync(dir)
      .filter((n) => n.endsWith('.conf'))
      .sort()) {
      out.push({ name: join(dir, name), text: readFileSync(join(dir, name), 'utf8') });
    }
  }
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dirs = process.argv.length > 2 ? process.argv.slice(2) : ['dialplan', 'config/asterisk'];
  const issues = checkDialplan(readConfFiles(dirs));
  for (const i of issues) process.stderr.write(`${i.file}:${i.line}: ${i.message}\n`);
  if (issues.length > 0) process.exit(1);
  process.stdout.write(`dialplan OK (${dirs.join(', ')})\n`);
}
