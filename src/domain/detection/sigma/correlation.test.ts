/**
 * Conformance of Sigma correlation rules: every type, group-by, aliases, timespan, condition
 * forms, chains, generate — fed through the same rule set as real matching.
 */
import { describe, expect, it } from 'vitest';
import { CorrelationEngine, type CorrelationHit } from './correlation.js';
import { SigmaEvent } from './event.js';
import { loadRuleText } from './rule.js';
import { RuleSet } from './ruleset.js';

const BASE_RULES = `
title: Single failed login
id: 53ba33fd-3a50-4468-a5ef-c583635cfa92
name: failed_login
logsource: {product: windows, service: security}
detection: {selection: {EventID: 4625}, condition: selection}
---
title: Successful login
id: 4d0a2c83-c62c-4ed4-b475-c7e23a9269b8
name: successful_login
logsource: {product: windows, service: security}
detection: {selection: {EventID: 4624}, condition: selection}
---
title: Recon A
name: recon_a
logsource: {product: windows, category: process_creation}
detection: {selection: {Image|endswith: '\\whoami.exe'}, condition: selection}
---
title: Recon B
name: recon_b
logsource: {product: windows, category: process_creation}
detection: {selection: {Image|endswith: '\\net.exe'}, condition: selection}
---
title: Recon C
name: recon_c
logsource: {product: windows, category: process_creation}
detection: {selection: {Image|endswith: '\\nltest.exe'}, condition: selection}
`;

function setup(correlations: string) {
  const loaded = loadRuleText(`${BASE_RULES}---\n${correlations}`, 'mr_test.yml');
  expect(loaded.refusals).toEqual([]);
  const set = new RuleSet(loaded.rules);
  const engine = new CorrelationEngine(loaded.correlations, loaded.rules);
  expect(engine.problems).toEqual([]);
  const t0 = Date.UTC(2026, 10, 25, 2, 0, 0);
  const fired: CorrelationHit[] = [];
  const feed = (seconds: number, doc: Record<string, unknown>, source = { product: 'windows', service: 'security' } as ConstructorParameters<typeof SigmaEvent>[1]) => {
    const event = new SigmaEvent(doc, source, t0 + seconds * 1000);
    const now: CorrelationHit[] = [];
    for (const rule of set.match(event)) now.push(...engine.feed({ rule, time: event.time, event }));
    fired.push(...now);
    return now;
  };
  return { feed, fired, engine, t0, loaded };
}

const proc = { product: 'windows', service: 'sysmon', categories: ['process_creation'] };

describe('event_count', () => {
  const rule = `title: Many failed logins
correlation:
  type: event_count
  rules: [failed_login]
  group-by: [TargetUserName]
  timespan: 10m
  condition: {gte: 3}
`;
  it('fires when the count is reached within the timespan, per group', () => {
    const { feed } = setup(rule);
    expect(feed(0, { EventID: 4625, TargetUserName: 'bob' })).toEqual([]);
    expect(feed(10, { EventID: 4625, TargetUserName: 'alice' })).toEqual([]);
    expect(feed(20, { EventID: 4625, TargetUserName: 'bob' })).toEqual([]);
    const hits = feed(30, { EventID: 4625, TargetUserName: 'BOB' });
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ value: 3, group: { TargetUserName: 'bob' } });
    expect(hits[0]!.members).toHaveLength(3);
  });
  it('forgets events older than the timespan', () => {
    const { feed } = setup(rule);
    feed(0, { EventID: 4625, TargetUserName: 'bob' });
    feed(300, { EventID: 4625, TargetUserName: 'bob' });
    expect(feed(11 * 60, { EventID: 4625, TargetUserName: 'bob' })).toEqual([]); // the first fell out
    expect(feed(11 * 60 + 5, { EventID: 4625, TargetUserName: 'bob' })).toHaveLength(1);
  });
  it('an event without the group-by field is not counted', () => {
    const { feed } = setup(rule);
    for (let i = 0; i < 5; i++) expect(feed(i, { EventID: 4625 })).toEqual([]);
  });
  it('a range condition (gt and lte) and an upper bound judged when the window closes', () => {
    const range = setup(rule.replace('{gte: 3}', '{gt: 1, lte: 2}'));
    expect(range.feed(0, { EventID: 4625, TargetUserName: 'bob' })).toEqual([]);
    expect(range.feed(1, { EventID: 4625, TargetUserName: 'bob' })[0]).toMatchObject({ value: 2 });
    const few = setup(rule.replace('{gte: 3}', '{lt: 3}'));
    few.feed(0, { EventID: 4625, TargetUserName: 'bob' });
    few.feed(1, { EventID: 4625, TargetUserName: 'bob' });
    for (let i = 0; i < 3; i++) few.feed(2 + i, { EventID: 4625, TargetUserName: 'eve' });
    // nothing is known before the windows end
    expect(few.fired).toEqual([]);
    const closed = few.engine.flush(few.t0 + 11 * 60_000);
    expect(closed.map((h) => [h.group.TargetUserName, h.value])).toEqual([['bob', 2]]);
  });
});

describe('value_count', () => {
  it('counts distinct values of a field per group', () => {
    const { feed } = setup(`title: Password spraying
correlation:
  type: value_count
  rules: [failed_login]
  group-by: [IpAddress]
  timespan: 1h
  condition: {field: TargetUserName, gte: 3}
`);
    feed(0, { EventID: 4625, IpAddress: '198.51.100.45', TargetUserName: 'a' });
    feed(1, { EventID: 4625, IpAddress: '198.51.100.45', TargetUserName: 'a' });
    expect(feed(2, { EventID: 4625, IpAddress: '198.51.100.45', TargetUserName: 'b' })).toEqual([]);
    expect(feed(3, { EventID: 4625, IpAddress: '203.0.113.9', TargetUserName: 'c' })).toEqual([]);
    expect(feed(4, { EventID: 4625, IpAddress: '198.51.100.45', TargetUserName: 'c' })[0]).toMatchObject({ value: 3, group: { IpAddress: '198.51.100.45' } });
  });

  it('forgets values that slid out of the window, also after many repeats and out-of-order arrivals', () => {
    const { feed } = setup(`title: Password spraying
correlation: {type: value_count, rules: [failed_login], group-by: [IpAddress], timespan: 10m, condition: {field: TargetUserName, gte: 3}}
`);
    const ip = '198.51.100.45';
    feed(0, { EventID: 4625, IpAddress: ip, TargetUserName: 'a' });
    feed(60, { EventID: 4625, IpAddress: ip, TargetUserName: 'b' });
    // 5000 guesses at one account: still two distinct names
    for (let i = 0; i < 5000; i++) expect(feed(120 + i * 0.1, { EventID: 4625, IpAddress: ip, TargetUserName: 'b' })).toEqual([]);
    // 'a' (at 0 s) is out of the window by 700 s: a third name then makes only 2 distinct ('b', 'c')
    expect(feed(700, { EventID: 4625, IpAddress: ip, TargetUserName: 'c' })).toEqual([]);
    // a late record from 650 s (inside the window) brings 'a' back: 3 distinct, from 650 s on
    const [hit] = feed(650, { EventID: 4625, IpAddress: ip, TargetUserName: 'a' });
    expect(hit).toMatchObject({ value: 3, group: { IpAddress: ip } });
    expect(hit!.members.length).toBeLessThanOrEqual(100);
  });
});

describe('value_sum and value_avg', () => {
  it('sum and average a numeric field', () => {
    const sum = setup(`title: volume
correlation: {type: value_sum, rules: [failed_login], group-by: [IpAddress], timespan: 1h, condition: {field: Bytes, gt: 100}}
`);
    sum.feed(0, { EventID: 4625, IpAddress: '1.1.1.1', Bytes: 60 });
    expect(sum.feed(1, { EventID: 4625, IpAddress: '1.1.1.1', Bytes: '50' })[0]).toMatchObject({ value: 110 });
    const avg = setup(`title: avg
correlation: {type: value_avg, rules: [failed_login], group-by: [IpAddress], timespan: 1h, condition: {field: Bytes, gte: 50}}
`);
    expect(avg.feed(0, { EventID: 4625, IpAddress: '1.1.1.1', Bytes: 70 })[0]).toMatchObject({ value: 70 });
  });
});

describe('temporal', () => {
  const rule = `title: Recon burst
correlation:
  type: temporal
  rules: [recon_a, recon_b, recon_c]
  group-by: [Computer, User]
  timespan: 5m
`;
  it('all rules, any order, same group, within the timespan', () => {
    const { feed } = setup(rule);
    const who = { Computer: 'WS1', User: 'bob' };
    feed(0, { ...who, Image: 'C:\\Windows\\System32\\nltest.exe' }, proc);
    feed(10, { ...who, Image: 'C:\\Windows\\System32\\whoami.exe' }, proc);
    feed(20, { Computer: 'WS2', User: 'bob', Image: 'C:\\Windows\\System32\\net.exe' }, proc); // another host
    expect(feed(30, { ...who, Image: 'C:\\Windows\\System32\\whoami.exe' }, proc)).toEqual([]);
    const hits = feed(40, { ...who, Image: 'C:\\Windows\\System32\\net.exe' }, proc);
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ value: 3, group: who });
  });
  it('not when they are further apart than the timespan', () => {
    const { feed } = setup(rule);
    const who = { Computer: 'WS1', User: 'bob' };
    feed(0, { ...who, Image: 'x\\nltest.exe' }, proc);
    feed(10, { ...who, Image: 'x\\whoami.exe' }, proc);
    expect(feed(6 * 60, { ...who, Image: 'x\\net.exe' }, proc)).toEqual([]);
  });
  it('aliases group different fields of different rules', () => {
    const { feed } = setup(`title: failure then success from the same place
correlation:
  type: temporal
  rules: [failed_login, successful_login]
  group-by: [remote]
  timespan: 1m
  aliases:
    remote:
      failed_login: IpAddress
      successful_login: SourceAddress
`);
    feed(0, { EventID: 4625, IpAddress: '10.164.1.8' });
    expect(feed(5, { EventID: 4624, SourceAddress: '10.164.1.9' })).toEqual([]);
    expect(feed(6, { EventID: 4624, SourceAddress: '10.164.1.8' })[0]).toMatchObject({ group: { remote: '10.164.1.8' } });
  });
});

describe('temporal_ordered and chains', () => {
  const spec = `title: Correlation - Multiple Failed Logins Followed by Successful Login
id: b180ead8-d58f-40b2-ae54-c8940995b9b6
correlation:
  type: temporal_ordered
  rules: [multiple_failed_login, successful_login]
  group-by: [User]
  timespan: 10m
level: high
---
title: Multiple failed logons
id: a8418a5a-5fc4-46b5-b23b-6c73beb19d41
name: multiple_failed_login
correlation:
  type: event_count
  rules: [failed_login]
  group-by: [User]
  timespan: 10m
  condition: {gte: 3}
`;
  it("the spec's example: many failures, then a success, by the same user", () => {
    const { feed, engine, loaded } = setup(spec);
    expect(feed(0, { EventID: 4624, User: 'bob' })).toEqual([]); // success first: not in order
    for (let i = 1; i <= 2; i++) expect(feed(i, { EventID: 4625, User: 'bob' })).toEqual([]);
    const third = feed(3, { EventID: 4625, User: 'bob' });
    expect(third.map((h) => h.rule.title)).toEqual(['Multiple failed logons']);
    const success = feed(4, { EventID: 4624, User: 'bob' });
    expect(success.map((h) => h.rule.title)).toEqual(['Correlation - Multiple Failed Logins Followed by Successful Login']);
    expect(success[0]!.members.map((m) => m.rule.title)).toEqual(['Multiple failed logons', 'Successful login']);
    // generate is false by default: the referenced rules only feed the correlation
    const failed = loaded.rules.find((r) => r.name === 'failed_login')!;
    expect(engine.standalone(failed)).toBe(false);
    expect(engine.standalone(loaded.rules.find((r) => r.name === 'recon_a')!)).toBe(true);
  });
  it('the wrong order does not fire', () => {
    const { feed } = setup(`title: ordered
correlation: {type: temporal_ordered, rules: [recon_a, recon_b], group-by: [User], timespan: 5m}
`);
    feed(0, { User: 'bob', Image: 'x\\net.exe' }, proc);
    expect(feed(1, { User: 'bob', Image: 'x\\whoami.exe' }, proc)).toEqual([]);
    expect(feed(2, { User: 'bob', Image: 'x\\net.exe' }, proc)).toHaveLength(1);
  });
});

describe('bad correlation rules', () => {
  const refuse = (text: string) => loadRuleText(text, 'mr_bad.yml').refusals[0]!;
  it('are refused with their reason and line', () => {
    expect(refuse('title: x\ncorrelation: {type: event_count, rules: [a], timespan: 10m}').reason).toMatch(/needs a condition/);
    expect(refuse('title: x\ncorrelation: {type: value_count, rules: [a], timespan: 10m, condition: {gte: 2}}').reason).toMatch(/needs the field/);
    expect(refuse('title: x\ncorrelation: {type: sometimes, rules: [a], timespan: 10m}').reason).toMatch(/type must be one of/);
    expect(refuse('title: x\ncorrelation: {type: temporal, rules: [a], timespan: 10 minutes}').reason).toMatch(/timespan/);
    const r = refuse('title: x\ncorrelation:\n  type: event_count\n  rules: [a]\n  timespan: 1h\n  condition: {about: 3}');
    expect(r.reason).toMatch(/operator "about"/);
    expect(r.line).toBe(6);
    expect(refuse('title: x\ncorrelation: {type: value_percentile, rules: [a], timespan: 1h, condition: {field: f, lte: 1}}').category).toBe('unsupported correlation');
  });
  it('an unknown referenced rule is a problem of that correlation only', () => {
    const loaded = loadRuleText(`${BASE_RULES}---\ntitle: dangling\ncorrelation: {type: temporal, rules: [no_such_rule, recon_a], timespan: 1m}`, 'f.yml');
    const engine = new CorrelationEngine(loaded.correlations, loaded.rules);
    expect(engine.problems).toEqual([expect.objectContaining({ reason: 'references unknown rule(s) no_such_rule' })]);
  });
});

describe('closing windows by the newest event time', () => {
  it('keeps a sliding window whose first event is old but whose recent events still count', () => {
    const { rules, correlations } = loadRuleText(
      `title: failure\nid: 22222222-2222-4222-8222-222222222222\nlogsource: { category: test }\ndetection: { sel: { kind: fail }, condition: sel }\n---\ntitle: ten failures\ncorrelation: { type: event_count, rules: [22222222-2222-4222-8222-222222222222], group-by: [src], timespan: 5m, condition: { gte: 10 } }\n`,
      'flush.yml',
    );
    const engine = new CorrelationEngine(correlations, rules);
    const event = { field: (f: string) => ({ strings: [f === 'src' ? '198.51.100.9' : 'x'] }) } as never;
    const feed = (minute: number) => engine.feed({ rule: rules[0]!, time: minute * 60_000, event, ref: minute });
    // one failure at 0:00, then eight from 4:00 to 4:07 (nine in five minutes: not yet); other traffic moves time on to 6:00
    expect(feed(0)).toEqual([]);
    for (let i = 0; i < 8; i++) expect(feed(4 + i / 60)).toEqual([]);
    expect(engine.flush(6 * 60_000)).toEqual([]);
    // two more at 6:00 and 6:01: with the eight of 4:00 that is ten within five minutes — the window kept them through the flush
    expect(feed(6)).toEqual([]);
    expect(feed(6 + 1 / 60).map((h) => h.value)).toEqual([10]);
  });
});
