/**
 * What kind of device sent a record, when its format does not say (CEF carries any device's
 * events): from its vendor and product, by a table of known devices — Chinese vendors first,
 * since they are what our users run — which the configuration can extend or override per
 * vendor/product. The class decides the ECS categories rules select on (an IDS's or a WAF's
 * records are `intrusion_detection`, an antivirus's `malware`) and the observer type (a honeypot
 * is reported as such: any contact with one is suspicious).
 */

export const DEVICE_CLASSES = ['ids', 'waf', 'firewall', 'honeypot', 'antivirus', 'email', 'network'] as const;
export type DeviceClass = (typeof DEVICE_CLASSES)[number];

/** The ECS categories and observer type of each class. */
export const DEVICE_CLASS_MEANING: Record<DeviceClass, { categories: string[]; observerType: string }> = {
  ids: { categories: ['intrusion_detection', 'network'], observerType: 'ids' },
  waf: { categories: ['intrusion_detection', 'web', 'network'], observerType: 'waf' },
  firewall: { categories: ['network'], observerType: 'firewall' },
  honeypot: { categories: ['intrusion_detection', 'network'], observerType: 'honeypot' },
  antivirus: { categories: ['malware', 'file'], observerType: 'antivirus' },
  email: { categories: ['email'], observerType: 'email' },
  network: { categories: ['network'], observerType: 'network' },
};

/** A configured class for a vendor (and product): names compared without case, a missing product = every product of the vendor. */
export interface DeviceClassOverride {
  vendor: string;
  product?: string;
  class: DeviceClass;
}

interface Known {
  vendor: RegExp;
  /** absent: the vendor's products not named by a more specific entry */
  product?: RegExp;
  class: DeviceClass;
}

/** Most specific first: a vendor's named products, then the vendor's default. */
const KNOWN: readonly Known[] = [
  // 奇安信 Qi An Xin (网神 Legendsec)
  { vendor: /qi\s*an\s*xin|qianxin|奇安信|legendsec|网神/i, product: /sky\s*eye|天眼|ndr|ids|ips|tss|流量/i, class: 'ids' },
  { vendor: /qi\s*an\s*xin|qianxin|奇安信|legendsec|网神/i, product: /waf|web.*(应用|firewall)|网站/i, class: 'waf' },
  { vendor: /qi\s*an\s*xin|qianxin|奇安信|legendsec|网神/i, product: /天擎|tianqing|edr|终端|anti.?virus|杀毒|skylar/i, class: 'antivirus' },
  { vendor: /qi\s*an\s*xin|qianxin|奇安信|legendsec|网神/i, product: /蜜罐|honey/i, class: 'honeypot' },
  { vendor: /qi\s*an\s*xin|qianxin|奇安信|legendsec|网神/i, class: 'firewall' },
  // 深信服 Sangfor
  { vendor: /sangfor|深信服/i, product: /sip|态势|感知|ids|ips|sta/i, class: 'ids' },
  { vendor: /sangfor|深信服/i, product: /waf/i, class: 'waf' },
  { vendor: /sangfor|深信服/i, product: /edr|终端|es\b/i, class: 'antivirus' },
  { vendor: /sangfor|深信服/i, class: 'firewall' },
  // 绿盟 NSFOCUS
  { vendor: /nsfocus|绿盟/i, product: /waf|web/i, class: 'waf' },
  { vendor: /nsfocus|绿盟/i, product: /\bnf\b|firewall|防火墙/i, class: 'firewall' },
  { vendor: /nsfocus|绿盟/i, product: /蜜罐|honey|伪装/i, class: 'honeypot' },
  { vendor: /nsfocus|绿盟/i, class: 'ids' },
  // 山石 Hillstone
  { vendor: /hillstone|山石/i, product: /ips|ids|sg-?6000-?x|bds|服务器安全/i, class: 'ids' },
  { vendor: /hillstone|山石/i, product: /waf/i, class: 'waf' },
  { vendor: /hillstone|山石/i, class: 'firewall' },
  // 天融信 Topsec
  { vendor: /topsec|天融信/i, product: /idp|ids|ips|入侵/i, class: 'ids' },
  { vendor: /topsec|天融信/i, product: /waf|web/i, class: 'waf' },
  { vendor: /topsec|天融信/i, class: 'firewall' },
  // 新华三 H3C
  { vendor: /h3c|新华三|华三/i, product: /ips|ids|入侵/i, class: 'ids' },
  { vendor: /h3c|新华三|华三/i, product: /waf/i, class: 'waf' },
  { vendor: /h3c|新华三|华三/i, class: 'firewall' },
  // 华为 Huawei
  { vendor: /huawei|华为/i, product: /nip|ips|ids|cis|hisec\s*insight/i, class: 'ids' },
  { vendor: /huawei|华为/i, product: /waf/i, class: 'waf' },
  { vendor: /huawei|华为/i, class: 'firewall' },
  // 启明星辰 Venustech
  { vendor: /venus|启明星辰/i, product: /waf|web|天清/i, class: 'waf' },
  { vendor: /venus|启明星辰/i, product: /fw|firewall|防火墙|天清汉马/i, class: 'firewall' },
  { vendor: /venus|启明星辰/i, class: 'ids' },
  // 微步 ThreatBook
  { vendor: /threat\s*book|微步/i, product: /hfish|蜜罐|honey/i, class: 'honeypot' },
  { vendor: /threat\s*book|微步/i, product: /onesec|edr|终端/i, class: 'antivirus' },
  { vendor: /threat\s*book|微步/i, class: 'ids' },
  // 长亭 Chaitin
  { vendor: /chaitin|长亭/i, product: /safe\s*line|雷池|waf/i, class: 'waf' },
  { vendor: /chaitin|长亭/i, product: /d-?sensor|谛听|蜜罐|honey/i, class: 'honeypot' },
  { vendor: /chaitin|长亭/i, product: /牧云|collie|cloudwalker/i, class: 'antivirus' },
  { vendor: /chaitin|长亭/i, class: 'waf' },
  // 安恒 DBAPPSecurity, 360, 亚信 AsiaInfo, 知道创宇 Knownsec
  { vendor: /dbapp|安恒/i, product: /waf|web|明御/i, class: 'waf' },
  { vendor: /dbapp|安恒/i, class: 'ids' },
  { vendor: /^360|奇虎|qihoo/i, class: 'antivirus' },
  { vendor: /asiainfo|亚信/i, class: 'antivirus' },
  { vendor: /knownsec|知道创宇/i, class: 'waf' },
  // honeypots
  { vendor: /hfish|t-?pot|cowrie|opencanary|thinkst|dionaea|glastopf|conpot|honey/i, class: 'honeypot' },
  { vendor: /.*/, product: /honey|蜜罐|canary/i, class: 'honeypot' },
  // international
  { vendor: /palo\s*alto/i, class: 'firewall' },
  { vendor: /fortinet/i, product: /fortiweb/i, class: 'waf' },
  { vendor: /fortinet/i, product: /forticlient|fortiedr/i, class: 'antivirus' },
  { vendor: /fortinet/i, class: 'firewall' },
  { vendor: /check\s*point/i, class: 'firewall' },
  { vendor: /cisco/i, product: /firepower|ips|ids|sourcefire|snort/i, class: 'ids' },
  { vendor: /cisco/i, product: /esa|email/i, class: 'email' },
  { vendor: /cisco/i, class: 'firewall' },
  { vendor: /juniper/i, product: /idp|ips/i, class: 'ids' },
  { vendor: /juniper/i, class: 'firewall' },
  { vendor: /sonicwall|watchguard|sophos|barracuda/i, product: /waf/i, class: 'waf' },
  { vendor: /sonicwall|watchguard|sophos/i, class: 'firewall' },
  { vendor: /.*/, product: /snort|suricata|zeek|bro\b|ids|ips|tippingpoint|deep\s*discovery|ndr/i, class: 'ids' },
  { vendor: /imperva|f5|modsecurity|akamai|cloudflare|signal\s*sciences/i, class: 'waf' },
  { vendor: /.*/, product: /waf|asm|web\s*application/i, class: 'waf' },
  { vendor: /trend\s*micro|mcafee|trellix|symantec|broadcom|kaspersky|eset|bitdefender|crowdstrike|sentinel\s*one|carbon\s*black|microsoft/i, product: /defender|endpoint|apex|office\s*scan|deep\s*security|antivirus|anti-?malware|edr|falcon|epo|sep/i, class: 'antivirus' },
  { vendor: /kaspersky|eset|bitdefender|crowdstrike|sentinel\s*one|carbon\s*black/i, class: 'antivirus' },
  { vendor: /proofpoint|mimecast|coremail|ironport/i, class: 'email' },
  { vendor: /.*/, product: /mail|邮件/i, class: 'email' },
  { vendor: /.*/, product: /anti.?virus|杀毒|edr|endpoint/i, class: 'antivirus' },
  { vendor: /.*/, product: /firewall|防火墙|ngfw|utm/i, class: 'firewall' },
];

/** The class of a device, the configuration's word first; undefined when nothing knows it. */
export function deviceClassOf(vendor: string | undefined, product: string | undefined, overrides: readonly DeviceClassOverride[] = []): DeviceClass | undefined {
  const v = (vendor ?? '').trim().toLowerCase();
  const p = (product ?? '').trim().toLowerCase();
  const exact = overrides.find((o) => o.vendor.toLowerCase() === v && o.product !== undefined && o.product.toLowerCase() === p);
  const byVendor = overrides.find((o) => o.vendor.toLowerCase() === v && o.product === undefined);
  if (exact ?? byVendor) return (exact ?? byVendor)!.class;
  for (const k of KNOWN) {
    if (!k.vendor.test(vendor ?? '')) continue;
    if (k.product && !k.product.test(product ?? '')) continue;
    return k.class;
  }
  return undefined;
}

/** Words in a record's own class or name that make a firewall's record a threat report, not a connection log. */
const THREAT_WORDS = /intrusion|attack|exploit|ips|ids|threat|virus|malware|trojan|botnet|c&c|c2|webshell|brute|scan|入侵|攻击|漏洞|病毒|木马|威胁|僵尸|扫描|爆破|暴力/i;
const MALWARE_WORDS = /virus|malware|trojan|ransom|worm|病毒|木马|勒索|蠕虫/i;

/**
 * The ECS categories of a record from a device of this class. A firewall (or an unknown device)
 * that calls a record an intrusion, attack or virus in its own class or name reports a threat.
 */
export function deviceCategories(cls: DeviceClass | undefined, recordClass: string): string[] {
  const base = [...DEVICE_CLASS_MEANING[cls ?? 'network'].categories];
  if ((cls === undefined || cls === 'firewall' || cls === 'network') && THREAT_WORDS.test(recordClass)) base.unshift('intrusion_detection');
  if (cls !== 'antivirus' && MALWARE_WORDS.test(recordClass) && !base.includes('malware')) base.push('malware');
  return base;
}

const LOGIN_WORDS = /log-?[io]n|sign-?in|auth|credential|password|登录|登陆|认证|口令|密码/i;
const FAILED_WORDS = /fail|denied|invalid|incorrect|wrong|bad|reject|失败|错误|拒绝/i;
const SUCCEEDED_WORDS = /success|succeeded|accepted|成功/i;

/**
 * A device's record of a log-on (a VPN's or a firewall's administration log-in, a honeypot's
 * credential attempt) is an authentication event: its outcome from the record's own outcome
 * field, else from its words ("login failed", "登录失败"). Rules that count failed log-ons see it.
 */
export function loginOf(recordClass: string, outcomeField?: string): { outcome?: 'success' | 'failure' } | undefined {
  if (!LOGIN_WORDS.test(recordClass)) return undefined;
  const o = outcomeField?.toLowerCase();
  if (o === 'success' || o === 'failure') return { outcome: o };
  if (FAILED_WORDS.test(recordClass)) return { outcome: 'failure' };
  return SUCCEEDED_WORDS.test(recordClass) ? { outcome: 'success' } : {};
}
