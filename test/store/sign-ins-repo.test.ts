// Agents' sign-ins (issue 12): the same answers from SQLite and PostgreSQL.
import { describe, expect, it } from 'vitest';
import { STORE_KINDS, storeFactory } from '../support/stores.ts';

const T0 = Date.UTC(2026, 2, 2, 1, 0, 0);

describe.each(STORE_KINDS)('sign-ins on %s', (kind) => {
  const stores = storeFactory(kind);

  it('keeps each agent once: a change updates the row, keeping when the agent signed in; a sign-out deletes it', async () => {
    // Given an empty store
    const s = await stores.fresh();
    const repo = s.repos.signIns;
    expect(await repo.list()).toEqual([]);
    // When two agents sign in and one of them pauses later
    await repo.write([
      {
        agentId: 'zhang',
        signIn: {
          agentId: 'zhang',
          endpoint: '3001',
          skills: ['mandarin', 'cantonese'],
          status: 'ready',
          pauseReason: null,
          signedInAt: T0,
          updatedAt: T0,
        },
      },
    ]);
    await repo.write([
      {
        agentId: 'li',
        signIn: {
          agentId: 'li',
          endpoint: null,
          skills: ['mandarin'],
          status: 'ready',
          pauseReason: null,
          signedInAt: T0 + 1,
          updatedAt: T0 + 1,
        },
      },
    ]);
    await repo.write([
      {
        agentId: 'zhang',
        signIn: {
          agentId: 'zhang',
          endpoint: '3001',
          skills: ['mandarin', 'cantonese'],
          status: 'paused',
          pauseReason: '午休',
          signedInAt: T0 + 500,
          updatedAt: T0 + 500,
        },
      },
    ]);
    // Then both are listed by id, the pause with its reason and the first sign-in time
    expect(await repo.list()).toEqual([
      {
        agentId: 'li',
        endpoint: null,
        skills: ['mandarin'],
        status: 'ready',
        pauseReason: null,
        signedInAt: T0 + 1,
        updatedAt: T0 + 1,
      },
      {
        agentId: 'zhang',
        endpoint: '3001',
        skills: ['mandarin', 'cantonese'],
        status: 'paused',
        pauseReason: '午休',
        signedInAt: T0,
        updatedAt: T0 + 500,
      },
    ]);
    // And when one signs out, only the other is left
    await repo.write([{ agentId: 'zhang', signIn: null }]);
    expect((await repo.list()).map((r) => r.agentId)).toEqual(['li']);
    // And changes written together apply in their order: signed in again, then out, leaves no row
    const wang = {
      agentId: 'wang',
      endpoint: '3003',
      skills: ['mandarin'],
      status: 'ready',
      pauseReason: null,
      signedInAt: T0 + 900,
      updatedAt: T0 + 900,
    };
    await repo.write([
      { agentId: 'wang', signIn: wang },
      { agentId: 'li', signIn: null },
      { agentId: 'wang', signIn: null },
    ]);
    expect(await repo.list()).toEqual([]);
    await s.close();
  });
});
