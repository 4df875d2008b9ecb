import { describe, expect, it } from 'vitest';
import { requiredLiterals } from './regex-literals.js';

describe('the literals a regular expression requires', () => {
  it('reads them from SigmaHQ-style expressions', () => {
    expect(requiredLiterals('\\w+`(?:\\w+|-|.)`[\\w+|\\s]', '')).toEqual(['`']);
    expect(requiredLiterals('(Copy-Item|cpi) .{2,128} -Destination .{1,32}\\\\Windows\\\\(System32|SysWOW64)', 'i')).toEqual([' -destination ']);
    expect(requiredLiterals('ab|cd', '')).toEqual(['ab', 'cd']);
    expect(requiredLiterals('(?:foo|bar)bazooka', '')).toEqual(['bazooka']);
    expect(requiredLiterals('power.?shell', '')).toEqual(['power']);
    expect(requiredLiterals('x{2,}', '')).toEqual(['x']);
    expect(requiredLiterals('\\\\AppData\\\\Local\\\\Temp\\\\dat[0-9A-Z]{4}\\.tmp', '')).toEqual(['\\appdata\\local\\temp\\dat']);
  });

  it('requires nothing where a match need not contain a known literal', () => {
    for (const source of ['a*', '.*', '^$', '[abc]+', '\\d{3}', '(?=abc)', 'a|.', 'é+', '(?:ab)?', '']) expect(requiredLiterals(source, ''), source).toBeUndefined();
    expect(requiredLiterals('(', '')).toBeUndefined(); // not an expression at all
    expect(requiredLiterals('abc', 'u')).toBeUndefined(); // Unicode mode folds case otherwise
  });

  it('never misses: whenever a random expression matches, the text holds one of its literals', () => {
    let seed = 99;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const pieces = ['a', 'b', 'ab', 'K', '\\.', '.', '[ab]', '\\w', '\\s', '(?:a|bc)', '(ba|b)', 'a?', 'b*', 'c+', 'x{1,2}', '^', '$', '\\b', '|', '(?=a)', 'ſ', 'İ'];
    let checked = 0;
    for (let round = 0; round < 3000; round++) {
      const source = Array.from({ length: 1 + rand(6) }, () => pieces[rand(pieces.length)]).join('');
      const flags = rand(2) ? 'i' : '';
      let re: RegExp;
      try {
        re = new RegExp(source, flags);
      } catch {
        continue;
      }
      const literals = requiredLiterals(source, flags);
      if (!literals) continue;
      for (let t = 0; t < 30; t++) {
        const text = Array.from({ length: rand(12) }, () => 'abcABCKkſSsİi. x'[rand(16)]).join('');
        if (re.test(text)) {
          checked++;
          expect(literals.some((l) => text.toLowerCase().includes(l)), `/${source}/${flags} on ${JSON.stringify(text)} needs one of ${JSON.stringify(literals)}`).toBe(true);
        }
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });
});
