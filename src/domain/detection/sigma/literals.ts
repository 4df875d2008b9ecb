/**
 * Many literals looked for in one pass over a text: built once from the `contains` /
 * `startswith` / `endswith` literals the rules of a logsource read in one field, then each value
 * of that field is searched once and every literal occurring in it is reported — whatever the
 * number of literals.
 *
 * Two stages. First one native regular expression, the literals as alternatives: most values
 * hold none of them, and the engine's compiled code rejects such a value several times faster
 * than any loop over its characters in JavaScript could. When it does find one, the scan starts
 * where that first occurrence may begin (no literal occurs earlier) and an Aho–Corasick automaton
 * reports every literal found from there, overlapping and nested ones too. The automaton keeps a
 * full row of next states for its start only (deeper states list their few children and a
 * suffix link), so nine thousand command-line literals take about a megabyte, not hundreds.
 * Found literals go to a callback the caller creates once: a search allocates nothing. Texts and
 * literals are compared as written (the caller lower-cases both).
 *
 * (Written here rather than taken from npm: the maintained packages fold case by Unicode code
 * point or grapheme — not JavaScript's `toLowerCase`, which the rule tests use — and return a
 * match object per hit.)
 */

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

export class LiteralAutomaton {
  /** how many literals were given */
  readonly size: number;
  readonly states: number;
  /** class of each ASCII character code (0: no literal uses it) */
  private readonly ascii = new Uint16Array(128);
  /** class of every other character a literal uses */
  private readonly wide = new Map<number, number>();
  /** next state from the start, by class */
  private readonly root: Int32Array;
  /** children of each state: `edgeClass` / `edgeTarget` from `edgesFrom[state]` to `edgesFrom[state + 1]` */
  private readonly edgesFrom: Int32Array;
  private readonly edgeClass: Uint16Array | Uint32Array;
  private readonly edgeTarget: Int32Array;
  /** the longest proper suffix of each state's text that is also a state */
  private readonly fail: Int32Array;
  /** per state: the first state on its suffix chain (itself included) where literals end, or -1 */
  private readonly firstOutput: Int32Array;
  /** per state where literals end: the next such state on its suffix chain, or -1 */
  private readonly nextOutput: Int32Array;
  /** literals ending at each state: ids in `ends` from `endsFrom[state]` to `endsFrom[state + 1]` */
  private readonly endsFrom: Int32Array;
  private readonly ends: Int32Array;
  /** any literal, natively; undefined when the expression would be too large to build */
  private readonly any?: RegExp;
  private readonly longest: number;

  constructor(literals: readonly string[]) {
    this.size = literals.length;
    let width = 1;
    const classOf = (c: number): number => {
      if (c < 128) return this.ascii[c] || (this.ascii[c] = width++);
      let k = this.wide.get(c);
      if (k === undefined) this.wide.set(c, (k = width++));
      return k;
    };
    // the trie, with children as maps while building
    const children: Array<Map<number, number>> = [new Map()];
    const endsAt: number[][] = [[]];
    let longest = 0;
    literals.forEach((text, id) => {
      if (text.length === 0) throw new Error(`literal ${id} is empty: every text contains it, so it cannot be looked for`);
      longest = Math.max(longest, text.length);
      let s = 0;
      for (let i = 0; i < text.length; i++) {
        const k = classOf(text.charCodeAt(i));
        let next = children[s]!.get(k);
        if (next === undefined) {
          next = children.length;
          children.push(new Map());
          endsAt.push([]);
          children[s]!.set(k, next);
        }
        s = next;
      }
      endsAt[s]!.push(id);
    });
    this.longest = longest;
    const states = (this.states = children.length);
    this.root = new Int32Array(width);
    this.fail = new Int32Array(states);
    this.firstOutput = new Int32Array(states).fill(-1);
    this.nextOutput = new Int32Array(states).fill(-1);
    this.edgesFrom = new Int32Array(states + 1);
    this.edgeClass = width < 0x10000 ? new Uint16Array(states - 1) : new Uint32Array(states - 1);
    this.edgeTarget = new Int32Array(states - 1);
    let e = 0;
    for (let s = 0; s < states; s++) {
      this.edgesFrom[s] = e;
      for (const [k, child] of [...children[s]!].sort((a, b) => a[0] - b[0])) {
        this.edgeClass[e] = k;
        this.edgeTarget[e++] = child;
      }
    }
    this.edgesFrom[states] = e;
    // breadth first: a state's suffix link comes from shallower states
    for (const [k, child] of children[0]!) this.root[k] = child;
    const queue = [...children[0]!.values()];
    for (let head = 0; head < queue.length; head++) {
      const s = queue[head]!;
      const f = this.fail[s]!;
      if (endsAt[s]!.length > 0) {
        this.firstOutput[s] = s;
        this.nextOutput[s] = this.firstOutput[f]!;
      } else this.firstOutput[s] = this.firstOutput[f]!;
      for (const [k, child] of children[s]!) {
        this.fail[child] = this.next(f, k);
        queue.push(child);
      }
    }
    this.endsFrom = new Int32Array(states + 1);
    let n = 0;
    for (let s = 0; s < states; s++) {
      this.endsFrom[s] = n;
      n += endsAt[s]!.length;
    }
    this.endsFrom[states] = n;
    this.ends = new Int32Array(n);
    for (let s = 0, j = 0; s < states; s++) for (const id of endsAt[s]!) this.ends[j++] = id;
    try {
      this.any = new RegExp([...new Set(literals)].map(escapeRegExp).join('|'), 'g');
    } catch {
      this.any = undefined; // too large for the engine: the automaton alone
    }
  }

  /** The state after reading a character of class `k` in state `s`. */
  private next(s: number, k: number): number {
    if (k === 0) return 0;
    const { root, edgesFrom, edgeClass, edgeTarget, fail } = this;
    for (;;) {
      if (s === 0) return root[k]!;
      for (let e = edgesFrom[s]!, end = edgesFrom[s + 1]!; e < end; e++) {
        const c = edgeClass[e]!;
        if (c === k) return edgeTarget[e]!;
        if (c > k) break;
      }
      s = fail[s]!;
    }
  }

  /** Calls `found` with the id (index in the constructor's list) of each literal occurring in `text`, once per occurrence. */
  scan(text: string, found: (literal: number) => void): void {
    let from = 0;
    const any = this.any;
    if (any) {
      any.lastIndex = 0;
      if (!any.test(text)) return;
      // the first occurrence ends at lastIndex, so it (and every later one) starts no earlier than this
      from = Math.max(0, any.lastIndex - this.longest);
    }
    const { ascii, wide, firstOutput, nextOutput, endsFrom, ends } = this;
    let s = 0;
    for (let i = from; i < text.length; i++) {
      const c = text.charCodeAt(i);
      s = this.next(s, c < 128 ? ascii[c]! : (wide.get(c) ?? 0));
      for (let t = firstOutput[s]!; t >= 0; t = nextOutput[t]!) {
        for (let j = endsFrom[t]!, end = endsFrom[t + 1]!; j < end; j++) found(ends[j]!);
      }
    }
  }

  /** The ids of the literals occurring in `text`, each once, ascending (for tests and explanations; allocates). */
  find(text: string): number[] {
    const seen = new Set<number>();
    this.scan(text, (id) => seen.add(id));
    return [...seen].sort((a, b) => a - b);
  }
}
