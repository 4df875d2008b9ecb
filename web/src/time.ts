/**
 * One way to write a time per language, everywhere in the console (queue, incident, wall,
 * charts): zh-CN "2026/11/30 07:14:01", English "30 Nov 2026, 07:14:01" — 24-hour, in the
 * browser's zone. The browser's own locale does not decide it: the chosen language does.
 */
import { useContext } from 'react';
import { LangContext, type Lang } from './i18n';

const LOCALES: Record<Lang, string> = { zh: 'zh-CN', en: 'en-GB' };
const formats = new Map<string, Intl.DateTimeFormat>();

function format(lang: Lang, kind: 'full' | 'time' | 'hour'): Intl.DateTimeFormat {
  const key = `${lang}:${kind}`;
  let f = formats.get(key);
  if (!f) {
    const opts: Intl.DateTimeFormatOptions =
      kind === 'full'
        ? { year: 'numeric', month: lang === 'zh' ? '2-digit' : 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }
        : kind === 'time'
          ? { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }
          : { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
    f = new Intl.DateTimeFormat(LOCALES[lang], opts);
    formats.set(key, f);
  }
  return f;
}

/** A date and time ("" for none); `time`: the time of day only; `hour`: hours and minutes (chart axes). */
export function formatTime(value: string | number | Date | null | undefined, lang: Lang, kind: 'full' | 'time' | 'hour' = 'full'): string {
  if (value === null || value === undefined || value === '') return '';
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? String(value) : format(lang, kind).format(d);
}

/** formatTime in the chosen language */
export function useTime(): (value: string | number | Date | null | undefined, kind?: 'full' | 'time' | 'hour') => string {
  const { lang } = useContext(LangContext);
  return (value, kind) => formatTime(value, lang, kind);
}
