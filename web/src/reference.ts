/**
 * Reference data every screen names things with: the grading table's incident types (names in
 * both languages) and the org units. Read once per page load and shared by the screens.
 */
import { useContext, useEffect, useState } from 'react';
import { api } from './api';
import { LangContext } from './i18n';

interface GradingEntry {
  type: string;
  nameZh: string;
  nameEn: string;
  level: number;
}
export interface OrgUnit {
  code: string;
  name: string;
  kind: string;
}
interface Reference {
  types: GradingEntry[];
  orgUnits: OrgUnit[];
}

let cached: Promise<Reference> | undefined;
/** names not known when asked for, each read again once (a branch or type added since the page loaded) */
const retried = new Set<string>();

function load(): Promise<Reference> {
  cached ??= Promise.all([api('GET', '/api/grading'), api('GET', '/api/org-units')]).then(
    ([g, o]) => ({ types: g.entries, orgUnits: o }),
    (e: unknown) => {
      cached = undefined;
      throw e;
    },
  );
  return cached;
}

/** Forget the cache: the grading table or the org units were edited (the next screen reads them again). */
export function reloadReference() {
  cached = undefined;
}

export function useReference() {
  const { lang } = useContext(LangContext);
  const [ref, setRef] = useState<Reference>({ types: [], orgUnits: [] });
  const [generation, setGeneration] = useState(0);
  useEffect(() => void load().then(setRef, () => undefined), [generation]);
  // a name not known yet (a branch or type added since the page loaded): read again, once per name
  const missed = (name: string) => {
    if (retried.has(name)) return;
    retried.add(name);
    reloadReference();
    setTimeout(() => setGeneration((g) => g + 1), 0);
  };
  const typeName = (type: string | null | undefined): string => {
    if (!type) return '';
    const e = ref.types.find((x) => x.type === type);
    if (!e && ref.types.length) missed(`type:${type}`);
    return e ? (lang === 'en' ? e.nameEn : e.nameZh) : type;
  };
  const unitName = (code: string | null | undefined): string => {
    if (!code) return '';
    const u = ref.orgUnits.find((x) => x.code === code);
    if (!u && ref.orgUnits.length) missed(`unit:${code}`);
    return u ? u.name : code;
  };
  return { ...ref, typeName, unitName, lang };
}

/** The title in the console's language: the product's own English wording where it wrote one. */
export function titleIn(lang: string, x: { title: string; titleEn?: string | null }): string {
  return lang === 'en' ? (x.titleEn ?? x.title) : x.title;
}

/** A reason in the console's language: the product's own English wording where it wrote one. */
export function reasonIn(lang: string, x: { reason?: string | null; reasonEn?: string | null }): string {
  return (lang === 'en' ? (x.reasonEn ?? x.reason) : x.reason) ?? '';
}

/** Table paging only once a list is longer than a page. */
export function pagedOver(rows: number, pageSize = 20) {
  return rows > pageSize ? { pageSize, size: 'small' as const, showSizeChanger: false } : false;
}
