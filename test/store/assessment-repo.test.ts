// The assessment repository's contract on both stores (issue 12; rules art. 30–33): weights per cycle, manual
// scores, publications frozen by the database, republication as a new version.
import { describe, expect, it } from 'vitest';
import { DEFAULT_WEIGHTS } from '../../src/domain/work-orders/assessment-score.ts';
import type { NewPublication } from '../../src/store/assessment-repo.ts';
import type { AuditEntry } from '../../src/store/audit-repo.ts';
import { STORE_KINDS, storeFactory } from '../support/stores.ts';

const NOW = Date.UTC(2026, 1, 2, 2, 0, 0);
const audit = (entity: string, entityId: string): AuditEntry => ({
  entity,
  entityId,
  action: 'set',
  actorId: 'sup-1',
  actorRole: 'supervisor',
  at: NOW,
});
const publication = (version: number, note: string | null = null): NewPublication => ({
  month: '2026-01',
  cycle: 2026,
  version,
  publishedAt: NOW + version,
  publishedBy: 'sup-1',
  note,
  appealId: version > 1 ? 3 : null,
  weights: DEFAULT_WEIGHTS,
  inputs: { contributions: [], knowledge: [], manual: [], excluded: [] },
  results: [],
});

describe.each(STORE_KINDS)('assessment repository on %s', (kind) => {
  const stores = storeFactory(kind);

  it('given weights set twice for a cycle, when read, then the last ones with who set them, each change audited', async () => {
    const s = await stores.fresh();
    const a = s.repos.assessment;
    expect(await a.weights(2026)).toBeNull();
    await a.setWeights(2026, DEFAULT_WEIGHTS, 'sup-1', NOW, audit('assessment_weights', '2026'));
    const changed = {
      ...DEFAULT_WEIGHTS,
      ledgers: DEFAULT_WEIGHTS.ledgers + 1,
      testCalls: DEFAULT_WEIGHTS.testCalls - 1,
    };
    await a.setWeights(2026, changed, 'sup-2', NOW + 1, audit('assessment_weights', '2026'));
    expect(await a.weights(2026)).toEqual({ weights: changed, setBy: 'sup-2', setAt: NOW + 1 });
    expect(await a.weights(2027)).toBeNull();
    expect(await s.repos.audit.listFor('assessment_weights', '2026')).toHaveLength(2);
  });

  it('given manual scores, when one is entered again, then it replaces the first and the month lists them by unit and item', async () => {
    const s = await stores.fresh();
    const a = s.repos.assessment;
    const score = (unitId: string, item: 'ledgers' | 'testCalls', points: number) => ({
      unitId,
      item,
      points,
      evidence: '抽查记录',
      enteredBy: 'sup-1',
      enteredAt: NOW,
    });
    await a.setManualScore('2026-01', score('u2', 'ledgers', 4.5), audit('assessment_manual_score', 'x'));
    await a.setManualScore('2026-01', score('u1', 'testCalls', 3), audit('assessment_manual_score', 'x'));
    await a.setManualScore('2026-01', score('u1', 'ledgers', 2.25), audit('assessment_manual_score', 'x'));
    await a.setManualScore('2026-01', score('u1', 'ledgers', 5), audit('assessment_manual_score', 'x'));
    const list = await a.manualScores('2026-01');
    expect(list.map((m) => [m.unitId, m.item, m.points])).toEqual([
      ['u1', 'ledgers', 5],
      ['u1', 'testCalls', 3],
      ['u2', 'ledgers', 4.5],
    ]);
    expect(await a.manualScores('2026-02')).toEqual([]);
  });

  it('given a published month, when the same version is published again, then conflict; an appeal adds version 2 and the newest is read', async () => {
    const s = await stores.fresh();
    const a = s.repos.assessment;
    const v1 = await a.publish(publication(1), audit('assessment_publication', '2026-01'));
    expect(v1).toMatchObject({ month: '2026-01', version: 1 });
    expect(await a.publish(publication(1), audit('assessment_publication', '2026-01'))).toBe('conflict');
    await a.publish(publication(2, '根据申诉 #3 重新计算'), audit('assessment_publication', '2026-01'));
    expect(await a.publication('2026-01')).toMatchObject({ version: 2, note: '根据申诉 #3 重新计算', appealId: 3 });
    expect(await a.publication('2026-01', 1)).toMatchObject({ version: 1, note: null, weights: DEFAULT_WEIGHTS });
    expect(await a.publication('2026-02')).toBeNull();
    expect((await a.publications(2026)).map((p) => p.version)).toEqual([1, 2]);
    expect(await s.repos.audit.listFor('assessment_publication', '2026-01')).toHaveLength(2);
  });

  it('given a publication, when anyone edits or deletes it in the database, then the database refuses', async () => {
    const s = await stores.fresh();
    await s.repos.assessment.publish(publication(1), audit('assessment_publication', '2026-01'));
    await expect(s.exec("update assessment_publications set results = '[]'")).rejects.toThrow(/append-only/);
    await expect(s.exec('delete from assessment_publications')).rejects.toThrow(/append-only/);
    expect(await s.repos.assessment.publication('2026-01')).toMatchObject({ version: 1 });
  });
});
