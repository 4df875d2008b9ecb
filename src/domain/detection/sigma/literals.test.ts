import { describe, expect, it } from 'vitest';
import { LiteralAutomaton } from './literals.js';

/** what the automaton must answer: every literal `includes` finds */
const naive = (literals: string[], text: string) => literals.flatMap((l, i) => (text.includes(l) ? [i] : []));

describe('LiteralAutomaton', () => {
  it('finds every literal a text contains, overlapping and nested ones too', () => {
    const literals = ['he', 'she', 'his', 'hers', 'e', 'shell', '\\cmd.exe', 'cmd'];
    const a = new LiteralAutomaton(literals);
    for (const text of ['ushers', 'c:\\windows\\system32\\cmd.exe', 'powershell -enc', '', 'xyz', 'hishe']) {
      expect(a.find(text), text).toEqual(naive(literals, text));
    }
  });

  it('reports each occurrence, so a caller counting hits sees repeats', () => {
    const a = new LiteralAutomaton(['ab']);
    const hits: number[] = [];
    a.scan('ab ab ab', (id) => hits.push(id));
    expect(hits).toEqual([0, 0, 0]);
  });

  it('takes characters beyond ASCII, and a literal given twice is reported under both ids', () => {
    const literals = ['登录失败', '失败', 'ü', 'ab', 'ab'];
    const a = new LiteralAutomaton(literals);
    expect(a.find('用户登录失败 über ab')).toEqual([0, 1, 2, 3, 4]);
    expect(a.find('登录成功')).toEqual([]);
  });

  it('refuses an empty literal (it would match every text)', () => {
    expect(() => new LiteralAutomaton(['a', ''])).toThrow(/literal 1 is empty/);
  });

  it('agrees with includes on random literals and texts over a small alphabet', () => {
    // a small alphabet makes overlaps, shared prefixes and suffix links common
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const word = (max: number) => Array.from({ length: 1 + rand(max) }, () => 'ab\\.é'[rand(5)]).join('');
    for (let round = 0; round < 200; round++) {
      const literals = Array.from({ length: 1 + rand(30) }, () => word(6));
      const a = new LiteralAutomaton(literals);
      for (let t = 0; t < 20; t++) {
        const text = word(40);
        expect(a.find(text), `${JSON.stringify(literals)} in ${text}`).toEqual(naive(literals, text));
      }
    }
  });
});
