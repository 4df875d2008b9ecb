/**
 * What text any match of a regular expression must contain: a few literals, one of which is in
 * every string the expression matches (lower-cased, as the rule set's literal search compares),
 * read from the expression's syntax tree (regexpp, ESLint's parser). `\w+`(?:\w+|-|.)`` must
 * contain a backtick; `(Copy-Item|cpi) .{2,128} -Destination` must contain " -destination";
 * `ab|cd` must contain "ab" or "cd". So a `|re` rule is tried only on events that have one.
 *
 * Conservative by construction: only runs of plain ASCII characters outside any optional part
 * count (case-insensitive matching in JavaScript's non-Unicode mode pairs an ASCII letter only
 * with its ASCII other case, so lower-casing both sides keeps them equal); classes, sets,
 * assertions, back-references and groups with their own flags end a run; a part that may
 * repeat zero times says nothing. When in doubt, nothing is required, and the rule is tried on
 * every event as before.
 */
import { type AST, RegExpParser } from '@eslint-community/regexpp';

/** How likely a literal is to be found in a value (lower: more selective): a short one is found in many. */
export const literalCost = (s: string) => 2 + 3 * Math.max(0, 6 - s.length);
const setCost = (set: readonly string[]) => set.reduce((sum, s) => sum + literalCost(s), 0);

const parser = new RegExpParser({ ecmaVersion: 2024 });

/**
 * Literals (lower case) one of which every match of `/source/flags` contains, or undefined when
 * the expression requires none that can be told (or cannot be read).
 */
export function requiredLiterals(source: string, flags: string): string[] | undefined {
  if (flags.includes('u') || flags.includes('v')) return undefined;
  let pattern: AST.Pattern;
  try {
    pattern = parser.parsePattern(source, 0, source.length, { unicode: false });
  } catch {
    return undefined;
  }
  const set = ofAlternatives(pattern.alternatives);
  return set && [...new Set(set.map((s) => s.toLowerCase()))];
}

/** One of the alternatives matches: one literal of each. */
function ofAlternatives(alternatives: readonly AST.Alternative[]): string[] | undefined {
  const out: string[] = [];
  for (const alternative of alternatives) {
    const set = ofSequence(alternative.elements);
    if (!set) return undefined;
    out.push(...set);
  }
  return out;
}

/** Every element of the sequence matches in turn: the most selective requirement among them. */
function ofSequence(elements: readonly AST.Element[]): string[] | undefined {
  let best: string[] | undefined;
  const consider = (set: string[] | undefined) => {
    if (set && set.length > 0 && (!best || setCost(set) < setCost(best))) best = set;
  };
  let run = '';
  const endRun = () => {
    if (run) consider([run]);
    run = '';
  };
  for (const element of elements) {
    if (element.type === 'Character' && element.value < 128) {
      run += String.fromCharCode(element.value);
      continue;
    }
    endRun();
    consider(ofElement(element));
  }
  endRun();
  return best;
}

function ofElement(element: AST.Element): string[] | undefined {
  switch (element.type) {
    case 'Group':
      // a group with flags of its own, e.g. (?i:…), compares otherwise
      return element.modifiers ? undefined : ofAlternatives(element.alternatives);
    case 'CapturingGroup':
      return ofAlternatives(element.alternatives);
    case 'Quantifier':
      return element.min >= 1 ? ofElement(element.element) : undefined;
    case 'Character':
      return element.value < 128 ? [String.fromCharCode(element.value)] : undefined;
    case 'CharacterClass':
    case 'ExpressionCharacterClass':
    case 'CharacterSet': // ., \d, \w …
    case 'Assertion': // ^, $, \b, lookarounds
    case 'Backreference':
      return undefined;
  }
}
