/** A finding's severity as a coloured tag in the console's language (the findings page and the incident's known findings). */
import { Tag } from 'antd';
import { type WordKey, useT } from '../i18n';

/** the most severe first */
export const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low', 'info'] as const;
export const SEVERITY_COLORS: Record<string, string> = { critical: 'red', high: 'volcano', medium: 'orange', low: 'blue', info: 'default' };

export function SeverityTag({ severity }: { severity: string }) {
  const t = useT();
  return <Tag color={SEVERITY_COLORS[severity]}>{t(`severity_${severity}` as WordKey)}</Tag>;
}
