/**
 * 季度视图 The quarter view (issue 15): per org unit, recurring work done on time, late, skipped,
 * overdue and not yet due (a stacked bar chart), findings opened, closed and overdue at the end
 * (another), mean days to fix by severity, what is overdue; the quarterly report exported as Word
 * or Markdown in the chosen language. Names in the charts' tooltips go through `html` (escaped).
 */
import { Button, Card, Col, Row, Select, Space, Statistic, Table, Typography } from 'antd';
import { useContext, useEffect, useMemo, useState } from 'react';
import { type Answer, api } from '../api';
import { Chart } from '../Chart';
import { useErrorText } from '../errors';
import { html } from '../html';
import { LangContext, type WordKey, useT } from '../i18n';
import { useReference } from '../reference';
import { useTime } from '../time';
import { SeverityTag } from './SeverityTag';

type Quarter = Answer<'GET', '/api/periodic/quarter'>;
const WORK = ['onTime', 'late', 'skipped', 'overdue', 'notYetDue'] as const;
const WORK_COLORS = ['#52c41a', '#faad14', '#bfbfbf', '#cf1322', '#1677ff'];
const FINDINGS = ['opened', 'closed', 'overdueAtEnd'] as const;
const FINDING_COLORS = ['#fa8c16', '#52c41a', '#cf1322'];

/** this quarter and the three before it, newest first: 2026Q4, 2026Q3… */
function recentQuarters(now = new Date()): string[] {
  let y = now.getFullYear();
  let q = Math.floor(now.getMonth() / 3) + 1;
  const out: string[] = [];
  for (let i = 0; i < 4; i++) {
    out.push(`${y}Q${q}`);
    if (--q === 0) [y, q] = [y - 1, 4];
  }
  return out;
}

/** an axis tooltip: the unit, then each series' value, every name escaped */
function axisTooltip(params: Array<{ axisValueLabel: string; marker: string; seriesName: string; value: number }>): string {
  return [html`<b>${params[0]?.axisValueLabel ?? ''}</b>`, ...params.map((p) => `${p.marker}${html`${p.seriesName}: ${p.value}`}`)].join('<br/>');
}

export function QuarterView() {
  const t = useT();
  const { lang } = useContext(LangContext);
  const fmt = useTime();
  const ref = useReference();
  const errText = useErrorText();
  const quarters = useMemo(() => recentQuarters(), []);
  const [quarter, setQuarter] = useState(quarters[0]!);
  const [orgUnit, setOrgUnit] = useState<string>();
  const [view, setView] = useState<Quarter>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    const p = new URLSearchParams({ quarter });
    if (orgUnit) p.set('orgUnit', orgUnit);
    void api('GET', `/api/periodic/quarter?${p.toString()}`).then(
      (v) => {
        setView(v);
        setError(undefined);
      },
      (e: unknown) => setError(errText(e)),
    );
  }, [quarter, orgUnit]);
  const label = (q: string) => t('quarterLabel', { year: q.slice(0, 4), q: q.slice(5) });
  const units = view?.units ?? [];
  const names = units.map((u) => (u.orgUnit === '-' ? '—' : ref.unitName(u.orgUnit)));
  const workChart = useMemo(
    () => ({
      tooltip: { trigger: 'axis', formatter: axisTooltip },
      legend: { top: 0 },
      grid: { top: 30, left: 40, right: 10, bottom: 30 },
      xAxis: { type: 'category', data: names },
      yAxis: { type: 'value', minInterval: 1 },
      series: WORK.map((k, i) => ({ name: t(`q_${k}` as WordKey), type: 'bar', stack: 'work', itemStyle: { color: WORK_COLORS[i] }, data: units.map((u) => u.occurrences[k]) })),
    }),
    [view, lang, ref.orgUnits],
  );
  const findingChart = useMemo(
    () => ({
      tooltip: { trigger: 'axis', formatter: axisTooltip },
      legend: { top: 0 },
      grid: { top: 30, left: 40, right: 10, bottom: 30 },
      xAxis: { type: 'category', data: names },
      yAxis: { type: 'value', minInterval: 1 },
      series: FINDINGS.map((k, i) => ({ name: t(`q_${k}` as WordKey), type: 'bar', itemStyle: { color: FINDING_COLORS[i] }, data: units.map((u) => u.findings[k]) })),
    }),
    [view, lang, ref.orgUnits],
  );
  const report = (format: 'docx' | 'md') => {
    const p = new URLSearchParams({ quarter, format, locale: lang === 'zh' ? 'zh-CN' : 'en' });
    if (orgUnit) p.set('orgUnit', orgUnit);
    return `/api/periodic/quarter/report?${p.toString()}`;
  };
  const total = view?.total;
  return (
    <Space direction="vertical" style={{ width: '100%' }} size={12}>
      <Space wrap>
        <Select style={{ width: 170 }} value={quarter} onChange={setQuarter} options={quarters.map((q) => ({ value: q, label: label(q) }))} data-testid="quarter" />
        <Select allowClear style={{ width: 170 }} placeholder={t('allUnits')} value={orgUnit} onChange={setOrgUnit} options={ref.orgUnits.map((u) => ({ value: u.code, label: ref.unitName(u.code) }))} />
        <Button href={report('docx')} data-testid="quarter-docx">{t('exportWord')}</Button>
        <Button href={report('md')} data-testid="quarter-md">{t('exportMarkdown')}</Button>
      </Space>
      {error && <Typography.Text type="danger">{error}</Typography.Text>}
      <Row gutter={[12, 12]}>
        <Col xs={12} md={6}><Card size="small"><Statistic title={t('onTimeRate')} value={total?.occurrences.onTimeRate ?? '—'} suffix={total?.occurrences.onTimeRate != null ? '%' : undefined} data-testid="quarter-rate" /></Card></Col>
        <Col xs={12} md={6}><Card size="small"><Statistic title={t('q_overdue')} value={total?.occurrences.overdue ?? 0} valueStyle={total?.occurrences.overdue ? { color: '#cf1322' } : undefined} /></Card></Col>
        <Col xs={12} md={6}><Card size="small"><Statistic title={t('q_opened')} value={total?.findings.opened ?? 0} /></Card></Col>
        <Col xs={12} md={6}><Card size="small"><Statistic title={t('q_closed')} value={total?.findings.closed ?? 0} data-testid="quarter-closed" /></Card></Col>
      </Row>
      <Row gutter={[12, 12]}>
        <Col xs={24} lg={12}><Card title={t('workByUnit')}><Chart option={workChart} height={260} testId="chart-quarter-work" /></Card></Col>
        <Col xs={24} lg={12}><Card title={t('findingsByUnit')}><Chart option={findingChart} height={260} testId="chart-quarter-findings" /></Card></Col>
      </Row>
      <Row gutter={[12, 12]}>
        <Col xs={24} lg={8}>
          <Card title={t('meanDaysBySeverity')} size="small">
            <Table
              size="small"
              pagination={false}
              rowKey="s"
              dataSource={(['critical', 'high', 'medium', 'low'] as const).map((s) => ({ s, days: total?.meanDaysToFix[s] ?? null }))}
              columns={[{ title: t('severity'), dataIndex: 's', render: (s: string) => <SeverityTag severity={s} /> }, { title: t('meanDaysBySeverity'), dataIndex: 'days', render: (d: number | null) => (d === null ? '—' : d) }]}
            />
          </Card>
        </Col>
        <Col xs={24} lg={16}>
          <Card title={t('overdueWorkList')} size="small">
            <Table
              size="small"
              rowKey="id"
              data-testid="quarter-overdue"
              pagination={{ pageSize: 10, hideOnSinglePage: true }}
              dataSource={view?.overdueWork ?? []}
              columns={[
                { title: t('title'), dataIndex: 'title', ellipsis: true },
                { title: t('orgUnit'), dataIndex: 'orgUnit', width: 110, render: (u: string) => ref.unitName(u) },
                { title: t('owner'), dataIndex: 'owner', width: 110 },
                { title: t('workDue'), dataIndex: 'dueAt', width: 170, render: (d: string) => <Typography.Text type="danger">{fmt(d)}</Typography.Text> },
              ]}
            />
          </Card>
        </Col>
      </Row>
    </Space>
  );
}
