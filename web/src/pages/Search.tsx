/**
 * Global search (the header box, `/` to focus): one text — an address, a CIDR, a domain, a hash,
 * a host name, an incident id, words of a title — looked up at once in the incidents, their
 * indicators, the alerts and the asset inventory, the results grouped. Each group is its own
 * bounded query on the server (the alert search runs off the API's event loop).
 */
import { Card, Col, Empty, List, Row, Space, Tag, Typography } from 'antd';
import { useContext, useEffect, useState } from 'react';
import { api } from '../api';
import { useErrorText } from '../errors';
import { LangContext, ruleNameIn, useT } from '../i18n';
import { titleIn, useReference } from '../reference';
import { useTime } from '../time';
import { TlpTag } from './IncidentEdit';
import { LevelTag } from './Queue';

type Json = Record<string, any>;
const SHOWN = 20;

/** an address or a CIDR: the alerts are searched by address, not by text */
const ADDRESS = /^(\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?|[0-9a-f:]*:[0-9a-f:]+(\/\d{1,3})?)$/i;

interface Group {
  items?: Json[];
  error?: string;
}

export function Search({ q, canReadAlerts }: { q: string; canReadAlerts: boolean }) {
  const t = useT();
  const fmt = useTime();
  const errText = useErrorText();
  const ref = useReference();
  const { lang } = useContext(LangContext);
  const [groups, setGroups] = useState<Record<'incidents' | 'observables' | 'alerts' | 'assets', Group>>({ incidents: {}, observables: {}, alerts: {}, assets: {} });
  useEffect(() => {
    const text = q.trim();
    if (!text) return;
    const enc = encodeURIComponent(text);
    const set = (k: keyof typeof groups, g: Group) => setGroups((x) => ({ ...x, [k]: g }));
    setGroups({ incidents: {}, observables: {}, alerts: {}, assets: {} });
    const run = (k: keyof typeof groups, f: () => Promise<Json[]>) => void f().then((items) => set(k, { items }), (e: unknown) => set(k, { error: errText(e) }));
    run('incidents', async () => (await api('GET', `/api/incidents?q=${enc}&limit=${SHOWN}&sort=created`)).items as Json[]);
    run('observables', async () => (await api('GET', `/api/observables?q=${enc}&limit=${SHOWN}`)) as Json[]);
    if (canReadAlerts) {
      run('alerts', async () => (await api('GET', `/api/alerts?${ADDRESS.test(text) ? `ip=${enc}` : `q=${enc}`}&limit=${SHOWN}`)).items as Json[]);
      run('assets', async () => (await api('GET', `/api/assets?q=${enc}&limit=${SHOWN}`)) as Json[]);
    }
    // the text is the search: a new one starts it again
  }, [q, canReadAlerts]);

  const group = (key: keyof typeof groups, title: string, render: (x: Json) => React.ReactNode) => {
    const g = groups[key];
    return (
      <Card size="small" title={<Space>{title}{g.items && <Tag>{g.items.length >= SHOWN ? `${SHOWN}+` : g.items.length}</Tag>}</Space>} data-testid={`search-${key}`}>
        {g.error ? (
          <Typography.Text type="danger">{g.error}</Typography.Text>
        ) : (
          <List size="small" loading={!g.items} dataSource={g.items ?? []} locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('noMatches')} /> }} renderItem={(x) => <List.Item style={{ wordBreak: 'break-all' }}>{render(x)}</List.Item>} />
        )}
      </Card>
    );
  };
  const incidentLink = (i: Json) => <a href={`#/incidents/${encodeURIComponent(i.id)}`}>{i.id}</a>;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Typography.Title level={4} style={{ margin: 0 }} data-testid="search-title">
        {t('searchResultsFor')} “{q}”
      </Typography.Title>
      <Row gutter={[12, 12]}>
        <Col xs={24} xl={12}>
          {group('incidents', t('incidents'), (i) => (
            <Space wrap>
              <LevelTag level={i.level} />
              {incidentLink(i)}
              <span>{titleIn(lang, i as { title: string; titleEn: string | null })}</span>
              <Tag>{t(`phase_${i.phase}` as 'phase_discovery')}</Tag>
            </Space>
          ))}
        </Col>
        <Col xs={24} xl={12}>
          {group('observables', t('observables'), (o) => (
            <Space wrap>
              <Tag>{t(`obs_${o.type}` as 'obs_ip')}</Tag>
              <Typography.Text strong>{o.value}</Typography.Text>
              <TlpTag tlp={o.tlp} />
              {(o.tags as string[]).map((x) => <Tag key={x}>{x}</Tag>)}
              <span>→ {incidentLink(o.incident)} {titleIn(lang, o.incident as { title: string; titleEn: string | null })}</span>
              <Typography.Text type="secondary">{fmt(o.firstSeen)} – {fmt(o.lastSeen)}</Typography.Text>
            </Space>
          ))}
        </Col>
        {canReadAlerts && (
          <>
            <Col xs={24} xl={12}>
              {group('alerts', t('alerts'), (a) => (
                <Space wrap>
                  <Typography.Text type="secondary">{fmt(a.timestamp)}</Typography.Text>
                  <span>{a.alert?.source?.ip ?? '—'} → {a.alert?.destination?.ip ?? '—'}</span>
                  <span>{a.alert?.rule?.name ? ruleNameIn(a.alert.rule.name, lang) : (a.alert?.message ?? '')}</span>
                </Space>
              ))}
            </Col>
            <Col xs={24} xl={12}>
              {group('assets', t('assets'), (a) => (
                <Space wrap>
                  <Typography.Text strong>{a.ip}</Typography.Text>
                  <span>{a.hostname ?? ''}</span>
                  {a.orgUnit && <Tag>{ref.unitName(a.orgUnit)}</Tag>}
                  {a.businessSystem && <span>{a.businessSystem}</span>}
                </Space>
              ))}
            </Col>
          </>
        )}
      </Row>
    </Space>
  );
}
