/**
 * One typed configuration, read at boot from defaults, then an optional YAML file
 * (`BIHUAN_CONFIG`, or `./bihuan.yaml` when present), then environment variables. A bad value
 * stops the start with a message naming the key.
 */
import { DEVICE_CLASSES, type DeviceClass, type DeviceClassOverride } from './domain/alert/device-class.js';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import ipaddr from 'ipaddr.js';
import { checkPasswordPolicy } from './domain/account/password-policy.js';
import { type JsonMapping, validateMapping } from './intake/formats/mapped-json.js';

export interface Config {
  host: string;
  port: number;
  /** `sqlite:./data/bihuan.db` (default) or `postgres://user@host/db` */
  databaseUrl: string;
  /** where the SQLite file (by default) and evidence files live */
  dataDir: string;
  /** IANA zone for incident ids (the day in INC-YYYYMMDD-NNNN), device times without an offset, and reports — until one is saved in the settings (设置 → 时区) */
  timeZone: string;
  /** where timeZone came from: BIHUAN_TIMEZONE or the YAML file ('configured'), or the machine's zone ('machine') */
  timeZoneFrom: 'configured' | 'machine';
  evidenceMaxBytes: number;
  sessionTtlMinutes: number;
  /** Secure flag on the session cookie: `auto` sets it when the request came over HTTPS */
  cookieSecure: 'auto' | 'always' | 'never';
  trustProxy: boolean;
  /** the key that seals secrets at rest (32 bytes, base64 or hex); absent: DATA_DIR/secret.key, created once */
  secretKey?: string;
  /** addresses (CIDRs) notifications may reach although refused by default (loopback, link-local, metadata), e.g. a local SMTP relay */
  notifyAllowedTargets: string[];
  /** other origins (scheme://host:port) whose pages may send state-changing requests with the session cookie; none by default */
  allowedOrigins: string[];
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** password for the first admin; generated and shown once when absent */
  adminPassword?: string;
  /** request body limit for JSON bodies */
  bodyLimitBytes: number;
  /** log-in attempts allowed per client address per minute */
  loginAttemptsPerMinute: number;
  /** failed log-ins in a row that lock an account (0: never) */
  lockoutAttempts: number;
  /** how long a locked account stays locked, unless an admin unlocks it */
  lockoutMinutes: number;
  /** alerts stored longer ago than this are deleted, evidence on incidents kept (bihuan purge, and hourly by the server) */
  alertRetentionDays: number;
  /** events (context records no rule or indicator matched) stored longer ago than this are deleted; 180 days: the six months 《网络安全法》第二十一条 asks network logs to be kept */
  eventRetentionDays: number;
  /** admins must sign in with a one-time code (TOTP); one who has none set up may only set it up */
  requireTotpForAdmin: boolean;
  /** `threads` (default): serve runs intake, detection, notifications and searches in worker threads beside the API thread; `inline`: all on one thread */
  workers: 'threads' | 'inline';
  /** scale-out: the NATS server (JetStream on) the roles talk over, e.g. nats://127.0.0.1:4222 */
  busUrl?: string;
  /** scale-out: the JetStream stream's name, also the prefix of every subject (one per installation) */
  busStream: string;
  /** body limit of one alert batch (POST /api/alerts) */
  ingestBodyLimitBytes: number;
  /** one alert record at most */
  maxRecordBytes: number;
  /** syslog listeners, HOST:PORT each; off when unset */
  syslogUdp?: string;
  syslogTcp?: string;
  /** TCP syslog connections at once (more are refused and counted) */
  syslogTcpMaxConnections: number;
  /** a TCP syslog connection silent this long is closed */
  syslogTcpIdleSeconds: number;
  /** generic JSON formats (YAML file only), see src/intake/formats/mapped-json.ts */
  jsonMappings: JsonMapping[];
  /** what kind of device a vendor/product is, beyond the built-in table (CEF records: IDS, WAF, honeypot…) */
  deviceClasses: DeviceClassOverride[];
  /** detection rules and how matches become incidents */
  detection: DetectionConfig;
  /** the configuration file that was read (absolute), if any */
  configFile?: string;
}

export interface DetectionConfig {
  /** load the built-in rule pack (rules/builtin) */
  builtinRules: boolean;
  /** further directories of Sigma rules (env BIHUAN_RULES_DIRS, separated by the path delimiter) */
  rulesDirs: string[];
  /** values of `|expand` placeholders, e.g. {Administrators: [admin, root]} */
  placeholders: Record<string, string[]>;
  /** extra Sigma field name → places to look in an alert (added before the defaults) */
  fieldMapping: Record<string, string[]>;
  /** how long an incident stays open to new matches after its last one */
  correlationWindowHours: number;
}

export class ConfigError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`configuration ${key}: ${message}`);
  }
}

const KEYS: Record<Exclude<keyof Config, 'configFile' | 'timeZoneFrom'>, string> = {
  host: 'BIHUAN_HOST',
  port: 'BIHUAN_PORT',
  databaseUrl: 'BIHUAN_DATABASE_URL',
  dataDir: 'BIHUAN_DATA_DIR',
  timeZone: 'BIHUAN_TIMEZONE',
  evidenceMaxBytes: 'BIHUAN_EVIDENCE_MAX_BYTES',
  sessionTtlMinutes: 'BIHUAN_SESSION_TTL_MINUTES',
  cookieSecure: 'BIHUAN_COOKIE_SECURE',
  trustProxy: 'BIHUAN_TRUST_PROXY',
  allowedOrigins: 'BIHUAN_ALLOWED_ORIGINS',
  notifyAllowedTargets: 'BIHUAN_NOTIFY_ALLOWED_TARGETS',
  secretKey: 'BIHUAN_SECRET_KEY',
  logLevel: 'BIHUAN_LOG_LEVEL',
  adminPassword: 'BIHUAN_ADMIN_PASSWORD',
  bodyLimitBytes: 'BIHUAN_BODY_LIMIT_BYTES',
  loginAttemptsPerMinute: 'BIHUAN_LOGIN_ATTEMPTS_PER_MINUTE',
  lockoutAttempts: 'BIHUAN_LOCKOUT_ATTEMPTS',
  lockoutMinutes: 'BIHUAN_LOCKOUT_MINUTES',
  alertRetentionDays: 'BIHUAN_ALERT_RETENTION_DAYS',
  eventRetentionDays: 'BIHUAN_EVENT_RETENTION_DAYS',
  requireTotpForAdmin: 'BIHUAN_REQUIRE_TOTP_FOR_ADMIN',
  workers: 'BIHUAN_WORKERS',
  busUrl: 'BIHUAN_BUS_URL',
  busStream: 'BIHUAN_BUS_STREAM',
  ingestBodyLimitBytes: 'BIHUAN_INGEST_BODY_LIMIT_BYTES',
  maxRecordBytes: 'BIHUAN_MAX_RECORD_BYTES',
  syslogUdp: 'BIHUAN_SYSLOG_UDP',
  syslogTcp: 'BIHUAN_SYSLOG_TCP',
  syslogTcpMaxConnections: 'BIHUAN_SYSLOG_TCP_MAX_CONNECTIONS',
  syslogTcpIdleSeconds: 'BIHUAN_SYSLOG_TCP_IDLE_SECONDS',
  jsonMappings: 'BIHUAN_JSON_MAPPINGS',
  deviceClasses: 'BIHUAN_DEVICE_CLASSES',
  detection: 'BIHUAN_DETECTION',
};

function isCidr(c: string): boolean {
  try {
    ipaddr.parseCIDR(c);
    return true;
  } catch {
    return false;
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  let file: Record<string, unknown> = {};
  const explicit = env.BIHUAN_CONFIG;
  const candidate = explicit ?? (fs.existsSync('bihuan.yaml') ? 'bihuan.yaml' : undefined);
  if (candidate) {
    let text: string;
    try {
      text = fs.readFileSync(candidate, 'utf8');
    } catch (e) {
      throw new ConfigError('BIHUAN_CONFIG', `cannot read ${candidate}: ${(e as Error).message}`);
    }
    const parsed = YAML.parse(text) as unknown;
    if (parsed !== null && (typeof parsed !== 'object' || Array.isArray(parsed))) throw new ConfigError(candidate, 'must be a YAML mapping of keys to values');
    file = (parsed as Record<string, unknown>) ?? {};
    for (const k of Object.keys(file)) if (!(k in KEYS)) throw new ConfigError(`${candidate}: ${k}`, `unknown key (known: ${Object.keys(KEYS).join(', ')})`);
  }
  const raw = (key: keyof typeof KEYS): unknown => (overrides[key] !== undefined ? overrides[key] : env[KEYS[key]] ?? file[key]);
  const name = (key: keyof typeof KEYS) => (env[KEYS[key]] !== undefined ? KEYS[key] : key);

  const str = (key: keyof typeof KEYS, def: string): string => {
    const v = raw(key);
    if (v === undefined || v === '') return def;
    if (typeof v !== 'string' && typeof v !== 'number') throw new ConfigError(name(key), 'must be text');
    return String(v);
  };
  const int = (key: keyof typeof KEYS, def: number, min: number, max: number): number => {
    const v = raw(key);
    if (v === undefined || v === '') return def;
    const n = typeof v === 'number' ? v : Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(name(key), `must be a whole number from ${min} to ${max}, got ${JSON.stringify(v)}`);
    return n;
  };
  const oneOf = <T extends string>(key: keyof typeof KEYS, def: T, allowed: readonly T[]): T => {
    const v = str(key, def);
    if (!(allowed as readonly string[]).includes(v)) throw new ConfigError(name(key), `must be one of ${allowed.join(', ')}, got "${v}"`);
    return v as T;
  };

  const origins = (key: keyof typeof KEYS): string[] => {
    const v = raw(key);
    const list = Array.isArray(v) ? v.map(String) : str(key, '').split(',');
    return list
      .map((o) => o.trim())
      .filter(Boolean)
      .map((o) => {
        if (!/^https?:\/\/[^/\s]+$/i.test(o.replace(/\/+$/, ''))) throw new ConfigError(name(key), `"${o}" is not an origin such as https://soc.example.com`);
        return o.replace(/\/+$/, '');
      });
  };
  const cidrs = (key: keyof typeof KEYS): string[] => {
    const v = raw(key);
    const list = (Array.isArray(v) ? v.map(String) : str(key, '').split(',')).map((c) => c.trim()).filter(Boolean);
    for (const c of list) if (!ipaddr.isValid(c) && !isCidr(c)) throw new ConfigError(name(key), `"${c}" is not an address or CIDR such as 127.0.0.1/32`);
    return list;
  };
  const listen = (key: keyof typeof KEYS): string | undefined => {
    const v = str(key, '');
    if (!v) return undefined;
    if (!/^(?:\[[^\]]+\]|[^:]+):\d{1,5}$/.test(v) || Number(v.split(':').pop()) > 65535) throw new ConfigError(name(key), `must be HOST:PORT (e.g. 0.0.0.0:5514), got "${v}"`);
    return v;
  };
  const busUrl = (): string | undefined => {
    const v = str('busUrl', '');
    if (!v) return undefined;
    if (!/^(nats|tls):\/\/[^\s,]+(,(nats|tls):\/\/[^\s,]+)*$/.test(v)) throw new ConfigError(name('busUrl'), `must be nats://HOST:PORT (several separated by commas), got "${v}"`);
    return v;
  };
  const busStream = (): string => {
    const v = str('busStream', 'BIHUAN');
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(v)) throw new ConfigError(name('busStream'), `must be 1–64 letters, digits, _ or - (a JetStream stream name), got "${v}"`);
    return v;
  };
  /** A list or map: from the overrides or the YAML file, or as JSON in its environment variable. */
  const structured = (key: 'jsonMappings' | 'deviceClasses' | 'detection'): unknown => {
    const text = env[KEYS[key]];
    if (!text) return overrides[key] ?? file[key];
    try {
      return JSON.parse(text) as unknown;
    } catch (e) {
      throw new ConfigError(KEYS[key], `not JSON: ${(e as Error).message}`);
    }
  };
  const mappings = (): JsonMapping[] => {
    const v = structured('jsonMappings');
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw new ConfigError('jsonMappings', 'must be a list of mappings');
    const names = new Set<string>();
    return v.map((m, i) => {
      let mapping: JsonMapping;
      try {
        mapping = validateMapping(m, `jsonMappings[${i}]`);
      } catch (e) {
        throw new ConfigError('jsonMappings', (e as Error).message);
      }
      if (names.has(mapping.name)) throw new ConfigError(`jsonMappings[${i}].name`, `"${mapping.name}" is used twice`);
      names.add(mapping.name);
      return mapping;
    });
  };
  const deviceClasses = (): DeviceClassOverride[] => {
    const v = structured('deviceClasses');
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || v.length > 1000) throw new ConfigError('deviceClasses', 'must be a list (at most 1000) of { vendor, product?, class }');
    return v.map((x, i) => {
      const at = `deviceClasses[${i}]`;
      if (!x || typeof x !== 'object' || Array.isArray(x)) throw new ConfigError(at, 'must be a map { vendor, product?, class }');
      const o = x as Record<string, unknown>;
      for (const k of Object.keys(o)) if (!['vendor', 'product', 'class'].includes(k)) throw new ConfigError(`${at}.${k}`, 'unknown key (vendor, product, class)');
      if (typeof o.vendor !== 'string' || !o.vendor.trim() || o.vendor.length > 200) throw new ConfigError(`${at}.vendor`, 'must be the vendor name as the device writes it (1–200 characters)');
      if (o.product !== undefined && (typeof o.product !== 'string' || !o.product.trim() || o.product.length > 200)) throw new ConfigError(`${at}.product`, 'must be the product name as the device writes it (1–200 characters)');
      if (typeof o.class !== 'string' || !(DEVICE_CLASSES as readonly string[]).includes(o.class)) throw new ConfigError(`${at}.class`, `must be one of ${DEVICE_CLASSES.join(', ')}`);
      return { vendor: o.vendor.trim(), product: typeof o.product === 'string' ? o.product.trim() : undefined, class: o.class as DeviceClass };
    });
  };
  const detection = (): DetectionConfig => {
    const v = structured('detection');
    const d = (v ?? {}) as Record<string, unknown>;
    if (typeof d !== 'object' || Array.isArray(d)) throw new ConfigError('detection', 'must be a mapping');
    const known = ['builtinRules', 'rulesDirs', 'placeholders', 'fieldMapping', 'correlationWindowHours'];
    for (const k of Object.keys(d)) if (!known.includes(k)) throw new ConfigError(`detection.${k}`, `unknown key (known: ${known.join(', ')})`);
    const stringLists = (key: string): Record<string, string[]> => {
      const m = d[key] ?? {};
      if (typeof m !== 'object' || m === null || Array.isArray(m)) throw new ConfigError(`detection.${key}`, 'must map names to lists of text');
      for (const [k, list] of Object.entries(m)) {
        if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) throw new ConfigError(`detection.${key}.${k}`, 'must be a list of text');
      }
      return m as Record<string, string[]>;
    };
    let dirs = d.rulesDirs ?? [];
    if (env.BIHUAN_RULES_DIRS) dirs = env.BIHUAN_RULES_DIRS.split(path.delimiter).filter(Boolean);
    if (!Array.isArray(dirs) || !dirs.every((x) => typeof x === 'string')) throw new ConfigError('detection.rulesDirs', 'must be a list of directories');
    const hours = d.correlationWindowHours ?? 24;
    if (typeof hours !== 'number' || !(hours > 0 && hours <= 24 * 90)) throw new ConfigError('detection.correlationWindowHours', 'must be a number of hours from 0 to 2160');
    const builtin = d.builtinRules ?? true;
    if (typeof builtin !== 'boolean') throw new ConfigError('detection.builtinRules', 'must be true or false');
    return { builtinRules: builtin, rulesDirs: (dirs as string[]).map((x) => path.resolve(x)), placeholders: stringLists('placeholders'), fieldMapping: stringLists('fieldMapping'), correlationWindowHours: hours };
  };
  const dataDir = path.resolve(str('dataDir', './data'));
  const chosenZone = raw('timeZone');
  const timeZone = str('timeZone', Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    throw new ConfigError(name('timeZone'), `"${timeZone}" is not an IANA time zone (e.g. Asia/Shanghai)`);
  }
  const adminPassword = str('adminPassword', '') || undefined;
  if (adminPassword !== undefined) {
    try {
      checkPasswordPolicy(adminPassword, 'admin');
    } catch (e) {
      throw new ConfigError(name('adminPassword'), `must be a good password: ${(e as Error).message.replace(/^password:? ?/, '')}`);
    }
  }
  return {
    host: str('host', '127.0.0.1'),
    port: int('port', 8080, 0, 65535),
    databaseUrl: str('databaseUrl', `sqlite:${path.join(dataDir, 'bihuan.db')}`),
    dataDir,
    timeZone,
    timeZoneFrom: chosenZone === undefined || chosenZone === '' ? 'machine' : 'configured',
    evidenceMaxBytes: int('evidenceMaxBytes', 100 * 1024 * 1024, 1, 2 ** 31 - 1),
    sessionTtlMinutes: int('sessionTtlMinutes', 12 * 60, 5, 90 * 24 * 60),
    cookieSecure: oneOf('cookieSecure', 'auto', ['auto', 'always', 'never'] as const),
    trustProxy: oneOf('trustProxy', 'false', ['true', 'false'] as const) === 'true',
    allowedOrigins: origins('allowedOrigins'),
    notifyAllowedTargets: cidrs('notifyAllowedTargets'),
    secretKey: str('secretKey', '') || undefined,
    logLevel: oneOf('logLevel', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const),
    adminPassword,
    bodyLimitBytes: int('bodyLimitBytes', 1024 * 1024, 1024, 64 * 1024 * 1024),
    loginAttemptsPerMinute: int('loginAttemptsPerMinute', 10, 1, 10_000),
    lockoutAttempts: int('lockoutAttempts', 5, 0, 1000),
    lockoutMinutes: int('lockoutMinutes', 15, 1, 7 * 24 * 60),
    alertRetentionDays: int('alertRetentionDays', 365, 1, 36_500),
    eventRetentionDays: int('eventRetentionDays', 180, 1, 36_500),
    requireTotpForAdmin: oneOf('requireTotpForAdmin', 'false', ['true', 'false'] as const) === 'true',
    workers: oneOf('workers', 'threads', ['threads', 'inline'] as const),
    busUrl: busUrl(),
    busStream: busStream(),
    ingestBodyLimitBytes: int('ingestBodyLimitBytes', 32 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    maxRecordBytes: int('maxRecordBytes', 64 * 1024, 256, 16 * 1024 * 1024),
    syslogUdp: listen('syslogUdp'),
    syslogTcp: listen('syslogTcp'),
    syslogTcpMaxConnections: int('syslogTcpMaxConnections', 1000, 1, 100_000),
    syslogTcpIdleSeconds: int('syslogTcpIdleSeconds', 300, 5, 86_400),
    jsonMappings: mappings(),
    deviceClasses: deviceClasses(),
    detection: detection(),
    configFile: candidate ? path.resolve(candidate) : undefined,
  };
}
