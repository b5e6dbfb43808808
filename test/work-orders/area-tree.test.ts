import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AreaConfigError, loadAreaTree, validateAreas } from '../../src/work-orders/area-tree.ts';
import { tempDir } from '../platform/helpers.ts';

describe('the area tree of config/areas.json (issue 9: region → city → county/district)', () => {
  it('given the shipped file, then it loads with three levels and paths', () => {
    const tree = loadAreaTree();
    expect(tree.get('450103')).toEqual({
      code: '450103',
      name: '青秀区',
      level: 3,
      path: ['广西壮族自治区', '南宁市', '青秀区'],
    });
    expect(tree.get('450100')?.level).toBe(2);
    expect(tree.codeByName('南宁市')).toBe('450100');
  });

  it('given a bad file, then every problem is named', () => {
    const { problems } = validateAreas({
      areas: [
        {
          code: '45',
          name: '',
          children: [{ code: '450100', name: '南宁市', children: [{ code: '450102', name: '兴宁区', children: [] }] }],
        },
        { code: '450100', name: '重复', extra: 1 },
      ],
    });
    expect(problems).toEqual([
      'areas[0].code must be a 6-digit code',
      'areas[0].name must be 1 to 40 characters',
      'areas[0].children[0].children[0]: a county/district (level 3) has no children',
      'areas[1].extra is not a known key',
      'areas[1].code 450100 is used twice',
    ]);
    const { dir, cleanup } = tempDir('areas-');
    try {
      const file = join(dir, 'areas.json');
      writeFileSync(file, '{"areas": [}');
      expect(() => loadAreaTree(file)).toThrow(AreaConfigError);
      writeFileSync(file, '{"areas": []}');
      expect(() => loadAreaTree(file)).toThrow(/areas must list at least one region/);
    } finally {
      cleanup();
    }
  });
});
