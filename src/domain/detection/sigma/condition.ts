/**
 * Sigma conditions: `and`, `or`, `not`, parentheses, `1 of` / `all of` a search-identifier
 * pattern (with `*` wildcards) or `them`. Precedence, least to most binding: or, and, not,
 * x of, ( ). The deprecated pipe aggregations (`| count() …`) and `near` are refused with
 * their own reasons: Sigma correlation rules replace them.
 */

export type Condition =
  | { op: 'id'; name: string }
  | { op: 'and' | 'or'; args: Condition[] }
  | { op: 'not'; arg: Condition }
  | { op: 'of'; quantifier: 'one' | 'all'; names: string[]; pattern: string };

export class ConditionError extends Error {}

type Token = { kind: 'word'; text: string; at: number } | { kind: '(' | ')'; at: number } | { kind: 'end'; at: number };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      tokens.push({ kind: c, at: i });
      i++;
    } else if (c === '|') {
      throw new ConditionError(
        `deprecated aggregation "${text.slice(i).trim()}" at column ${i + 1}: pipe aggregations (count, near …) were removed from Sigma; write a correlation rule instead`,
      );
    } else {
      const m = /^[^\s()|]+/.exec(text.slice(i))!;
      tokens.push({ kind: 'word', text: m[0], at: i });
      i += m[0].length;
    }
  }
  tokens.push({ kind: 'end', at: text.length });
  return tokens;
}

const KEYWORDS = new Set(['and', 'or', 'not', 'of', 'them', 'all', '1', 'near']);

/**
 * Parses a condition against the rule's search identifiers; every identifier and pattern must
 * name at least one of them.
 */
export function parseCondition(text: string, identifiers: readonly string[]): Condition {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = () => tokens[pos]!;
  const isWord = (t: Token, w: string) => t.kind === 'word' && t.text.toLowerCase() === w;
  const fail = (t: Token, what: string): never => {
    throw new ConditionError(`${what} at column ${t.at + 1} of "${text}"`);
  };

  const parseOr = (): Condition => {
    const args = [parseAnd()];
    while (isWord(peek(), 'or')) {
      pos++;
      args.push(parseAnd());
    }
    return args.length === 1 ? args[0]! : { op: 'or', args };
  };
  const parseAnd = (): Condition => {
    const args = [parseNot()];
    while (isWord(peek(), 'and')) {
      pos++;
      args.push(parseNot());
    }
    return args.length === 1 ? args[0]! : { op: 'and', args };
  };
  const parseNot = (): Condition => {
    if (isWord(peek(), 'not')) {
      pos++;
      return { op: 'not', arg: parseNot() };
    }
    return parseAtom();
  };
  const parseAtom = (): Condition => {
    const t = peek();
    if (t.kind === '(') {
      pos++;
      const inner = parseOr();
      if (peek().kind !== ')') fail(peek(), 'expected ")"');
      pos++;
      return inner;
    }
    if (t.kind !== 'word') return fail(t, t.kind === 'end' ? 'unexpected end of condition' : `unexpected "${t.kind}"`);
    const lower = t.text.toLowerCase();
    if (lower === 'near') fail(t, '"near" is a deprecated aggregation; write a temporal correlation rule instead');
    const next = tokens[pos + 1]!;
    if ((lower === '1' || lower === 'all' || /^\d+$/.test(lower)) && isWord(next, 'of')) {
      if (lower !== '1' && lower !== 'all') fail(t, `"${t.text} of" is not Sigma: only "1 of" and "all of"`);
      pos += 2;
      const target = peek();
      if (target.kind !== 'word') return fail(target, 'expected a search-identifier pattern or "them" after "of"');
      pos++;
      const pattern = target.text;
      let names: string[];
      if (pattern.toLowerCase() === 'them') names = identifiers.filter((n) => !n.startsWith('_'));
      else {
        const re = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*')}$`);
        names = identifiers.filter((n) => re.test(n));
      }
      if (names.length === 0) fail(target, `"${pattern}" matches no search identifier`);
      return { op: 'of', quantifier: lower === '1' ? 'one' : 'all', names, pattern };
    }
    if (KEYWORDS.has(lower) && !identifiers.includes(t.text)) fail(t, `unexpected "${t.text}"`);
    if (!identifiers.includes(t.text)) fail(t, `unknown search identifier "${t.text}"`);
    pos++;
    return { op: 'id', name: t.text };
  };

  const result = parseOr();
  if (peek().kind !== 'end') fail(peek(), `unexpected "${'text' in peek() ? (peek() as { text: string }).text : peek().kind}"`);
  return result;
}

/** The search identifiers a condition uses. */
export function conditionIdentifiers(c: Condition, into = new Set<string>()): Set<string> {
  switch (c.op) {
    case 'id':
      into.add(c.name);
      break;
    case 'and':
    case 'or':
      for (const a of c.args) conditionIdentifiers(a, into);
      break;
    case 'not':
      conditionIdentifiers(c.arg, into);
      break;
    case 'of':
      for (const n of c.names) into.add(n);
      break;
  }
  return into;
}
