import { describe, expect, it } from 'vitest';
import { COMPILE_TIME_PARITY, schemaDifferences } from '../../src/store/schema-parity.ts';

describe('schema parity between SQLite and PostgreSQL', () => {
  it('given both schema folders, when compared table by table and column by column, then there is no difference', () => {
    expect(schemaDifferences()).toEqual([]);
  });

  it('given the compile-time pairs, then they name every table (31 today)', () => {
    expect(Object.keys(COMPILE_TIME_PARITY)).toHaveLength(31);
  });
});
