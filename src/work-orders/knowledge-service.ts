import { randomUUID } from 'node:crypto';
import { shanghaiDateOf } from '../domain/calendar/civil-date.ts';
import { knowledgeQuestionDeadline } from '../domain/work-orders/handling-clock.ts';
import type { Clock } from '../shared/clock.ts';
import type { AuditRepo } from '../store/audit-repo.ts';
import type { KnowledgeEntry, KnowledgeQuestion, KnowledgeRepo } from '../store/knowledge-repo.ts';
import type { OrganisationRepo } from '../store/organisation-repo.ts';
import type { CalendarService } from './calendar-service.ts';
import { badInput, conflict, notFound, notYours } from './service-error.ts';

export interface KnowledgeActor {
  id: string;
  role: string;
  /** Set for unit handlers: they write only their own unit's entries and answer only its questions. */
  unitId: string | null;
}

export interface EntryInput {
  unitId?: string;
  title: string;
  body: string;
  category?: string | null;
  validFrom?: string;
  validTo?: string | null;
}

/** The knowledge base kept by the units (rules art. 29), with versioned entries and a 3-working-day question clock. */
export class KnowledgeService {
  constructor(
    private readonly repo: KnowledgeRepo,
    private readonly org: OrganisationRepo,
    private readonly audit: AuditRepo,
    private readonly calendar: CalendarService,
    private readonly clock: Clock,
  ) {}

  async create(input: EntryInput, actor: KnowledgeActor): Promise<KnowledgeEntry> {
    const unitId = this.ownerFor(input.unitId, actor);
    if (!(await this.org.get(unitId))) throw badInput('unit-not-found', `unitId: no organisation unit ${unitId}`);
    return this.write(`kb-${randomUUID()}`, unitId, input, actor, 'create');
  }

  async revise(entryKey: string, input: EntryInput, actor: KnowledgeActor): Promise<KnowledgeEntry> {
    const current = await this.repo.current(entryKey);
    if (!current) throw notFound('entry-not-found', `no knowledge entry ${entryKey}`);
    if (actor.unitId !== null && actor.role === 'unit_handler' && current.unitId !== actor.unitId) {
      throw notYours('not-owner', `entry ${entryKey} belongs to unit ${current.unitId}; only that unit may revise it`);
    }
    if (input.unitId !== undefined && input.unitId !== current.unitId)
      throw badInput('owner-fixed', 'unitId: an entry keeps its owning unit');
    return this.write(entryKey, current.unitId, input, actor, 'revise');
  }

  async current(entryKey: string): Promise<KnowledgeEntry> {
    const e = await this.repo.current(entryKey);
    if (!e) throw notFound('entry-not-found', `no knowledge entry ${entryKey}`);
    return e;
  }

  async versions(entryKey: string): Promise<KnowledgeEntry[]> {
    const v = await this.repo.versions(entryKey);
    if (v.length === 0) throw notFound('entry-not-found', `no knowledge entry ${entryKey}`);
    return v;
  }

  /** Searches current versions; by default only entries valid today (Asia/Shanghai). */
  search(q: { query: string; unitId?: string; includeExpired?: boolean; limit?: number }): Promise<KnowledgeEntry[]> {
    const query = q.query.trim();
    if (query === '') throw badInput('empty-query', 'q: the search text is empty');
    return this.repo.search({
      query,
      limit: q.limit ?? 20,
      ...(q.unitId ? { unitId: q.unitId } : {}),
      ...(q.includeExpired ? {} : { validOn: shanghaiDateOf(this.clock.now()) }),
    });
  }

  async ask(unitId: string, question: string, actor: KnowledgeActor): Promise<KnowledgeQuestion> {
    if (!(await this.org.get(unitId))) throw badInput('unit-not-found', `unitId: no organisation unit ${unitId}`);
    const now = this.clock.now();
    const due = knowledgeQuestionDeadline(this.calendar.calendar, now);
    const q = await this.repo.addQuestion({
      unitId,
      question,
      askedBy: actor.id,
      askedAt: now,
      dueAt: due.at,
      dueProvisional: due.provisional,
    });
    if (due.provisional)
      await this.calendar.provisionalDeadline(Number(shanghaiDateOf(due.at).slice(0, 4)), `knowledge question ${q.id}`);
    await this.audit.append({
      entity: 'knowledge_question',
      entityId: String(q.id),
      action: 'ask',
      actorId: actor.id,
      actorRole: actor.role,
      at: now,
      data: { unitId, dueAt: due.at },
    });
    return q;
  }

  async answer(id: number, answer: string, actor: KnowledgeActor, entryKey?: string): Promise<KnowledgeQuestion> {
    const q = await this.repo.getQuestion(id);
    if (!q) throw notFound('question-not-found', `no knowledge question ${id}`);
    if (actor.role === 'unit_handler' && q.unitId !== actor.unitId)
      throw notYours('not-owner', `question ${id} was put to unit ${q.unitId}`);
    if (q.answeredAt !== null) throw conflict('already-answered', `question ${id} was answered already`);
    if (entryKey !== undefined && !(await this.repo.current(entryKey)))
      throw badInput('entry-not-found', `entryKey: no knowledge entry ${entryKey}`);
    const now = this.clock.now();
    const done = await this.repo.answerQuestion(id, {
      answer,
      answeredBy: actor.id,
      answeredAt: now,
      entryKey: entryKey ?? null,
    });
    if (!done) throw conflict('already-answered', `question ${id} was answered already`);
    await this.audit.append({
      entity: 'knowledge_question',
      entityId: String(id),
      action: 'answer',
      actorId: actor.id,
      actorRole: actor.role,
      at: now,
      data: { late: now > q.dueAt },
    });
    return done;
  }

  questions(
    filter: { unitId?: string; open?: boolean; overdue?: boolean },
    actor: KnowledgeActor,
  ): Promise<KnowledgeQuestion[]> {
    const unitId = actor.role === 'unit_handler' ? (actor.unitId ?? '\u0000none') : filter.unitId;
    return this.repo.listQuestions({
      ...(unitId !== undefined ? { unitId } : {}),
      ...(filter.open !== undefined ? { open: filter.open } : {}),
      ...(filter.overdue ? { overdueAt: this.clock.now() } : {}),
    });
  }

  private ownerFor(requested: string | undefined, actor: KnowledgeActor): string {
    if (actor.role === 'unit_handler') {
      if (!actor.unitId) throw notYours('no-unit', 'your account belongs to no unit');
      if (requested !== undefined && requested !== actor.unitId)
        throw notYours('not-owner', `you may write entries of unit ${actor.unitId} only`);
      return actor.unitId;
    }
    if (requested === undefined) throw badInput('unit-required', 'body is missing the required field "unitId"');
    return requested;
  }

  private async write(
    entryKey: string,
    unitId: string,
    input: EntryInput,
    actor: KnowledgeActor,
    action: string,
  ): Promise<KnowledgeEntry> {
    const now = this.clock.now();
    const validFrom = input.validFrom ?? shanghaiDateOf(now);
    if (input.validTo && input.validTo < validFrom)
      throw badInput('invalid-validity', `validTo (${input.validTo}) is before validFrom (${validFrom})`);
    const e = await this.repo.addVersion(
      {
        entryKey,
        unitId,
        title: input.title,
        body: input.body,
        category: input.category ?? null,
        validFrom,
        validTo: input.validTo ?? null,
        createdBy: actor.id,
      },
      now,
    );
    await this.audit.append({
      entity: 'knowledge_entry',
      entityId: entryKey,
      action,
      actorId: actor.id,
      actorRole: actor.role,
      at: now,
      data: { version: e.version, unitId },
    });
    return e;
  }
}
