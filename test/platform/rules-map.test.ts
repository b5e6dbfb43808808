import { existsSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * docs/rules.md maps each rule of the hotline to the code that enforces it and the test that proves it. This
 * file parses that table and checks every row against the tree, so a renamed function or test title fails here
 * instead of leaving the map quietly wrong.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HEADER = ['art.', 'rule', 'status', 'enforced by', 'proved by'] as const;
const STATUSES = ['built', 'partly', 'not built'] as const;
type Status = (typeof STATUSES)[number];

interface FileRef {
  path: string;
  /** Function/const/class names (or Class.method) for a source file; test titles for a test file. */
  items: string[];
}

interface RuleRow {
  line: number;
  article: string;
  rule: string;
  status: Status;
  sources: FileRef[];
  tests: FileRef[];
}

type ReadFile = (path: string) => string | undefined;

function cellsOf(line: string): string[] | null {
  const t = line.trim();
  if (!t.startsWith('|') || !t.endsWith('|') || t.length < 2) return null;
  return t
    .slice(1, -1)
    .split('|')
    .map((c) => c.trim());
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** One "enforced by" or "proved by" cell: `path`: `item`; `item`<br>`path`: `item`, or — for none. */
function refsOf(cell: string, where: string, kind: 'source' | 'test', problems: string[]): FileRef[] {
  if (cell === '—' || cell === '') return [];
  const refs: FileRef[] = [];
  for (const part of cell.split(/<br\s*\/?>/)) {
    const spans = [...part.matchAll(/`([^`]*)`/g)].map((m) => m[1] as string);
    const rest = part.replace(/`[^`]*`/g, '');
    if (!/^[\s:;,]*$/.test(rest)) {
      problems.push(`${where}: text outside backticks in the ${kind} cell: ${JSON.stringify(rest.trim())}`);
      continue;
    }
    const [path, ...items] = spans;
    if (path === undefined || !/^[\w.-]+(\/[\w.-]+)+$/.test(path) || path.split('/').includes('..')) {
      problems.push(
        `${where}: a ${kind} entry must start with a file path in backticks, got ${JSON.stringify(part.trim())}`,
      );
      continue;
    }
    if (kind === 'test' && !/^test\/.+\.test\.ts$/.test(path))
      problems.push(`${where}: ${path} is not a test file (test/**/*.test.ts)`);
    if (kind === 'source' && path.startsWith('test/'))
      problems.push(`${where}: ${path} is a test file named as the enforcing code`);
    if (items.length === 0)
      problems.push(`${where}: ${path} names no ${kind === 'source' ? 'function' : 'test title'}`);
    if (kind === 'source' && path.endsWith('.ts')) {
      for (const name of items) {
        const ok = name.split('.').every((p) => IDENTIFIER.test(p)) && name.split('.').length <= 2;
        if (!ok) problems.push(`${where}: ${JSON.stringify(name)} is not a name or Class.method`);
      }
    }
    refs.push({ path, items });
  }
  return refs;
}

/** Finds the table whose header is HEADER and reads its rows; format problems are returned, not thrown. */
function parseRulesTable(markdown: string): { rows: RuleRow[]; problems: string[] } {
  const lines = markdown.split('\n');
  const problems: string[] = [];
  const rows: RuleRow[] = [];
  const head = lines.findIndex((l) => JSON.stringify(cellsOf(l)) === JSON.stringify(HEADER));
  if (head < 0) return { rows, problems: [`no table with the header | ${HEADER.join(' | ')} |`] };
  if (!/^\|(\s*:?-+:?\s*\|)+$/.test(lines[head + 1]?.trim() ?? ''))
    problems.push(`line ${head + 2}: the separator row is missing under the header`);
  for (let i = head + 2; i < lines.length; i++) {
    const cells = cellsOf(lines[i] as string);
    if (cells === null) break;
    const line = i + 1;
    if (cells.length !== HEADER.length) {
      problems.push(`line ${line}: ${cells.length} cells instead of ${HEADER.length} (a | inside a cell?)`);
      continue;
    }
    const [article, rule, statusText, sourceCell, testCell] = cells as [string, string, string, string, string];
    const where = `line ${line} (art. ${article})`;
    if (article === '' || rule === '') problems.push(`${where}: the article and the rule must not be empty`);
    const status = STATUSES.slice()
      .sort((a, b) => b.length - a.length)
      .find((s) => statusText === s || statusText.startsWith(`${s}:`) || statusText.startsWith(`${s} (`));
    if (!status) {
      problems.push(`${where}: status must be built, "partly: …" or "not built: …", got ${JSON.stringify(statusText)}`);
      continue;
    }
    if (status !== 'built' && !statusText.startsWith(`${status}: `))
      problems.push(`${where}: "${status}" must say what is missing after a colon`);
    const sources = refsOf(sourceCell, where, 'source', problems);
    const tests = refsOf(testCell, where, 'test', problems);
    if (status !== 'not built' && sources.length === 0)
      problems.push(`${where}: a ${status} rule names no enforcing code`);
    if (status !== 'not built' && tests.length === 0) problems.push(`${where}: a ${status} rule names no test`);
    rows.push({ line, article, rule, status, sources, tests });
  }
  if (rows.length === 0) problems.push('the rules table has no rows');
  return { rows, problems };
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Does a TypeScript file declare `name`? Plain names: an exported function, const/let or class. `Class.method`:
 * a class of that name with a method declared in its body (a call like `this.method(` does not count). Other
 * files (SQL migrations, JSON config): the name as a whole word.
 */
function declares(text: string, path: string, name: string): boolean {
  const n = escapeRegExp;
  if (!path.endsWith('.ts')) return new RegExp(`(?<![\\w-])${n(name)}(?![\\w-])`).test(text);
  const [cls, method] = name.split('.');
  if (method !== undefined && cls !== undefined) {
    const start = new RegExp(
      `^(?:export\\s+)?(?:default\\s+)?(?:abstract\\s+)?class\\s+${n(cls)}\\b[^\\n]*$`,
      'm',
    ).exec(text);
    if (!start) return false;
    const after = text.slice(start.index + start[0].length);
    const next = /^(?:export\s+)?(?:default\s+)?(?:abstract\s+)?class\s+\w/m.exec(after);
    const body = next ? after.slice(0, next.index) : after;
    const modifiers = '(?:(?:private|protected|public|static|async|override)\\s+)*';
    // The declaration line: `  [modifiers] name(` then end of line, or anything ending in `{`, `(` or `,`.
    return new RegExp(`^[ \\t]+${modifiers}${n(method)}\\s*(?:<[^\\n]*>)?\\((?:[^\\n]*[{(,])?[ \\t]*$`, 'm').test(body);
  }
  return [
    `^export\\s+(?:default\\s+)?(?:async\\s+)?function\\*?\\s+${n(name)}\\b`,
    `^export\\s+(?:const|let)\\s+${n(name)}\\b`,
    `^export\\s+(?:default\\s+)?(?:abstract\\s+)?class\\s+${n(name)}\\b`,
  ].some((re) => new RegExp(re, 'm').test(text));
}

/**
 * Does a test file hold a test or describe block with exactly this title? The title must be the whole string
 * literal given as the first argument of it/test/describe (or of the function it.each(...) returns);
 * it.skip and it.todo do not count.
 */
function hasTitle(text: string, title: string): boolean {
  const callee = '(?:\\b(?:it|test|describe)(?:\\.(?!skip\\b|todo\\b)[A-Za-z]+)*|\\))';
  return new RegExp(`${callee}\\s*\\(\\s*(['"\`])${escapeRegExp(title)}\\1\\s*,`).test(text);
}

/** Every problem of one row against the files: missing files, undeclared names, absent test titles. */
function checkRow(row: RuleRow, read: ReadFile): string[] {
  const problems: string[] = [];
  const where = `line ${row.line} (art. ${row.article})`;
  for (const ref of row.sources) {
    const text = read(ref.path);
    if (text === undefined) {
      problems.push(`${where}: ${ref.path} does not exist`);
      continue;
    }
    for (const name of ref.items)
      if (!declares(text, ref.path, name)) problems.push(`${where}: ${ref.path} does not declare ${name}`);
  }
  for (const ref of row.tests) {
    const text = read(ref.path);
    if (text === undefined) {
      problems.push(`${where}: ${ref.path} does not exist`);
      continue;
    }
    for (const title of ref.items)
      if (!hasTitle(text, title)) problems.push(`${where}: ${ref.path} has no test titled ${JSON.stringify(title)}`);
  }
  return problems;
}

function checkRulesMap(markdown: string, read: ReadFile): { rows: RuleRow[]; problems: string[] } {
  const parsed = parseRulesTable(markdown);
  return { rows: parsed.rows, problems: [...parsed.problems, ...parsed.rows.flatMap((r) => checkRow(r, read))] };
}

const readFromRepo: ReadFile = (path) => {
  const full = ROOT + path;
  return existsSync(full) && statSync(full).isFile() ? readFileSync(full, 'utf8') : undefined;
};

/** The article numbers a cell covers: "3, 8–11" → 3, 8, 9, 10, 11; "26(2)7" → 26. */
function articleNumbers(cell: string): number[] {
  const out: number[] = [];
  for (const token of cell.split(',')) {
    const m = /^\s*(\d+)(?:\s*[–-]\s*(\d+)\b(?!\())?/.exec(token);
    if (!m) continue;
    const from = Number(m[1]);
    const to = m[2] !== undefined ? Number(m[2]) : from;
    for (let a = from; a <= to; a++) out.push(a);
  }
  return out;
}

const tokensOf = (cell: string): string[] => cell.split(',').map((t) => t.trim());

describe('docs/rules.md: article → enforcing code → test', () => {
  const markdown = readFileSync(new URL('../../docs/rules.md', import.meta.url), 'utf8');

  it('given the table in docs/rules.md, when it is checked against the tree, then every named file, function and test title exists', () => {
    // when
    const { rows, problems } = checkRulesMap(markdown, readFromRepo);
    // then
    expect(problems).toEqual([]);
    expect(rows.length).toBeGreaterThanOrEqual(50);
    const built = rows.filter((r) => r.status !== 'not built');
    expect(built.every((r) => r.sources.length > 0 && r.tests.length > 0)).toBe(true);
  });

  it('given the digest of the measures and the national items, when the table is read, then each has a row', () => {
    // given: the articles of ../shared/rules/DIGEST.md, and the clauses the code tells apart
    const articles = [
      2, 3, 5, 8, 9, 10, 11, 14, 15, 17, 18, 19, 20, 21, 22, 23, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34,
    ];
    const clauses = [
      '21(4)',
      '25(1)',
      '25(2)',
      '26(1)',
      '26(2)',
      '26(2)1–5',
      '26(2)6',
      '26(2)7',
      '26(2)8',
      '26(2)9',
      '26(3)',
      '26(4)',
      '27(1)',
      '27(2)',
      '27(3)',
      '29(1)',
      '29(2)',
    ];
    const national = ['GB/T 33358', 'national guidance 2025'];
    // when
    const { rows } = parseRulesTable(markdown);
    const covered = new Set(rows.flatMap((r) => articleNumbers(r.article)));
    const tokens = new Set(rows.flatMap((r) => tokensOf(r.article)));
    // then
    expect(articles.filter((a) => !covered.has(a))).toEqual([]);
    expect([...clauses, ...national].filter((c) => !tokens.has(c))).toEqual([]);
    expect(rows.filter((r) => r.article === 'GB/T 33358').map((r) => r.rule.split(' ')[0])).toEqual([
      'Answer',
      '24-hour',
      'Shallow',
    ]);
  });

  it('given the question "where is art. 26(3)?", when the table is searched, then one row names the return deadline and its tests', () => {
    // when
    const { rows } = parseRulesTable(markdown);
    const hits = rows.filter((r) => tokensOf(r.article).includes('26(3)'));
    // then
    expect(hits).toHaveLength(1);
    const row = hits[0] as RuleRow;
    expect(row.status).toBe('built');
    expect(row.sources).toContainEqual({ path: 'src/domain/work-orders/handling-clock.ts', items: ['returnDeadline'] });
    expect(row.tests.map((t) => t.path)).toContain('test/domain/work-orders/decide.test.ts');
  });
});

describe('the rules-map checker on an in-memory table', () => {
  // given: a tiny tree
  const files: Record<string, string> = {
    'src/clock.ts': [
      'export function returnDeadline(at: number): number {',
      '  return at + signDeadline(at);',
      '}',
      'export const POLICY = { days: 1 };',
      'class Draft {',
      '  private breach(callId: string): void {',
      '    this.prewarn(callId);',
      '  }',
      '  private change(',
      '    at: number,',
      '  ): void {}',
      '}',
      'class Other {',
      '  prewarn(callId: string): void {}',
      '}',
    ].join('\n'),
    'drizzle/0001.sql': 'CREATE TRIGGER `audit_log_no_delete` BEFORE DELETE ON `audit_log` BEGIN SELECT 1; END;',
    'test/clock.test.ts': [
      "describe('return (art. 26(3))', () => {",
      "  it('return is allowed until the end of the next working day', () => {});",
      "  it.skip('a skipped test proves nothing', () => {});",
      '  it.each([[1]])(',
      "    'case %s',",
      '    () => {},',
      '  );',
      '});',
    ].join('\n'),
  };
  const read: ReadFile = (p) => files[p];
  const table = (rows: string[]): string =>
    ['# Rules', '', '| art. | rule | status | enforced by | proved by |', '|---|---|---|---|---|', ...rows, ''].join(
      '\n',
    );

  it('given rows that name what exists, when checked, then there is no problem', () => {
    // given
    const md = table([
      '| 26(3) | return window | built | `src/clock.ts`: `returnDeadline`; `POLICY`; `Draft.breach`; `Draft.change`<br>`drizzle/0001.sql`: `audit_log_no_delete` | `test/clock.test.ts`: `return (art. 26(3))`; `return is allowed until the end of the next working day`; `case %s` |',
      '| 23 | leader rota | not built: issue 10 | — | — |',
    ]);
    // when
    const { rows, problems } = checkRulesMap(md, read);
    // then
    expect(problems).toEqual([]);
    expect(rows.map((r) => [r.line, r.article, r.status])).toEqual([
      [5, '26(3)', 'built'],
      [6, '23', 'not built'],
    ]);
    expect(rows[0]?.sources).toEqual([
      { path: 'src/clock.ts', items: ['returnDeadline', 'POLICY', 'Draft.breach', 'Draft.change'] },
      { path: 'drizzle/0001.sql', items: ['audit_log_no_delete'] },
    ]);
  });

  it('given rows naming a renamed function, a method that is only called, a missing file or a wrong title, when checked, then each is reported', () => {
    // given
    const md = table([
      '| 26(2)7 | renamed | built | `src/clock.ts`: `signDeadline` | `test/clock.test.ts`: `return is allowed until the end` |',
      '| 25(1) | only called | partly: no 15 s rate | `src/clock.ts`: `Draft.prewarn`; `Other.breach` | `test/clock.test.ts`: `a skipped test proves nothing` |',
      '| 27 | gone | built | `src/gone.ts`: `x`<br>`drizzle/0001.sql`: `audit_log_no_update` | `test/gone.test.ts`: `y` |',
    ]);
    // when
    const { problems } = checkRulesMap(md, read);
    // then
    expect(problems).toEqual([
      'line 5 (art. 26(2)7): src/clock.ts does not declare signDeadline',
      'line 5 (art. 26(2)7): test/clock.test.ts has no test titled "return is allowed until the end"',
      'line 6 (art. 25(1)): src/clock.ts does not declare Draft.prewarn',
      'line 6 (art. 25(1)): src/clock.ts does not declare Other.breach',
      'line 6 (art. 25(1)): test/clock.test.ts has no test titled "a skipped test proves nothing"',
      'line 7 (art. 27): src/gone.ts does not exist',
      'line 7 (art. 27): drizzle/0001.sql does not declare audit_log_no_update',
      'line 7 (art. 27): test/gone.test.ts does not exist',
    ]);
  });

  it('given malformed rows, when parsed, then the format problems are reported and nothing passes silently', () => {
    // given
    const md = table([
      '| 25 | no test | built | `src/clock.ts`: `POLICY` | — |',
      '| 28 | bad status | done | — | — |',
      '| 29 | vague | partly | `src/clock.ts`: `POLICY` | `test/clock.test.ts`: `case %s` |',
      '| 30 | unquoted | built | `src/clock.ts`: POLICY | `src/clock.ts`: `returnDeadline` |',
      '| 31 | too | many | cells | here | now |',
    ]);
    // when
    const { problems } = checkRulesMap(md, read);
    // then
    expect(problems).toEqual([
      'line 5 (art. 25): a built rule names no test',
      'line 6 (art. 28): status must be built, "partly: …" or "not built: …", got "done"',
      'line 7 (art. 29): "partly" must say what is missing after a colon',
      'line 8 (art. 30): text outside backticks in the source cell: ": POLICY"',
      'line 8 (art. 30): src/clock.ts is not a test file (test/**/*.test.ts)',
      'line 8 (art. 30): a built rule names no enforcing code',
      'line 9: 6 cells instead of 5 (a | inside a cell?)',
      'line 8 (art. 30): src/clock.ts has no test titled "returnDeadline"',
    ]);
    expect(checkRulesMap('# Rules\n\nNo table here.\n', read).problems).toEqual([
      'no table with the header | art. | rule | status | enforced by | proved by |',
    ]);
  });
});
