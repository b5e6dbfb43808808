import type Database from 'better-sqlite3';

export interface KnowledgeEntry {
  id: number;
  entryKey: string;
  version: number;
  unitId: string;
  title: string;
  body: string;
  category: string | null;
  validFrom: string;
  validTo: string | null;
  current: boolean;
  createdAt: number;
  createdBy: string;
}

export interface NewKnowledgeVersion {
  entryKey: string;
  unitId: string;
  title: string;
  body: string;
  category?: string | null;
  validFrom: string;
  validTo?: string | null;
  createdBy: string;
}

export interface KnowledgeSearch {
  query: string;
  /** YYYY-MM-DD; when set only entries valid on that day are returned. */
  validOn?: string;
  unitId?: string;
  limit: number;
}

export interface KnowledgeQuestion {
  id: number;
  unitId: string;
  question: string;
  askedBy: string;
  askedAt: number;
  dueAt: number;
  dueProvisional: boolean;
  answer: string | null;
  answeredBy: string | null;
  answeredAt: number | null;
  entryKey: string | null;
}

/**
 * The knowledge base store (rules art. 29). Full-text search is the one SQLite-specific part
 * (FTS5 trigram) and stays behind this interface.
 */
export interface KnowledgeRepo {
  /** Adds version n+1 of the entry (version 1 when new) and makes it the current one. */
  addVersion(v: NewKnowledgeVersion, now: number): Promise<KnowledgeEntry>;
  current(entryKey: string): Promise<KnowledgeEntry | null>;
  versions(entryKey: string): Promise<KnowledgeEntry[]>;
  search(q: KnowledgeSearch): Promise<KnowledgeEntry[]>;
  addQuestion(
    q: Omit<KnowledgeQuestion, 'id' | 'answer' | 'answeredBy' | 'answeredAt' | 'entryKey'>,
  ): Promise<KnowledgeQuestion>;
  getQuestion(id: number): Promise<KnowledgeQuestion | null>;
  answerQuestion(
    id: number,
    answer: { answer: string; answeredBy: string; answeredAt: number; entryKey?: string | null },
  ): Promise<KnowledgeQuestion | null>;
  listQuestions(filter: { unitId?: string; open?: boolean; overdueAt?: number }): Promise<KnowledgeQuestion[]>;
}

type EntryRow = {
  id: number;
  entry_key: string;
  version: number;
  unit_id: string;
  title: string;
  body: string;
  category: string | null;
  valid_from: string;
  valid_to: string | null;
  current: number;
  created_at: number;
  created_by: string;
};

type QuestionRow = {
  id: number;
  unit_id: string;
  question: string;
  asked_by: string;
  asked_at: number;
  due_at: number;
  due_provisional: number;
  answer: string | null;
  answered_by: string | null;
  answered_at: number | null;
  entry_key: string | null;
};

const toEntry = (r: EntryRow): KnowledgeEntry => ({
  id: r.id,
  entryKey: r.entry_key,
  version: r.version,
  unitId: r.unit_id,
  title: r.title,
  body: r.body,
  category: r.category,
  validFrom: r.valid_from,
  validTo: r.valid_to,
  current: r.current === 1,
  createdAt: r.created_at,
  createdBy: r.created_by,
});

const toQuestion = (r: QuestionRow): KnowledgeQuestion => ({
  id: r.id,
  unitId: r.unit_id,
  question: r.question,
  askedBy: r.asked_by,
  askedAt: r.asked_at,
  dueAt: r.due_at,
  dueProvisional: r.due_provisional === 1,
  answer: r.answer,
  answeredBy: r.answered_by,
  answeredAt: r.answered_at,
  entryKey: r.entry_key,
});

/** The trigram tokenizer needs at least 3 characters per term; 2-character terms use the bigram table, 1 LIKE. */
const TRIGRAM_MIN = 3;

/**
 * Every overlapping pair of letters or digits in the text, separated by spaces: "居住证" → "居住 住证". Stored in
 * `knowledge_bigram`, where the unicode61 tokenizer keeps each pair as one token, so a 2-character Chinese
 * word is found through an index.
 */
export function bigramText(text: string): string {
  const out: string[] = [];
  for (const run of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    const chars = [...run];
    for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
  }
  return out.join(' ');
}

/** Splits a user's query into terms: whitespace-separated, FTS5 operators neutralised by quoting. */
export function searchTerms(query: string): string[] {
  return query
    .split(/[\s\u3000]+/u)
    .map((t) => t.trim())
    .filter((t) => t.length > 0)
    .slice(0, 8);
}

function likePattern(term: string): string {
  return '%' + term.replace(/[\\%_]/g, (c) => '\\' + c) + '%';
}

export class SqliteKnowledgeRepo implements KnowledgeRepo {
  private readonly stmt;

  constructor(private readonly sqlite: Database.Database) {
    this.stmt = {
      currentByKey: sqlite.prepare<[string], EntryRow>(
        'select * from knowledge_entries where entry_key = ? and current = 1',
      ),
      maxVersion: sqlite.prepare<[string], { v: number | null }>(
        'select max(version) as v from knowledge_entries where entry_key = ?',
      ),
      retire: sqlite.prepare<[string]>('update knowledge_entries set current = 0 where entry_key = ? and current = 1'),
      bigramDel: sqlite.prepare<[number]>('delete from knowledge_bigram where rowid = ?'),
      bigramIns: sqlite.prepare<[number, string]>('insert into knowledge_bigram (rowid, grams) values (?, ?)'),
      insert: sqlite.prepare(
        `insert into knowledge_entries (entry_key, version, unit_id, title, body, category, valid_from, valid_to, current, created_at, created_by)
         values (@entryKey, @version, @unitId, @title, @body, @category, @validFrom, @validTo, 1, @createdAt, @createdBy)`,
      ),
      byId: sqlite.prepare<[number], EntryRow>('select * from knowledge_entries where id = ?'),
      versions: sqlite.prepare<[string], EntryRow>(
        'select * from knowledge_entries where entry_key = ? order by version',
      ),
      insertQuestion: sqlite.prepare(
        `insert into knowledge_questions (unit_id, question, asked_by, asked_at, due_at, due_provisional)
         values (@unitId, @question, @askedBy, @askedAt, @dueAt, @dueProvisional)`,
      ),
      question: sqlite.prepare<[number], QuestionRow>('select * from knowledge_questions where id = ?'),
      answer: sqlite.prepare(
        'update knowledge_questions set answer = @answer, answered_by = @answeredBy, answered_at = @answeredAt, entry_key = @entryKey where id = @id and answered_at is null',
      ),
    };
  }

  async addVersion(v: NewKnowledgeVersion, now: number): Promise<KnowledgeEntry> {
    const id = this.sqlite.transaction(() => {
      const version = (this.stmt.maxVersion.get(v.entryKey)?.v ?? 0) + 1;
      const old = this.stmt.currentByKey.get(v.entryKey);
      if (old) this.stmt.bigramDel.run(old.id);
      this.stmt.retire.run(v.entryKey);
      const id = this.stmt.insert.run({
        entryKey: v.entryKey,
        version,
        unitId: v.unitId,
        title: v.title,
        body: v.body,
        category: v.category ?? null,
        validFrom: v.validFrom,
        validTo: v.validTo ?? null,
        createdAt: now,
        createdBy: v.createdBy,
      }).lastInsertRowid;
      this.stmt.bigramIns.run(Number(id), bigramText(`${v.title} ${v.body}`));
      return id;
    })();
    return toEntry(this.stmt.byId.get(Number(id))!);
  }

  async current(entryKey: string): Promise<KnowledgeEntry | null> {
    const r = this.stmt.currentByKey.get(entryKey);
    return r ? toEntry(r) : null;
  }

  async versions(entryKey: string): Promise<KnowledgeEntry[]> {
    return this.stmt.versions.all(entryKey).map(toEntry);
  }

  async search(q: KnowledgeSearch): Promise<KnowledgeEntry[]> {
    return this.searchSync(q);
  }

  /** Synchronous search, exposed for the benchmark. */
  searchSync(q: KnowledgeSearch): KnowledgeEntry[] {
    const terms = searchTerms(q.query);
    if (terms.length === 0) return [];
    const len = (t: string) => [...t].length;
    const long = terms.filter((t) => len(t) >= TRIGRAM_MIN);
    const pairs = terms.filter((t) => len(t) === 2);
    const single = terms.filter((t) => len(t) === 1);
    const phrase = (ts: string[]) => ts.map((t) => '"' + t.toLowerCase().replace(/"/g, '""') + '"').join(' AND ');
    const where: string[] = ['e.current = 1'];
    const params: unknown[] = [];
    // Driven by an FTS index in rowid order (newest first), so LIMIT stops the scan early even for common terms.
    let from: string;
    let order: string;
    if (long.length > 0) {
      from = 'knowledge_fts f join knowledge_entries e on e.id = f.rowid';
      where.push('knowledge_fts match ?');
      params.push(phrase(long));
      order = 'f.rowid desc';
      if (pairs.length > 0) {
        where.push('e.id in (select rowid from knowledge_bigram where knowledge_bigram match ?)');
        params.push(phrase(pairs));
      }
    } else if (pairs.length > 0) {
      from = 'knowledge_bigram b join knowledge_entries e on e.id = b.rowid';
      where.push('knowledge_bigram match ?');
      params.push(phrase(pairs));
      order = 'b.rowid desc';
    } else {
      from = 'knowledge_entries e';
      order = 'e.id desc';
    }
    for (const t of single) {
      where.push("(e.title like ? escape '\\' or e.body like ? escape '\\')");
      params.push(likePattern(t), likePattern(t));
    }
    if (q.validOn) {
      where.push('e.valid_from <= ? and (e.valid_to is null or e.valid_to >= ?)');
      params.push(q.validOn, q.validOn);
    }
    if (q.unitId) {
      where.push('e.unit_id = ?');
      params.push(q.unitId);
    }
    params.push(q.limit);
    const sqlText = `select e.* from ${from} where ${where.join(' and ')} order by ${order} limit ?`;
    return (this.sqlite.prepare(sqlText).all(...params) as EntryRow[]).map(toEntry);
  }

  async addQuestion(
    q: Omit<KnowledgeQuestion, 'id' | 'answer' | 'answeredBy' | 'answeredAt' | 'entryKey'>,
  ): Promise<KnowledgeQuestion> {
    const id = this.stmt.insertQuestion.run({ ...q, dueProvisional: q.dueProvisional ? 1 : 0 }).lastInsertRowid;
    return toQuestion(this.stmt.question.get(Number(id))!);
  }

  async getQuestion(id: number): Promise<KnowledgeQuestion | null> {
    const r = this.stmt.question.get(id);
    return r ? toQuestion(r) : null;
  }

  async answerQuestion(
    id: number,
    a: { answer: string; answeredBy: string; answeredAt: number; entryKey?: string | null },
  ): Promise<KnowledgeQuestion | null> {
    const changed = this.stmt.answer.run({
      id,
      answer: a.answer,
      answeredBy: a.answeredBy,
      answeredAt: a.answeredAt,
      entryKey: a.entryKey ?? null,
    }).changes;
    if (changed === 0) return null;
    return this.getQuestion(id);
  }

  async listQuestions(filter: { unitId?: string; open?: boolean; overdueAt?: number }): Promise<KnowledgeQuestion[]> {
    const where: string[] = ['1 = 1'];
    const params: unknown[] = [];
    if (filter.unitId) {
      where.push('unit_id = ?');
      params.push(filter.unitId);
    }
    if (filter.open === true) where.push('answered_at is null');
    if (filter.open === false) where.push('answered_at is not null');
    if (filter.overdueAt !== undefined) {
      where.push('answered_at is null and due_at < ?');
      params.push(filter.overdueAt);
    }
    return (
      this.sqlite
        .prepare(`select * from knowledge_questions where ${where.join(' and ')} order by id limit 500`)
        .all(...params) as QuestionRow[]
    ).map(toQuestion);
  }
}
