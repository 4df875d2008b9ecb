/**
 * 周期工作 Periodic work (issue 15), one page in tabs: the findings of scans and checks, the
 * recurring work and its occurrences, the quarter view, and special campaigns (with drills).
 */
import { Tabs } from 'antd';
import { useT } from '../i18n';
import { Campaigns } from './Campaigns';
import { Findings } from './Findings';
import { QuarterView } from './QuarterView';
import { WorkPlan } from './WorkPlan';

const TABS = ['findings', 'work', 'quarter', 'campaigns'] as const;

export function Periodic({ tab, q, canManage, canCreateIncident }: { tab?: string; q?: string; canManage: boolean; canCreateIncident: boolean }) {
  const t = useT();
  const items = [
    { key: 'findings', label: t('tabFindings'), children: <Findings canManage={canManage} q={q} /> },
    { key: 'work', label: t('tabWork'), children: <WorkPlan canManage={canManage} /> },
    { key: 'quarter', label: t('tabQuarter'), children: <QuarterView /> },
    { key: 'campaigns', label: t('tabCampaigns'), children: <Campaigns canManage={canManage} canCreateIncident={canCreateIncident} /> },
  ];
  const active = (TABS as readonly string[]).includes(tab ?? '') ? tab! : 'findings';
  return <Tabs items={items} activeKey={active} onChange={(k) => (location.hash = `#/periodic/${k}`)} destroyOnHidden data-testid="periodic" />;
}
