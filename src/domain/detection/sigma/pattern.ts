/**
 * Sigma string values as patterns: wildcards (`*`, `?`) with the spec's backslash escapes,
 * the windash character class, and their compilation into one test per value — plain string
 * operations where the pattern allows, a RegExp otherwise. Case-insensitive unless `cased`:
 * the test gets the event value already lower-cased (once per event and field, not per rule).
 */

/** A literal run of characters, a wildcard, or a class of interchangeable characters. */
export type Part = { lit: string } | { any: true } | { one: true } | { anyOf: string[] };

const ANY: Part = { any: true };

/**
 * Parses a Sigma string: `*` and `?` are wildcards; a backslash escapes `*`, `?` and itself and
 * is a plain character before anything else (so `C:\Windows\*` is "C:\Windows\" + wildcard).
 */
export function parseSigmaString(text: string): Part[] {
  const parts: Part[] = [];
  let lit = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\') {
      const next = text[i + 1];
      if (next === '*' || next === '?' || next === '\\') {
        lit += next;
        i++;
      } else lit += c;
    } else if (c === '*' || c === '?') {
      if (lit) parts.push({ lit });
      lit = '';
      parts.push(c === '*' ? ANY : { one: true });
    } else lit += c;
  }
  if (lit) parts.push({ lit });
  return parts;
}

export function literal(text: string): Part[] {
  return text ? [{ lit: text }] : [];
}

export function withPosition(parts: Part[], position: 'contains' | 'startswith' | 'endswith'): Part[] {
  const out = [...parts];
  if (position !== 'startswith' && !('any' in (out[0] ?? {}))) out.unshift(ANY);
  if (position !== 'endswith' && !('any' in (out[out.length - 1] ?? {}))) out.push(ANY);
  return out;
}

/** `-` and `/` (and the dashes Windows also accepts) are interchangeable as command-line flag characters. */
export const WINDASH = ['-', '/', '\u2013', '\u2014', '\u2015'];

/**
 * windash: a `-` or `/` that starts a flag (after a non-word character or at the start, before
 * a word character — pySigma's `\B[-/]\b`) may be any of the WINDASH characters.
 */
export function windash(parts: Part[]): Part[] {
  const out: Part[] = [];
  const isWord = (c: string | undefined) => c !== undefined && /\w/.test(c);
  for (let p = 0; p < parts.length; p++) {
    const part = parts[p]!;
    if (!('lit' in part)) {
      out.push(part);
      continue;
    }
    const s = part.lit;
    let run = '';
    for (let i = 0; i < s.length; i++) {
      const c = s[i]!;
      // the neighbour across a part boundary is unknown text (a wildcard) or nothing
      const before = i > 0 ? s[i - 1] : undefined;
      const after = i + 1 < s.length ? s[i + 1] : undefined;
      if ((c === '-' || c === '/') && !isWord(before) && isWord(after)) {
        if (run) out.push({ lit: run });
        run = '';
        out.push({ anyOf: WINDASH });
      } else run += c;
    }
    if (run) out.push({ lit: run });
  }
  return out;
}

export function hasWildcards(parts: Part[]): boolean {
  return parts.some((p) => !('lit' in p));
}

export function partsText(parts: Part[]): string {
  return parts.map((p) => ('lit' in p ? p.lit : 'any' in p ? '*' : 'one' in p ? '?' : `[${p.anyOf.join('')}]`)).join('');
}

/** A test of one string value; `lower` is `value.toLowerCase()`, computed once by the caller. */
export type StringTest = (value: string, lower: string) => boolean;

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

export function compilePattern(parts: Part[], cased: boolean): StringTest {
  const norm = (s: string) => (cased ? s : s.toLowerCase());
  const lits = parts.map((p) => ('lit' in p ? norm(p.lit) : undefined));
  const n = parts.length;
  const pick = (value: string, lower: string) => (cased ? value : lower);
  // the fast shapes: exact, prefix, suffix, substring
  if (n === 0) return (v) => v === '';
  if (n === 1 && lits[0] !== undefined) {
    const want = lits[0];
    return (v, l) => pick(v, l) === want;
  }
  if (n === 1 && 'any' in parts[0]!) return () => true;
  if (n === 2 && 'any' in parts[0]! && lits[1] !== undefined) {
    const want = lits[1];
    return (v, l) => pick(v, l).endsWith(want);
  }
  if (n === 2 && lits[0] !== undefined && 'any' in parts[1]!) {
    const want = lits[0];
    return (v, l) => pick(v, l).startsWith(want);
  }
  if (n === 3 && 'any' in parts[0]! && lits[1] !== undefined && 'any' in parts[2]!) {
    const want = lits[1];
    return (v, l) => pick(v, l).includes(want);
  }
  const source = parts
    .map((p, i) => ('lit' in p ? escapeRegExp(lits[i]!) : 'any' in p ? '.*' : 'one' in p ? '.' : `[${p.anyOf.map(escapeRegExp).join('')}]`))
    .join('');
  const re = new RegExp(`^${source}$`, 's');
  return (v, l) => re.test(pick(v, l));
}

/**
 * Every exact lower-case value this pattern can equal, when it is a plain literal (for the rule
 * index), or the file name an `endswith '\name'` pattern requires; undefined otherwise.
 */
export function indexKey(parts: Part[], cased: boolean): { mode: 'eq' | 'basename'; key: string } | undefined {
  void cased; // the index is on lower-case values, a superset of a cased match
  if (parts.length === 1 && 'lit' in parts[0]!) return { mode: 'eq', key: parts[0].lit.toLowerCase() };
  if (parts.length === 2 && 'any' in parts[0]! && 'lit' in parts[1]!) {
    const lit = parts[1].lit;
    const slash = lit.lastIndexOf('\\');
    if (slash === 0 && lit.length > 1) return { mode: 'basename', key: lit.slice(1).toLowerCase() };
  }
  return undefined;
}
