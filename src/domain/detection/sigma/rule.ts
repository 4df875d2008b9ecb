/**
 * Sigma rule files: one or more YAML documents, each a detection rule or a correlation rule.
 * Each document is compiled on its own: a bad one is refused with its file, line and reason
 * while the others load. Refusals carry a short category so a corpus load can count them.
 */
import { LineCounter, parseAllDocuments } from 'yaml';
import { type CompileOptions, type CompiledDetection, RuleError, compileDetection, isMap } from './detection.js';
import type { LogSource } from './event.js';

export const LEVELS = ['informational', 'low', 'medium', 'high', 'critical'] as const;
export type SigmaLevel = (typeof LEVELS)[number];

export interface RuleSource {
  file: string;
  /** 1-based line where the rule's document starts */
  line: number;
}

interface RuleMeta {
  id?: string;
  name?: string;
  title: string;
  level?: SigmaLevel;
  status?: string;
  description?: string;
  tags: string[];
  source: RuleSource;
  /** the document as written, for attributes beyond Sigma's (e.g. the incident type of a built-in rule) */
  document: Record<string, unknown>;
}

export interface SigmaRule extends RuleMeta {
  kind: 'detection';
  logsource: LogSource;
  detection: CompiledDetection;
}

export const CORRELATION_TYPES = ['event_count', 'value_count', 'temporal', 'temporal_ordered', 'value_sum', 'value_avg'] as const;
export type CorrelationType = (typeof CORRELATION_TYPES)[number];
export type CountOperator = 'gt' | 'gte' | 'lt' | 'lte' | 'eq' | 'neq';

export interface CorrelationRule extends RuleMeta {
  kind: 'correlation';
  type: CorrelationType;
  /** ids or names of the rules (detection or correlation) it correlates */
  rules: string[];
  groupBy: string[];
  timespanMs: number;
  timespan: string;
  /** all must hold; temporal types default to "every referenced rule" */
  condition: Array<{ op: CountOperator; value: number }>;
  /** the field(s) a value_* type aggregates */
  field?: string[];
  /** alias → (rule name → field in that rule's events) */
  aliases: Record<string, Record<string, string>>;
  /** whether the referenced rules also raise their own matches */
  generate: boolean;
}

export interface RuleRefusal {
  file: string;
  line: number;
  title?: string;
  id?: string;
  /** a short, countable category */
  category: string;
  reason: string;
}

export interface LoadedRules {
  rules: SigmaRule[];
  correlations: CorrelationRule[];
  refusals: RuleRefusal[];
}

class Refused extends Error {
  constructor(
    message: string,
    readonly category: string,
    readonly path: readonly (string | number)[] = [],
  ) {
    super(message);
  }
}

/** Parses and compiles every document of a rule file. Never throws for a bad rule: it is a refusal. */
export function loadRuleText(text: string, file: string, options: CompileOptions = {}): LoadedRules {
  const out: LoadedRules = { rules: [], correlations: [], refusals: [] };
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true });
  const lineOf = (offset: number | undefined) => (offset === undefined ? 1 : lineCounter.linePos(offset).line);
  if (!Array.isArray(docs)) {
    // an empty stream
    return out;
  }
  for (const doc of docs) {
    const start = lineOf(doc.contents?.range?.[0] ?? doc.range?.[0]);
    if (doc.errors.length) {
      const e = doc.errors[0]!;
      out.refusals.push({ file, line: e.linePos?.[0].line ?? start, category: 'YAML syntax', reason: e.message.split('\n')[0]! });
      continue;
    }
    if (doc.contents === null) continue; // an empty document (e.g. a trailing ---)
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      out.refusals.push({ file, line: start, category: 'YAML syntax', reason: (e as Error).message });
      continue;
    }
    const where = (path: readonly (string | number)[]) => {
      for (let n = path.length; n > 0; n--) {
        const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
        if (node && typeof node === 'object' && node.range) return lineOf(node.range[0]);
      }
      return start;
    };
    const meta = isMap(value) ? { title: typeof value.title === 'string' ? value.title : undefined, id: typeof value.id === 'string' ? value.id : undefined } : {};
    try {
      if (!isMap(value)) throw new Refused('a rule must be a YAML map', 'not a rule');
      const rule = compileDocument(value, { file, line: start }, options);
      if (rule.kind === 'detection') out.rules.push(rule);
      else out.correlations.push(rule);
    } catch (e) {
      if (e instanceof Refused) out.refusals.push({ file, line: where(e.path), ...meta, category: e.category, reason: e.message });
      else if (e instanceof RuleError) out.refusals.push({ file, line: where(e.path), ...meta, category: categorize(e.message), reason: e.message });
      else throw e;
    }
  }
  return out;
}

function categorize(message: string): string {
  if (/deprecated aggregation|pipe aggregations|"near"|timeframe/.test(message)) return 'deprecated aggregation';
  if (/placeholder/.test(message)) return 'placeholder without values';
  if (/unknown modifier/.test(message)) return 'unknown modifier';
  if (/regular expression|regex flag/.test(message)) return 'invalid regular expression';
  if (/search identifier|condition|column \d+/.test(message)) return 'invalid condition';
  return 'invalid detection';
}

function str(doc: Record<string, unknown>, key: string, required: boolean, max = 65_535): string | undefined {
  const v = doc[key];
  if (v === undefined || v === null) {
    if (required) throw new Refused(`"${key}" is required`, 'missing attribute', []);
    return undefined;
  }
  if (typeof v !== 'string' && typeof v !== 'number') throw new Refused(`"${key}" must be a string`, 'invalid attribute', [key]);
  const s = String(v);
  if (s.length > max) throw new Refused(`"${key}" is longer than ${max} characters`, 'invalid attribute', [key]);
  return s;
}

function compileDocument(doc: Record<string, unknown>, source: RuleSource, options: CompileOptions): SigmaRule | CorrelationRule {
  if (doc.action !== undefined) {
    throw new Refused(`rule collections ("action: ${String(doc.action)}") were removed in Sigma 2: write each rule as a whole document`, 'rule collection', ['action']);
  }
  if (doc.filter !== undefined && doc.detection === undefined && doc.correlation === undefined) {
    throw new Refused('Sigma filters (meta-filters applied to other rules) are not supported; add the exclusion to the rule itself or suppress the alerts', 'filter rule', ['filter']);
  }
  const title = str(doc, 'title', true, 256)!;
  const level = str(doc, 'level', false);
  if (level !== undefined && !(LEVELS as readonly string[]).includes(level)) {
    throw new Refused(`level "${level}" is not one of ${LEVELS.join(', ')}`, 'invalid attribute', ['level']);
  }
  const tags = doc.tags === undefined ? [] : Array.isArray(doc.tags) && doc.tags.every((t) => typeof t === 'string') ? (doc.tags as string[]) : fail('"tags" must be a list of strings', ['tags']);
  const meta: RuleMeta = {
    id: str(doc, 'id', false),
    name: str(doc, 'name', false),
    title,
    level: level as SigmaLevel | undefined,
    status: str(doc, 'status', false),
    description: str(doc, 'description', false),
    tags,
    source,
    document: doc,
  };
  if (doc.correlation !== undefined) return { kind: 'correlation', ...meta, ...compileCorrelation(doc.correlation, doc.generate) };
  if (doc.detection === undefined) throw new Refused('"detection" is required (or "correlation" for a correlation rule)', 'missing attribute');
  if (!isMap(doc.logsource)) throw new Refused('"logsource" is required and must be a map (category, product, service)', 'missing attribute', ['logsource']);
  const logsource: LogSource = {};
  for (const key of ['product', 'category', 'service'] as const) {
    const v = doc.logsource[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') throw new Refused(`logsource ${key} must be a string`, 'invalid attribute', ['logsource', key]);
    logsource[key] = v.toLowerCase();
  }
  return { kind: 'detection', ...meta, logsource, detection: compileDetection(doc.detection, options) };
}

function fail(message: string, path: (string | number)[]): never {
  throw new Refused(message, 'invalid attribute', path);
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const OPERATORS: CountOperator[] = ['gt', 'gte', 'lt', 'lte', 'eq', 'neq'];

function compileCorrelation(c: unknown, generateTop: unknown): Omit<CorrelationRule, keyof RuleMeta | 'kind'> {
  const at = (...p: (string | number)[]) => ['correlation', ...p];
  if (!isMap(c)) fail('"correlation" must be a map', at());
  const type = c.type;
  if (type === 'value_percentile') throw new Refused('correlation type value_percentile is not supported (its threshold has no agreed meaning)', 'unsupported correlation', at('type'));
  if (typeof type !== 'string' || !(CORRELATION_TYPES as readonly string[]).includes(type)) {
    fail(`correlation type must be one of ${CORRELATION_TYPES.join(', ')}`, at('type'));
  }
  const rules = c.rules;
  if (!Array.isArray(rules) || rules.length === 0 || !rules.every((r) => typeof r === 'string')) fail('"rules" must be a non-empty list of rule ids or names', at('rules'));
  const groupByRaw = c['group-by'] ?? [];
  const groupBy = typeof groupByRaw === 'string' ? [groupByRaw] : groupByRaw;
  if (!Array.isArray(groupBy) || !groupBy.every((g) => typeof g === 'string')) fail('"group-by" must be a list of field names', at('group-by'));
  const timespan = c.timespan;
  const m = typeof timespan === 'string' ? /^(\d+)([smhd])$/.exec(timespan.trim()) : null;
  if (!m || Number(m[1]) <= 0) fail('"timespan" must be a number and a unit: s, m, h or d (e.g. 10m)', at('timespan'));
  const timespanMs = Number(m![1]) * UNITS[m![2]!]!;
  const condition: CorrelationRule['condition'] = [];
  let field: string[] | undefined;
  const cond = c.condition;
  if (cond !== undefined) {
    if (!isMap(cond)) fail('"condition" must be a map such as {gte: 10}', at('condition'));
    for (const [k, v] of Object.entries(cond)) {
      if (k === 'field') {
        field = typeof v === 'string' ? [v] : Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : fail('condition field must be a field name', at('condition', 'field'));
        continue;
      }
      if (!OPERATORS.includes(k as CountOperator)) fail(`condition operator "${k}" is not one of ${OPERATORS.join(', ')}`, at('condition', k));
      if (typeof v !== 'number' || !Number.isFinite(v)) fail(`condition ${k} needs a number`, at('condition', k));
      condition.push({ op: k as CountOperator, value: v as number });
    }
  }
  const t = type as CorrelationType;
  if ((t === 'event_count' || t.startsWith('value_')) && condition.length === 0) fail(`a ${t} correlation needs a condition such as {gte: 10}`, at('condition'));
  if (t.startsWith('value_') && !field) fail(`a ${t} correlation needs the field to aggregate (condition.field)`, at('condition'));
  if ((t === 'temporal' || t === 'temporal_ordered') && condition.length === 0) condition.push({ op: 'gte', value: (rules as string[]).length });
  const aliases: CorrelationRule['aliases'] = {};
  if (c.aliases !== undefined) {
    if (!isMap(c.aliases)) fail('"aliases" must map alias names to {rule name: field}', at('aliases'));
    for (const [alias, byRule] of Object.entries(c.aliases)) {
      if (!isMap(byRule) || !Object.values(byRule).every((f) => typeof f === 'string')) fail(`alias "${alias}" must map rule names to field names`, at('aliases', alias));
      aliases[alias] = byRule as Record<string, string>;
    }
  }
  const g = c.generate ?? generateTop ?? false;
  if (typeof g !== 'boolean') fail('"generate" must be true or false', at('generate'));
  const generate = g as boolean;
  return { type: t, rules: rules as string[], groupBy: groupBy as string[], timespanMs, timespan: timespan as string, condition, field, aliases, generate };
}
