/**
 * The wall screen (大屏): the situation for the SOC's big monitor — warning level, open
 * incidents by level, overdue and due-soon work with live SLA countdowns, alerts per hour,
 * top attacking sources, incidents by branch and phase, response times, the latest changes.
 * Dark, no navigation, fills the screen at any size; updates live.
 */
import { useContext, useEffect, useMemo, useState } from 'react';
import { api, LEVEL_COLORS, PHASES } from '../api';
import { Chart } from '../Chart';
import { type SpreadHost, SpreadChart } from '../SpreadChart';
import { categoryName, LangContext, useT } from '../i18n';
import { titleIn, useReference } from '../reference';
import { countdown, duration, useNow, useSituation, WARNING_HEX } from '../situation';
import { useTime } from '../time';

const PANEL: React.CSSProperties = { background: 'rgba(22, 40, 72, 0.85)', border: '1px solid #1d3b66', borderRadius: 6, padding: '10px 14px', minHeight: 0, minWidth: 0, display: 'flex', flexDirection: 'column' };
const HEAD: React.CSSProperties = { color: '#8fb3e8', fontSize: 'clamp(12px, 1.1vw, 18px)', marginBottom: 6, letterSpacing: 1 };

function Panel({ title, children, style, testId }: { title: string; children: React.ReactNode; style?: React.CSSProperties; testId?: string }) {
  return (
    <div style={{ ...PANEL, ...style }} data-testid={testId}>
      <div style={HEAD}>{title}</div>
      <div style={{ flex: 1, minHeight: 0 }}>{children}</div>
    </div>
  );
}

function Figure({ label, value, color }: { label: string; value: number | string; color: string }) {
  return (
    <div style={{ ...PANEL, alignItems: 'center', justifyContent: 'center', padding: '6px 8px' }}>
      <div style={{ color, fontSize: 'clamp(28px, 3.4vw, 64px)', fontWeight: 700, lineHeight: 1.1, fontVariantNumeric: 'tabular-nums' }}>{value}</div>
      <div style={{ color: '#a9bfdf', fontSize: 'clamp(11px, 0.95vw, 16px)' }}>{label}</div>
    </div>
  );
}

export function Wall() {
  const fmt = useTime();
  const t = useT();
  const { lang, setLang } = useContext(LangContext);
  const ref = useReference();
  const now = useNow();
  const { items, warning, stats, dueSoon } = useSituation(30);
  // the most severe open incident's spread over hosts, under the countdowns
  const worst = [...items].sort((a, b) => a.level - b.level || Date.parse(a.detectedAt) - Date.parse(b.detectedAt))[0];
  const [spread, setSpread] = useState<SpreadHost[]>([]);
  useEffect(() => {
    if (!worst) return setSpread([]);
    // the route declares spread hosts as open objects: this page reads them as SpreadHost
    void api('GET', `/api/incidents/${encodeURIComponent(worst.id)}/detection`).then((r) => setSpread(r.spread.hosts as unknown as SpreadHost[]), () => setSpread([]));
  }, [worst?.id, worst?.updatedAt]);
  const axis = { axisLabel: { color: '#a9bfdf' }, splitLine: { lineStyle: { color: '#1d3b66' } } };
  const perHour = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0, textStyle: { color: '#a9bfdf' }, type: 'scroll' },
      grid: { top: 28, left: 40, right: 10, bottom: 24 },
      xAxis: { type: 'category', data: (stats?.alertsPerHour.hours ?? []).map((h) => fmt(h, 'hour')), ...axis },
      yAxis: { type: 'value', minInterval: 1, ...axis },
      series: (stats?.alertsPerHour.series ?? []).map((x) => ({ name: categoryName(x.category, lang), type: 'bar', stack: 'a', data: x.counts })),
    }),
    [stats, lang],
  );
  const sources = useMemo(
    () => ({
      grid: { top: 4, left: 110, right: 30, bottom: 4 },
      xAxis: { type: 'value', show: false },
      yAxis: { type: 'category', inverse: true, data: (stats?.topSources ?? []).slice(0, 8).map((x) => x.ip), ...axis, axisLine: { show: false } },
      series: [{ type: 'bar', data: (stats?.topSources ?? []).slice(0, 8).map((x) => x.alerts), itemStyle: { color: '#ff4d4f' }, barMaxWidth: 22, label: { show: true, position: 'right', color: '#fff' } }],
    }),
    [stats],
  );
  const units = [...new Set(items.map((i) => i.orgUnit))].sort();
  const byBranch = useMemo(
    () => ({
      grid: { top: 4, left: 70, right: 30, bottom: 4 },
      xAxis: { type: 'value', show: false },
      yAxis: { type: 'category', inverse: true, data: units.map((u) => ref.unitName(u)), ...axis, axisLine: { show: false } },
      series: [1, 2, 3, 4].map((n) => ({ name: t('levelN', { n }), type: 'bar', stack: 'l', data: units.map((u) => items.filter((i) => i.orgUnit === u && i.level === n).length), itemStyle: { color: LEVEL_COLORS[n] }, barMaxWidth: 22 })),
    }),
    [items, units.join(), ref.orgUnits, lang],
  );
  const byPhase = useMemo(
    () => ({
      grid: { top: 10, left: 30, right: 10, bottom: 24 },
      xAxis: { type: 'category', data: PHASES.slice(0, 5).map((p) => t(`phase_${p}`)), ...axis },
      yAxis: { type: 'value', minInterval: 1, ...axis },
      series: [{ type: 'bar', data: PHASES.slice(0, 5).map((p) => items.filter((i) => i.phase === p).length), itemStyle: { color: '#4096ff' }, barMaxWidth: 56, label: { show: true, position: 'top', color: '#fff' } }],
    }),
    [items, lang],
  );
  const level = warning?.level ?? 'normal';
  const colon = lang === 'zh' ? '：' : ': ';
  const unacked = (warning?.branches ?? []).filter((b) => !b.acknowledged).map((b) => ref.unitName(b.orgUnit));
  const newToday = items.filter((i) => now - Date.parse(i.createdAt) < 86_400_000).length;
  const latest = [...items].sort((a, b) => Date.parse(b.updatedAt) - Date.parse(a.updatedAt)).slice(0, 5);
  return (
    <div
      data-testid="wall"
      style={{ position: 'fixed', inset: 0, background: 'radial-gradient(ellipse at top, #10264a 0%, #060d1c 70%)', color: '#e6efff', display: 'grid', gridTemplateColumns: 'minmax(0, 1fr)', gridTemplateRows: 'auto auto minmax(0, 1fr) auto', gap: 10, padding: 12, overflow: 'hidden', fontFamily: '"Noto Sans CJK SC", "Microsoft YaHei", sans-serif' }}
    >
      <div style={{ display: 'flex', alignItems: 'center', gap: 16 }}>
        <div style={{ fontSize: 'clamp(18px, 1.8vw, 34px)', fontWeight: 700, letterSpacing: 2 }}>
          {t('appName')} · {t('wallTitle')}
        </div>
        <div data-testid="wall-warning" style={{ flex: 1, textAlign: 'center' }}>
          <span style={{ background: WARNING_HEX[level], color: '#fff', padding: '4px 18px', borderRadius: 4, fontSize: 'clamp(16px, 1.5vw, 28px)', fontWeight: 700 }}>
            {t('warningLevel')}{colon}{t(`warning_${level}` as 'warning_normal')}
          </span>
          {level !== 'normal' && (
            <span style={{ marginLeft: 12, color: '#ffd591', fontSize: 'clamp(11px, 0.95vw, 16px)' }}>
              {t('unacknowledged')}{colon}{unacked.join(lang === 'zh' ? '、' : ', ') || t('none')}
            </span>
          )}
        </div>
        <div style={{ fontSize: 'clamp(16px, 1.5vw, 28px)', fontVariantNumeric: 'tabular-nums' }} data-testid="wall-clock">
          {fmt(now)}
        </div>
        <span style={{ opacity: 0.55, fontSize: 12, cursor: 'pointer' }} onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}>{t('language')}</span>
        <span style={{ opacity: 0.55, fontSize: 12, cursor: 'pointer' }} onClick={() => void document.documentElement.requestFullscreen?.().catch(() => undefined)}>{t('fullScreen')}</span>
        <a href="#/" data-testid="wall-exit" style={{ opacity: 0.55, fontSize: 12, color: '#e6efff', whiteSpace: 'nowrap' }}>{t('exitWall')}</a>
      </div>

      <div style={{ display: 'grid', gridTemplateColumns: 'repeat(7, minmax(0, 1fr))', gap: 10 }} data-testid="wall-figures">
        {[1, 2, 3, 4].map((n) => (
          <Figure key={n} label={t('openLevelN', { n })} value={items.filter((i) => i.level === n).length} color={LEVEL_COLORS[n]!} />
        ))}
        <Figure label={t('overdue')} value={items.filter((i) => i.overdue).length} color="#ff4d4f" />
        <Figure label={t('dueSoon')} value={dueSoon} color="#ffa940" />
        <Figure label={t('newToday')} value={newToday} color="#69b1ff" />
      </div>

      <div style={{ display: 'grid', gridTemplateColumns: 'minmax(0, 5fr) minmax(0, 4fr) minmax(0, 3fr)', gridTemplateRows: 'minmax(0, 3fr) minmax(0, 2fr)', gap: 10, minHeight: 0 }}>
        <Panel title={t('slaCountdown')} style={spread.length > 1 ? undefined : { gridRow: '1 / 3' }} testId="wall-sla">
          <div style={{ overflow: 'hidden', height: '100%' }}>
            {items.slice(0, spread.length > 1 ? 8 : 14).map((i) => {
              const c = countdown(i.phaseDueAt, now);
              return (
                <div key={i.id} style={{ display: 'grid', gridTemplateColumns: '4.2em minmax(0, 1fr) 4.5em 5em 6em', gap: 8, alignItems: 'center', padding: '5px 0', borderBottom: '1px solid #1d3b66', fontSize: 'clamp(12px, 1vw, 18px)' }}>
                  <span style={{ background: LEVEL_COLORS[i.level], borderRadius: 3, textAlign: 'center', fontWeight: 700 }}>{t('levelN', { n: i.level })}</span>
                  <span style={{ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }} title={i.id}>
                    <span style={{ color: '#8fb3e8' }}>{i.id.replace(/^INC-\d{8}-/, '#')}</span> {i.exercise && <span style={{ color: '#d3adf7' }} data-testid="wall-exercise">[{t('exercise')}] </span>}{i.national?.dueAt && !i.national.reportedAt && <span style={{ color: countdown(i.national.dueAt, now).overdue ? '#ff4d4f' : '#ffa940', fontVariantNumeric: 'tabular-nums' }} data-testid="wall-regulatory">[{t('regulatoryShort')} {countdown(i.national.dueAt, now).text}] </span>}{titleIn(lang, i)}
                  </span>
                  <span style={{ color: '#a9bfdf' }}>{t(`phase_${i.phase}` as 'phase_discovery')}</span>
                  <span style={{ color: '#a9bfdf', overflow: 'hidden', whiteSpace: 'nowrap', textOverflow: 'ellipsis' }}>{ref.unitName(i.orgUnit)}</span>
                  <span style={{ textAlign: 'right', fontVariantNumeric: 'tabular-nums', fontWeight: 700, color: c.overdue ? '#ff4d4f' : Date.parse(i.phaseDueAt ?? '') - now < 3_600_000 ? '#ffa940' : '#95de64' }} data-testid="wall-countdown">
                    {c.text}
                  </span>
                </div>
              );
            })}
            {items.length === 0 && <div style={{ color: '#95de64', fontSize: 20, padding: 20 }}>{t('none')}</div>}
          </div>
        </Panel>
        {spread.length > 1 && worst && (
          <Panel title={t('spreadOf', { id: worst.id })} style={{ gridColumn: 1, gridRow: 2 }} testId="wall-spread">
            <SpreadChart hosts={spread} height="100%" dark />
          </Panel>
        )}
        <Panel title={`${t('alertsPerHour')} ${stats?.window.fallback ? t('lastActiveDay') : ''}`}>
          <Chart option={perHour} height="100%" dark testId="wall-alerts" />
        </Panel>
        <Panel title={t('topSources')}>
          {(stats?.topSources.length ?? 0) > 0 ? <Chart option={sources} height="100%" dark /> : <div style={{ color: '#6d86ad', padding: 12 }}>{t('noExternalSources')}</div>}
        </Panel>
        <Panel title={t('byPhase')}>
          <Chart option={byPhase} height="100%" dark />
        </Panel>
        <Panel title={t('byBranch')}>
          <Chart option={byBranch} height="100%" dark />
        </Panel>
      </div>

      <div style={{ display: 'grid', gridTemplateColumns: 'minmax(0, 5fr) minmax(0, 7fr)', gap: 10 }}>
        <div data-testid="wall-mttd" style={{ ...PANEL, flexDirection: 'row', justifyContent: 'space-around', alignItems: 'center' }}>
          {(['mttd', 'mtta', 'mttr'] as const).map((k) => (
            <div key={k} style={{ textAlign: 'center' }}>
              <div style={{ fontSize: 'clamp(18px, 1.7vw, 32px)', fontWeight: 700, color: '#69b1ff' }}>{duration(stats?.times[`${k}Minutes`] ?? null)}</div>
              <div style={{ color: '#a9bfdf', fontSize: 'clamp(10px, 0.85vw, 14px)' }}>{t(k)}（{t('lastDays', { n: 30 })}）</div>
            </div>
          ))}
        </div>
        <div style={{ ...PANEL, fontSize: 'clamp(11px, 0.9vw, 15px)' }}>
          <div style={HEAD}>{t('recentlyChanged')}</div>
          {latest.map((i) => (
            <div key={i.id} style={{ whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis', color: '#c9d8f0' }}>
              <span style={{ color: '#8fb3e8' }}>{fmt(i.updatedAt, 'time')}</span> {i.id} · {t('levelN', { n: i.level })} · {t(`phase_${i.phase}` as 'phase_discovery')} · {i.exercise ? `[${t('exercise')}] ` : ''}{titleIn(lang, i)}
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}
