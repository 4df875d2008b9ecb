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
let loadedAt = 0;

function load(): Promise<Reference> {
  if (!cached) loadedAt = Date.now();
  cached ??= Promise.all([api<{ entries: GradingEntry[] }>('GET', '/api/grading'), api<OrgUnit[]>('GET', '/api/org-units')]).then(
    ([g, o]) => ({ types: g.entries, orgUnits: o }),
    (e: unknown) => {
      cached = undefined;
      throw e;
    },
  );
  return cached;
}

/** Forget the cache (after the grading table or org units are edited). */
export function reloadReference() {
  cached = undefined;
}

export function useReference() {
  const { lang } = useContext(LangContext);
  const [ref, setRef] = useState<Reference>({ types: [], orgUnits: [] });
  const [generation, setGeneration] = useState(0);
  useEffect(() => void load().then(setRef, () => undefined), [generation]);
  // a name not known yet (a branch or type added since the page loaded): read again, at most every 2 s
  const missed = () => {
    if (Date.now() - loadedAt < 2_000) return;
    reloadReference();
    setTimeout(() => setGeneration((g) => g + 1), 0);
  };
  const typeName = (type: string | null | undefined): string => {
    if (!type) return '';
    const e = ref.types.find((x) => x.type === type);
    if (!e && ref.types.length) missed();
    return e ? (lang === 'en' ? e.nameEn : e.nameZh) : type;
  };
  const unitName = (code: string | null | undefined): string => {
    if (!code) return '';
    const u = ref.orgUnits.find((x) => x.code === code);
    if (!u && ref.orgUnits.length) missed();
    return u ? u.name : code;
  };
  return { ...ref, typeName, unitName, lang };
}

/** The title in the console's language: the product's own English wording where it wrote one. */
export function titleIn(lang: string, x: { title: string; titleEn?: string | null }): string {
  return lang === 'en' ? (x.titleEn ?? x.title) : x.title;
}
