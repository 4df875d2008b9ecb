import { Button, Card, Col, Row, Segmented, Space, Statistic, Tag } from 'antd';
import { useContext, useMemo, useState } from 'react';
import { LEVEL_COLORS, PHASES } from '../api';
import { Chart } from '../Chart';
import { categoryName, LangContext, useT } from '../i18n';
import { useReference } from '../reference';
import { duration, useSituation, WARNING_COLORS } from '../situation';
import { useTime } from '../time';

/** the queue's filter for the incidents not closed */
const OPEN = `phase=${PHASES.slice(0, 5).join(',')}`;

export function Dashboard() {
  const fmt = useTime();
  const t = useT();
  const ref = useReference();
  const { lang } = useContext(LangContext);
  const [periodDays, setPeriodDays] = useState(30);
  // drills (exercise incidents) stay out of the real figures unless asked for
  const [exercises, setExercises] = useState<'exclude' | 'include' | 'only'>('exclude');
  const { items, warning, stats, dueSoon: soon } = useSituation(periodDays, exercises);
  const byLevel = useMemo(
    () => ({
      tooltip: {},
      xAxis: { type: 'category', data: [1, 2, 3, 4].map((n) => t('levelN', { n })) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [{ type: 'bar', data: [1, 2, 3, 4].map((n) => ({ value: items.filter((i) => i.level === n).length, itemStyle: { color: LEVEL_COLORS[n] } })) }],
    }),
    [items, t],
  );
  const byPhase = useMemo(
    () => ({
      tooltip: {},
      grid: { left: 36, right: 12, bottom: 28, top: 16, containLabel: true },
      xAxis: { type: 'category', data: PHASES.slice(0, 5).map((p) => t(`phase_${p}`)), axisLabel: { interval: 0, hideOverlap: false, fontSize: 11 } },
      yAxis: { type: 'value', minInterval: 1 },
      series: [{ type: 'bar', data: PHASES.slice(0, 5).map((p) => items.filter((i) => i.phase === p).length), itemStyle: { color: '#1f4e8c' } }],
    }),
    [items, t],
  );
  const units = [...new Set(items.map((i) => i.orgUnit))].sort();
  const byBranch = useMemo(
    () => ({ tooltip: {}, series: [{ type: 'pie', radius: ['40%', '70%'], data: units.map((u) => ({ name: ref.unitName(u), value: items.filter((i) => i.orgUnit === u).length })) }] }),
    [items, units.join(), ref.orgUnits],
  );
  const perHour = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { top: 30, left: 40, right: 10, bottom: 30 },
      xAxis: { type: 'category', data: (stats?.alertsPerHour.hours ?? []).map((h) => fmt(h, 'hour')) },
      yAxis: { type: 'value', minInterval: 1 },
      series: (stats?.alertsPerHour.series ?? []).map((x) => ({ name: categoryName(x.category, lang), type: 'bar', stack: 'a', data: x.counts })),
    }),
    [stats, lang],
  );
  const sources = useMemo(
    () => ({
      tooltip: {},
      grid: { top: 10, left: 110, right: 20, bottom: 20 },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', inverse: true, data: (stats?.topSources ?? []).map((x) => x.ip) },
      series: [{ type: 'bar', data: (stats?.topSources ?? []).map((x) => x.alerts), itemStyle: { color: '#cf1322' } }],
    }),
    [stats],
  );
  return (
    <Row gutter={[12, 12]}>
      <Col xs={12} md={6}>
        <a href={`#/incidents?${OPEN}`} data-testid="drill-open"><Card hoverable><Statistic title={t('openIncidents')} value={items.length} /></Card></a>
      </Col>
      <Col xs={12} md={6}>
        <a href="#/incidents?overdue=1" data-testid="drill-overdue"><Card hoverable><Statistic title={t('overdue')} value={items.filter((i) => i.overdue).length} valueStyle={{ color: '#cf1322' }} /></Card></a>
      </Col>
      <Col xs={12} md={6}>
        <Card><Statistic title={t('dueSoon')} value={soon} valueStyle={{ color: '#fa8c16' }} /></Card>
      </Col>
      <Col xs={12} md={6}>
        <Card>
          <Statistic title={t('warningLevel')} valueRender={() => <Tag color={WARNING_COLORS[warning?.level ?? 'normal']} style={{ fontSize: 18, padding: '4px 10px' }} data-testid="warning-level">{warning ? t(`warning_${warning.level}` as 'warning_normal') : '—'}</Tag>} />
          {warning && warning.level !== 'normal' && (
            <div style={{ marginTop: 6, fontSize: 12 }}>
              {t('unacknowledged')}: {warning.branches.filter((b) => !b.acknowledged).map((b) => ref.unitName(b.orgUnit)).join(lang === 'zh' ? '、' : ', ') || t('none')}
            </div>
          )}
        </Card>
      </Col>
      <Col xs={24} md={8}>
        <Card title={t('byLevel')}><Chart option={byLevel} testId="chart-level" onPick={(i) => (location.hash = `#/incidents?${OPEN}&level=${i + 1}`)} /></Card>
      </Col>
      <Col xs={24} md={8}>
        <Card title={t('byPhase')}><Chart option={byPhase} testId="chart-phase" onPick={(i) => (location.hash = `#/incidents?phase=${PHASES[i]}`)} /></Card>
      </Col>
      <Col xs={24} md={8}>
        <Card title={t('byBranch')}><Chart option={byBranch} onPick={(i) => (location.hash = `#/incidents?${OPEN}&orgUnit=${encodeURIComponent(units[i] ?? '')}`)} /></Card>
      </Col>
      <Col xs={24} lg={16}>
        <Card title={<>{t('alertsPerHour')} {stats?.window.fallback && <span style={{ fontWeight: 400, fontSize: 12 }}>{t('lastActiveDay')}</span>}</>}>
          <Chart option={perHour} height={260} testId="chart-alerts" />
        </Card>
      </Col>
      <Col xs={24} lg={8}>
        <Card title={t('topSources')}>{(stats?.topSources.length ?? 0) > 0 ? <Chart option={sources} height={260} /> : <div style={{ height: 260, color: '#999', padding: 12 }}>{t('noExternalSources')}</div>}</Card>
      </Col>
      <Col xs={24}>
        <Card
          title={<>{t('responseTimes')} <span style={{ fontWeight: 400, fontSize: 12 }} data-testid="times-counted">{t('incidentsCounted', { n: stats?.times.incidents ?? 0 })}</span></>}
          extra={
            <Space>
              <Segmented size="small" value={exercises} onChange={(v) => setExercises(v as typeof exercises)} options={(['exclude', 'include', 'only'] as const).map((x) => ({ value: x, label: t(`exercises_${x}`) }))} data-testid="exercises" />
              <Segmented size="small" value={periodDays} onChange={(v) => setPeriodDays(Number(v))} options={[7, 30, 90, 365].map((n) => ({ value: n, label: t('lastDays', { n }) }))} data-testid="period" />
              <Button size="small" href="#/wall" data-testid="open-wall">{t('wallScreen')}</Button>
            </Space>
          }
        >
          <Row gutter={12}>
            {(['mttd', 'mtta', 'mttr'] as const).map((k) => (
              <Col xs={8} key={k}>
                <Statistic title={t(k)} value={duration(stats?.times[`${k}Minutes`] ?? null)} />
              </Col>
            ))}
          </Row>
        </Card>
      </Col>
    </Row>
  );
}
