/**
 * The spread of an incident over hosts as a chart: each host at the time it was first seen,
 * in the order of infection (top to bottom), the first host marked in red, a line following
 * the infection from host to host.
 */
import { useContext, useMemo } from 'react';
import { Chart } from './Chart';
import { html } from './html';
import { LangContext, ruleNameIn, useT } from './i18n';
import { useTime } from './time';

export interface SpreadHost {
  host: string;
  hostname?: string;
  orgUnit?: string;
  firstSeen: string;
  order: number;
  evidence: { rule: string };
}

export function SpreadChart({ hosts, height = 220, dark = false, testId }: { hosts: SpreadHost[]; height?: number | string; dark?: boolean; testId?: string }) {
  const fmt = useTime();
  const t = useT();
  const { lang } = useContext(LangContext);
  const option = useMemo(() => {
    const sorted = [...hosts].sort((a, b) => a.order - b.order);
    const labels = sorted.map((h) => (h.hostname ? `${h.host} ${h.hostname}` : h.host));
    const text = dark ? '#a9bfdf' : '#555';
    return {
      tooltip: {
        trigger: 'item',
        formatter: (p: { dataIndex: number }) => {
          const h = sorted[p.dataIndex]!;
          // ECharts puts this into the page as HTML: every value escaped (a host name can come from a device log)
          return html`#${h.order} ${h.host}${h.hostname ? ` (${h.hostname})` : ''}<br/>${fmt(h.firstSeen)}<br/>${ruleNameIn(h.evidence.rule, lang)}`;
        },
      },
      grid: { top: 10, left: 150, right: 40, bottom: 30 },
      xAxis: { type: 'time', axisLabel: { color: text, hideOverlap: true }, splitLine: { lineStyle: { color: dark ? '#1d3b66' : '#eee' } } },
      yAxis: { type: 'category', inverse: true, data: labels, axisLabel: { color: text, fontSize: 11 } },
      series: [
        {
          type: 'line',
          step: false,
          symbol: 'circle',
          symbolSize: 11,
          lineStyle: { color: dark ? '#ff7875' : '#ffa39e', type: 'dashed' },
          data: sorted.map((h, i) => ({ value: [h.firstSeen, labels[i]], itemStyle: { color: i === 0 ? '#cf1322' : '#fa8c16' } })),
          label: { show: true, position: 'right', color: text, formatter: (p: { dataIndex: number }) => (p.dataIndex === 0 ? t('firstHost') : html`#${sorted[p.dataIndex]!.order}`) },
        },
      ],
    };
  }, [hosts, dark, lang]);
  return <Chart option={option} height={height} dark={dark} testId={testId} />;
}
