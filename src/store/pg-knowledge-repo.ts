import type pg from 'pg';
import {
  bigramText,
  searchTerms,
  type KnowledgeEntry,
  type KnowledgeQuestion,
  type KnowledgeRepo,
  type KnowledgeSearch,
  type NewKnowledgeVersion,
} from './knowledge-repo.ts';
import { changed, inTransaction, one, rows } from './pg-store.ts';

type Row = Record<string, unknown>;

const toEntry = (r: Row): KnowledgeEntry => ({
  id: r['id'] as number,
  entryKey: r['entry_key'] as string,
  version: r['version'] as number,
  unitId: r['unit_id'] as string,
  title: r['title'] as string,
  body: r['body'] as string,
  category: r['category'] as string | null,
  validFrom: r['valid_from'] as string,
  validTo: r['valid_to'] as string | null,
  current: r['current'] as boolean,
  createdAt: r['created_at'] as number,
  createdBy: r['created_by'] as string,
});

const toQuestion = (r: Row): KnowledgeQuestion => ({
  id: r['id'] as number,
  unitId: r['unit_id'] as string,
  question: r['question'] as string,
  askedBy: r['asked_by'] as string,
  askedAt: r['asked_at'] as number,
  dueAt: r['due_at'] as number,
  dueProvisional: r['due_provisional'] as boolean,
  answer: r['answer'] as string | null,
  answeredBy: r['answered_by'] as string | null,
  answeredAt: r['answered_at'] as number | null,
  entryKey: r['entry_key'] as string | null,
});

/** Every letter or digit (for 1-character terms) and every overlapping pair of them (for longer terms). */
export function searchGrams(text: string): string[] {
  const singles = (text.toLowerCase().match(/[\p{L}\p{N}]/gu) ?? []) as string[];
  const pairs = bigramText(text).split(' ').filter(Boolean);
  return [...new Set([...singles, ...pairs])];
}

/** The grams an entry must hold to contain `term`: the term itself when 1 character long, else its pairs. */
function requiredGrams(term: string): string[] {
  const lower = term.toLowerCase();
  if ([...lower].length === 1) return /[\p{L}\p{N}]/u.test(lower) ? [lower] : [];
  return bigramText(lower).split(' ').filter(Boolean);
}

/**
 * The knowledge base on PostgreSQL. Search uses the gram index of drizzle-pg/0001 (a GIN index over each
 * current entry's characters and character pairs), so 1- and 2-character Chinese terms are found through an
 * index like longer ones; a substring check on the lower-cased text confirms each term as written.
 */
export class PgKnowledgeRepo implements KnowledgeRepo {
  constructor(private readonly pool: pg.Pool) {}

  async addVersion(v: NewKnowledgeVersion, now: number): Promise<KnowledgeEntry> {
    const row = await inTransaction(this.pool, async (c) => {
      // Two editors of the same entry take turns, so versions stay 1, 2, 3… without a unique-key failure.
      await c.query('select pg_advisory_xact_lock(hashtext($1))', [`knowledge:${v.entryKey}`]);
      const max = await one<{ v: number | null }>(
        c,
        'select max(version) as v from knowledge_entries where entry_key = $1',
        [v.entryKey],
      );
      const old = await rows<{ id: number }>(
        c,
        'update knowledge_entries set current = false where entry_key = $1 and current returning id',
        [v.entryKey],
      );
      if (old.length > 0) await c.query('delete from knowledge_grams where entry_id = any($1)', [old.map((o) => o.id)]);
      const inserted = await one<Row>(
        c,
        `insert into knowledge_entries (entry_key, version, unit_id, title, body, category, valid_from, valid_to, current, created_at, created_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, true, $9, $10) returning *`,
        [
          v.entryKey,
          (max?.v ?? 0) + 1,
          v.unitId,
          v.title,
          v.body,
          v.category ?? null,
          v.validFrom,
          v.validTo ?? null,
          now,
          v.createdBy,
        ],
      );
      const text = `${v.title} ${v.body}`;
      await c.query('insert into knowledge_grams (entry_id, grams, content) values ($1, $2, $3)', [
        inserted!['id'],
        searchGrams(text),
        text.toLowerCase(),
      ]);
      return inserted!;
    });
    return toEntry(row);
  }

  async current(entryKey: string): Promise<KnowledgeEntry | null> {
    const r = await one<Row>(this.pool, 'select * from knowledge_entries where entry_key = $1 and current', [entryKey]);
    return r ? toEntry(r) : null;
  }

  async versions(entryKey: string): Promise<KnowledgeEntry[]> {
    return (
      await rows<Row>(this.pool, 'select * from knowledge_entries where entry_key = $1 order by version', [entryKey])
    ).map(toEntry);
  }

  async search(q: KnowledgeSearch): Promise<KnowledgeEntry[]> {
    const terms = searchTerms(q.query);
    if (terms.length === 0) return [];
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const grams = [...new Set(terms.flatMap(requiredGrams))];
    const where = ['e.current'];
    if (grams.length > 0) where.push(`g.grams @> ${p(grams)}::text[]`);
    for (const t of terms) where.push(`strpos(g.content, ${p(t.toLowerCase())}) > 0`);
    if (q.validOn) {
      const d = p(q.validOn);
      where.push(`e.valid_from <= ${d} and (e.valid_to is null or e.valid_to >= ${d})`);
    }
    if (q.unitId) where.push(`e.unit_id = ${p(q.unitId)}`);
    const sqlText = `select e.* from knowledge_grams g join knowledge_entries e on e.id = g.entry_id
      where ${where.join(' and ')} order by e.id desc limit ${p(q.limit)}`;
    return (await rows<Row>(this.pool, sqlText, params)).map(toEntry);
  }

  async addQuestion(
    q: Omit<KnowledgeQuestion, 'id' | 'answer' | 'answeredBy' | 'answeredAt' | 'entryKey'>,
  ): Promise<KnowledgeQuestion> {
    const r = await one<Row>(
      this.pool,
      `insert into knowledge_questions (unit_id, question, asked_by, asked_at, due_at, due_provisional)
       values ($1, $2, $3, $4, $5, $6) returning *`,
      [q.unitId, q.question, q.askedBy, q.askedAt, q.dueAt, q.dueProvisional],
    );
    return toQuestion(r!);
  }

  async getQuestion(id: number): Promise<KnowledgeQuestion | null> {
    const r = await one<Row>(this.pool, 'select * from knowledge_questions where id = $1', [id]);
    return r ? toQuestion(r) : null;
  }

  async answerQuestion(
    id: number,
    a: { answer: string; answeredBy: string; answeredAt: number; entryKey?: string | null },
  ): Promise<KnowledgeQuestion | null> {
    const n = await changed(
      this.pool,
      'update knowledge_questions set answer = $1, answered_by = $2, answered_at = $3, entry_key = $4 where id = $5 and answered_at is null',
      [a.answer, a.answeredBy, a.answeredAt, a.entryKey ?? null, id],
    );
    return n === 0 ? null : this.getQuestion(id);
  }

  async listQuestions(filter: { unitId?: string; open?: boolean; overdueAt?: number }): Promise<KnowledgeQuestion[]> {
    const where: string[] = ['true'];
    const params: unknown[] = [];
    if (filter.unitId) {
      params.push(filter.unitId);
      where.push(`unit_id = $${params.length}`);
    }
    if (filter.open === true) where.push('answered_at is null');
    if (filter.open === false) where.push('answered_at is not null');
    if (filter.overdueAt !== undefined) {
      params.push(filter.overdueAt);
      where.push(`answered_at is null and due_at < $${params.length}`);
    }
    return (
      await rows<Row>(
        this.pool,
        `select * from knowledge_questions where ${where.join(' and ')} order by id limit 500`,
        params,
      )
    ).map(toQuestion);
  }
}
