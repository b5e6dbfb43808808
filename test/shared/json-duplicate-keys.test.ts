import { describe, expect, it } from 'vitest';
import { duplicateJsonKeys } from './json-duplicate-keys.ts';

describe('duplicateJsonKeys (the check behind the one-key-per-log-line tests)', () => {
  it('given a key repeated in one object, when read, then names it (JSON.parse would hide it)', () => {
    expect(duplicateJsonKeys('{"component":"telephony","level":30,"component":"ami"}')).toEqual(['component']);
    expect(duplicateJsonKeys('{"a":{"b":1,"b":[{"c":1,"c":2}]}}')).toEqual(['a.b', 'a.b.c']);
  });

  it('given the same key in different objects or escaped strings, when read, then finds nothing', () => {
    expect(duplicateJsonKeys('{"a":{"x":1},"b":{"x":"q\\"x\\":"},"c":[{"x":1},{"x":2}],"d":-1.5e3,"e":null}')).toEqual(
      [],
    );
  });

  it('given text that is not JSON, when read, then throws', () => {
    expect(() => duplicateJsonKeys('{"a":1')).toThrow(/not JSON/);
    expect(() => duplicateJsonKeys('{"a":1} x')).toThrow(/trailing/);
  });
});
