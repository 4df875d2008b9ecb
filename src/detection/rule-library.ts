/**
 * The rules in force: the built-in pack and the configured directories, read from disk,
 * compiled once, indexed (RuleSet) and wired into the correlation engine. A bad rule file or
 * document is refused with file, line and reason; it never stops the others.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CorrelationEngine } from '../domain/detection/sigma/correlation.js';
import type { CompileOptions } from '../domain/detection/sigma/detection.js';
import type { FieldMapping } from '../domain/detection/sigma/event.js';
import { type CorrelationRule, type RuleRefusal, type SigmaRule, loadRuleText } from '../domain/detection/sigma/rule.js';
import { RuleSet } from '../domain/detection/sigma/ruleset.js';
import { DEFAULT_FIELD_MAPPING } from '../domain/detection/sigma/windows.js';

/** rules/builtin of the package, from src/detection or dist/detection alike */
export const BUILTIN_RULES_DIR = path.resolve(import.meta.dirname, '../../rules/builtin');
const MAX_RULE_FILE_BYTES = 1024 * 1024;

export interface RuleLibraryOptions extends CompileOptions {
  builtin: boolean;
  dirs: readonly string[];
  fieldMapping?: FieldMapping;
}

export class RuleLibrary {
  readonly ruleSet: RuleSet;
  engine: CorrelationEngine;
  readonly fieldMapping: FieldMapping;

  constructor(
    readonly rules: SigmaRule[],
    readonly correlations: CorrelationRule[],
    readonly refusals: RuleRefusal[],
    fieldMapping: FieldMapping = {},
  ) {
    this.ruleSet = new RuleSet(rules);
    this.engine = new CorrelationEngine(correlations, rules);
    for (const p of this.engine.problems) {
      refusals.push({ file: p.correlation.source.file, line: p.correlation.source.line, title: p.correlation.title, id: p.correlation.id, category: 'unknown rule reference', reason: p.reason });
    }
    const merged: Record<string, readonly string[]> = { ...DEFAULT_FIELD_MAPPING };
    for (const [k, v] of Object.entries(fieldMapping)) merged[k] = [...v, ...(DEFAULT_FIELD_MAPPING[k] ?? [])];
    this.fieldMapping = merged;
  }

  /** Empties every correlation window (to rebuild them from what was committed). */
  resetWindows(): void {
    this.engine = new CorrelationEngine(this.correlations, this.rules);
  }

  static load(options: RuleLibraryOptions): RuleLibrary {
    const all = { rules: [] as SigmaRule[], correlations: [] as CorrelationRule[], refusals: [] as RuleRefusal[] };
    const dirs = [...(options.builtin ? [BUILTIN_RULES_DIR] : []), ...options.dirs];
    for (const dir of dirs) {
      for (const file of ruleFiles(dir, all.refusals)) {
        const shown = dir === BUILTIN_RULES_DIR ? `builtin/${path.relative(dir, file)}` : file;
        let text: string;
        try {
          const size = fs.statSync(file).size;
          if (size > MAX_RULE_FILE_BYTES) throw new Error(`the file is ${size} bytes, over the limit of ${MAX_RULE_FILE_BYTES}`);
          text = fs.readFileSync(file, 'utf8');
        } catch (e) {
          all.refusals.push({ file: shown, line: 1, category: 'unreadable file', reason: (e as Error).message });
          continue;
        }
        const loaded = loadRuleText(text, shown, options);
        all.rules.push(...loaded.rules);
        all.correlations.push(...loaded.correlations);
        all.refusals.push(...loaded.refusals);
      }
    }
    return RuleLibrary.of(all, options.fieldMapping);
  }

  static of(loaded: { rules: SigmaRule[]; correlations: CorrelationRule[]; refusals: RuleRefusal[] }, fieldMapping?: FieldMapping): RuleLibrary {
    // the same id twice: the later one is refused, so which rule fired stays unambiguous
    const seen = new Set<string>();
    const keep = <T extends SigmaRule | CorrelationRule>(r: T): boolean => {
      if (!r.id) return true;
      if (seen.has(r.id)) {
        loaded.refusals.push({ file: r.source.file, line: r.source.line, title: r.title, id: r.id, category: 'duplicate id', reason: `rule id ${r.id} is already used by another rule` });
        return false;
      }
      seen.add(r.id);
      return true;
    };
    return new RuleLibrary(loaded.rules.filter(keep), loaded.correlations.filter(keep), loaded.refusals, fieldMapping);
  }
}

/** A stable key for a rule: its id, else its name, else file and title. */
export function ruleKey(rule: SigmaRule | CorrelationRule): string {
  return rule.id ?? rule.name ?? `${rule.source.file}#${rule.title}`;
}

function ruleFiles(dir: string, refusals: RuleRefusal[]): string[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch (e) {
    refusals.push({ file: dir, line: 1, category: 'unreadable file', reason: `cannot read the rules directory: ${(e as Error).message}` });
    return [];
  }
  if (stat.isFile()) return [dir];
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.ya?ml$/i.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}
