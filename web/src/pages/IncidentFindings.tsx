/**
 * What periodic work already knew about the incident's hosts (issue 15): the open findings on its
 * affected hosts — the unpatched MS17-010 behind a worm's first host — and those marked as
 * exploited by this incident; a handler marks one as exploited here (or not) in one click.
 */
import { App as AntApp, Button, Card, Table, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { type Answer, api } from '../api';
import { useErrorText } from '../errors';
import { type WordKey, useT } from '../i18n';
import { SeverityTag } from './SeverityTag';

type Finding = Answer<'GET', '/api/findings'>['items'][number];

/** `patch`: makes a handling task that patches the finding (done → the finding is fixed), when the incident may be edited */
export function IncidentFindings({ incidentId, reloadKey, canManage, patch }: { incidentId: string; reloadKey: string; canManage: boolean; patch?: (findingId: number) => void }) {
  const t = useT();
  const { message } = AntApp.useApp();
  const errText = useErrorText();
  const [list, setList] = useState<{ items: Finding[]; total: number }>();
  const load = () =>
    void api('GET', `/api/findings?incident=${encodeURIComponent(incidentId)}&status=open,fixing,fixed,accepted&limit=50`).then(setList, (e: unknown) => void message.error(errText(e)));
  useEffect(load, [incidentId, reloadKey]);
  const link = async (f: Finding, exploited: boolean) => {
    try {
      await api('PATCH', `/api/findings/${f.id}`, { incidentId: exploited ? incidentId : null });
      load();
    } catch (e) {
      void message.error(errText(e));
    }
  };
  if (!list?.total) return null;
  return (
    <Card title={`${t('knownFindings')} (${list.total})`} style={{ marginTop: 12 }} data-testid="incident-findings" extra={<a href="#/periodic">{t('periodic')}</a>}>
      <Table<Finding>
        rowKey="id"
        size="small"
        pagination={false}
        dataSource={list.items}
        columns={[
          { title: t('severity'), dataIndex: 'severity', width: 80, render: (s: string) => <SeverityTag severity={s} /> },
          { title: t('host'), key: 'host', width: 150, render: (_: unknown, f) => `${f.ip}${f.port ? `:${f.port}` : ''}` },
          { title: t('finding'), dataIndex: 'title', ellipsis: true },
          { title: t('status'), dataIndex: 'status', width: 90, render: (s: string) => t(`finding_${s}` as WordKey) },
          ...(patch
            ? [{
                title: '',
                key: 'patch',
                width: 110,
                render: (_: unknown, f: Finding) => (f.status === 'open' || f.status === 'fixing' ? <Button size="small" onClick={() => patch(f.id)} data-testid="finding-patch-task">{t('patchTask')}</Button> : null),
              }]
            : []),
          {
            title: '',
            key: 'exploited',
            width: 150,
            render: (_: unknown, f) =>
              f.incidentId === incidentId ? (
                <span>
                  <Tag color="red" data-testid="finding-exploited">{t('exploitedHere')}</Tag>
                  {canManage && <Button size="small" type="link" onClick={() => void link(f, false)}>{t('unlink')}</Button>}
                </span>
              ) : canManage ? (
                <Button size="small" onClick={() => void link(f, true)} data-testid="finding-exploit">{t('markExploited')}</Button>
              ) : (
                <Typography.Text type="secondary">{f.incidentId ?? ''}</Typography.Text>
              ),
          },
        ]}
      />
    </Card>
  );
}
