/**
 * 值班与应急组织 The duty roster and the response organisation (issue 15): who is on duty now (and
 * their handover notes), the roster of the coming two weeks imported from a sheet (CSV or Excel)
 * and exported as one, and the teams of the response organisation with their members.
 */
import { App as AntApp, Button, Card, Col, Form, Input, Modal, Row, Select, Space, Table, Tag, Typography, Upload } from 'antd';
import { useContext, useEffect, useState } from 'react';
import { type Answer, api, uploadFile } from '../api';
import { rowProblemText, useErrorText } from '../errors';
import { LangContext, type WordKey, useT } from '../i18n';
import { useReference } from '../reference';
import { useTime } from '../time';
import { Plans } from './Plans';

type Shift = Answer<'GET', '/api/duty/shifts'>[number];
type Team = Answer<'GET', '/api/teams'>[number];
const TEAM_KINDS = ['command', 'monitor', 'analysis', 'handling', 'expert', 'branch_contact'] as const;
const DUTIES = ['leader', 'deputy', 'member'] as const;
const ROLE_COLORS: Record<string, string> = { command: 'red', monitor: 'blue', analysis: 'purple', handling: 'orange', expert: 'cyan' };

export function Roster({ canManage, canHandOver }: { canManage: boolean; canHandOver: boolean }) {
  const t = useT();
  const fmt = useTime();
  const ref = useReference();
  const { message } = AntApp.useApp();
  const errText = useErrorText();
  const { lang } = useContext(LangContext);
  const [now, setNow] = useState<Shift[]>();
  const [shifts, setShifts] = useState<Shift[]>();
  const [teams, setTeams] = useState<Team[]>();
  const [handing, setHanding] = useState<Shift>();
  const [editing, setEditing] = useState<Team | 'new'>();
  const [noteForm] = Form.useForm();
  const [teamForm] = Form.useForm();
  const load = () => {
    void api('GET', '/api/duty/now').then(setNow, (e: unknown) => void message.error(errText(e)));
    void api('GET', '/api/duty/shifts').then(setShifts, () => undefined);
    void api('GET', '/api/teams').then(setTeams, () => undefined);
  };
  useEffect(load, []);
  const role = (r: string) => <Tag color={ROLE_COLORS[r]}>{t(`duty_${r}` as WordKey)}</Tag>;
  const imported = (r: Record<string, any>) => {
    const problems = (r.problems ?? []) as Array<{ row: number; reason: string; rule?: string; params?: Record<string, string | number> }>;
    const text = t('rosterImported', { imported: r.imported, unchanged: r.unchanged });
    if (!problems.length) void message.success(text);
    else Modal.warning({ title: text, width: 640, content: <ul data-testid="roster-problems">{problems.slice(0, 50).map((p, i) => <li key={i}>{`${p.row ? t('rowN', { n: p.row }) : ''}${rowProblemText(p, lang)}`}</li>)}</ul> });
    load();
  };
  const handOver = async (v: { note: string }) => {
    if (!handing) return;
    try {
      await api('POST', `/api/duty/shifts/${handing.id}/handover`, { note: v.note });
      setHanding(undefined);
      load();
    } catch (e) {
      void message.error(errText(e));
    }
  };
  const saveTeam = async (v: Record<string, any>) => {
    const body = { name: v.name, kind: v.kind, orgUnit: v.orgUnit, description: v.description || null, members: ((v.members ?? []) as Array<Record<string, string>>).map((m) => ({ name: m.name ?? '', duty: (m.duty ?? 'member') as 'member', phone: m.phone || null, email: m.email || null, position: m.position || null, username: m.username || null })) };
    try {
      if (editing === 'new') await api('POST', '/api/teams', body);
      else if (editing) await api('PUT', `/api/teams/${editing.id}`, body);
      setEditing(undefined);
      load();
    } catch (e) {
      void message.error(errText(e));
    }
  };
  const openTeam = (team: Team | 'new') => {
    setEditing(team);
    teamForm.setFieldsValue(team === 'new' ? { kind: 'monitor', orgUnit: 'HQ', members: [{ duty: 'leader' }] } : team);
  };
  return (
    <Space direction="vertical" style={{ width: '100%' }} size={12}>
      <Card title={t('onDutyNow')} size="small" data-testid="on-duty">
        {now && !now.length && <Typography.Text type="secondary">{t('nobodyOnDuty')}</Typography.Text>}
        <Row gutter={[12, 12]}>
          {(now ?? []).map((s) => (
            <Col key={s.id} xs={24} md={12} lg={8}>
              <Card size="small" title={<Space>{role(s.role)}<span>{s.name}</span></Space>} extra={<Typography.Text type="secondary">{ref.unitName(s.orgUnit)}</Typography.Text>}>
                <div>{[s.phone, s.email].filter(Boolean).join(' · ')}</div>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('until', { time: fmt(s.endsAt) })}</Typography.Text>
                {s.handoverNote && <Typography.Paragraph style={{ marginTop: 8, marginBottom: 0 }} data-testid="handover-note"><b>{t('handover')}：</b>{s.handoverNote}</Typography.Paragraph>}
                {canHandOver && <Button size="small" style={{ marginTop: 8 }} onClick={() => { noteForm.resetFields(); setHanding(s); }} data-testid="hand-over">{t('handover')}</Button>}
              </Card>
            </Col>
          ))}
        </Row>
      </Card>
      <Card
        title={t('rosterTitle')}
        extra={
          <Space wrap>
            {canManage && (
              <Upload accept=".csv,.xlsx" showUploadList={false} beforeUpload={(file) => { void uploadFile('/api/duty/shifts/import', file, 'application/octet-stream').then(imported, (e: unknown) => void message.error(errText(e))); return false; }}>
                <Button type="primary" data-testid="import-roster">{t('importRoster')}</Button>
              </Upload>
            )}
            <Button href="/api/duty/shifts/export?format=xlsx" data-testid="export-roster">{t('exportExcel')}</Button>
            <Button href="/api/duty/shifts/export?format=csv">CSV</Button>
          </Space>
        }
      >
        <Typography.Paragraph type="secondary" style={{ marginTop: -8 }}>{t('rosterHint')}</Typography.Paragraph>
        <Table<Shift>
          rowKey="id"
          size="small"
          data-testid="shifts"
          loading={!shifts}
          dataSource={shifts}
          pagination={{ pageSize: 30, hideOnSinglePage: true }}
          scroll={{ x: 800 }}
          columns={[
            { title: t('shiftTime'), key: 'time', width: 300, render: (_: unknown, s) => `${fmt(s.startsAt)} — ${fmt(s.endsAt)}` },
            { title: t('dutyRole'), dataIndex: 'role', width: 90, render: role },
            { title: t('personName'), dataIndex: 'name', width: 120 },
            { title: t('contact'), key: 'c', render: (_: unknown, s) => [s.phone, s.email].filter(Boolean).join(' · ') },
            { title: t('orgUnit'), dataIndex: 'orgUnit', width: 110, render: (u: string) => ref.unitName(u) },
          ]}
        />
      </Card>
      <Card title={t('responseOrganisation')} extra={canManage && <Button onClick={() => openTeam('new')} data-testid="new-team">{t('newTeam')}</Button>}>
        <Table<Team>
          rowKey="id"
          size="small"
          data-testid="teams"
          loading={!teams}
          dataSource={teams}
          pagination={false}
          expandable={{ defaultExpandAllRows: true, expandedRowRender: (team) => (
            <Table size="small" rowKey={(m) => `${m.name}-${m.phone ?? ''}`} pagination={false} dataSource={team.members} columns={[
              { title: t('personName'), dataIndex: 'name', width: 120 },
              { title: t('memberDuty'), dataIndex: 'duty', width: 90, render: (d: string) => t(`member_${d}` as WordKey) },
              { title: t('position'), dataIndex: 'position', width: 140 },
              { title: t('contact'), key: 'c', render: (_: unknown, m) => [m.phone, m.email, m.im].filter(Boolean).join(' · ') },
            ]} />
          ) }}
          columns={[
            { title: t('teamName'), dataIndex: 'name', render: (n: string, team) => (canManage ? <a onClick={() => openTeam(team)}>{n}</a> : n) },
            { title: t('teamKind'), dataIndex: 'kind', width: 140, render: (k: string) => t(`team_${k}` as WordKey) },
            { title: t('orgUnit'), dataIndex: 'orgUnit', width: 120, render: (u: string) => ref.unitName(u) },
          ]}
        />
      </Card>
      <Plans canManage={canManage} />
      <Modal open={!!handing} title={handing ? `${t('handover')} — ${handing.name}` : ''} onCancel={() => setHanding(undefined)} onOk={() => noteForm.submit()} okButtonProps={{ 'data-testid': 'handover-ok' } as never} destroyOnHidden forceRender>
        <Form form={noteForm} layout="vertical" onFinish={(v) => void handOver(v)}>
          <Form.Item name="note" label={t('handoverNote')} rules={[{ required: true, whitespace: true }]}><Input.TextArea rows={4} maxLength={4000} data-testid="handover-text" /></Form.Item>
        </Form>
      </Modal>
      <Modal open={!!editing} title={editing === 'new' ? t('newTeam') : t('edit')} onCancel={() => setEditing(undefined)} onOk={() => teamForm.submit()} width={760} destroyOnHidden forceRender okButtonProps={{ 'data-testid': 'team-ok' } as never}>
        <Form form={teamForm} layout="vertical" onFinish={(v) => void saveTeam(v)}>
          <Space wrap>
            <Form.Item name="name" label={t('teamName')} rules={[{ required: true, whitespace: true }]}><Input style={{ width: 240 }} maxLength={100} data-testid="team-name" /></Form.Item>
            <Form.Item name="kind" label={t('teamKind')} rules={[{ required: true }]}><Select style={{ width: 160 }} options={TEAM_KINDS.map((k) => ({ value: k, label: t(`team_${k}` as WordKey) }))} /></Form.Item>
            <Form.Item name="orgUnit" label={t('orgUnit')} rules={[{ required: true }]}><Select style={{ width: 160 }} options={ref.orgUnits.map((u) => ({ value: u.code, label: ref.unitName(u.code) }))} /></Form.Item>
          </Space>
          <Form.List name="members">
            {(fields, { add, remove }) => (
              <>
                {fields.map((f) => (
                  <Space key={f.key} wrap align="baseline">
                    <Form.Item name={[f.name, 'name']} rules={[{ required: true, whitespace: true }]}><Input placeholder={t('personName')} style={{ width: 110 }} maxLength={100} data-testid="member-name" /></Form.Item>
                    <Form.Item name={[f.name, 'duty']} initialValue="member"><Select style={{ width: 90 }} options={DUTIES.map((d) => ({ value: d, label: t(`member_${d}` as WordKey) }))} /></Form.Item>
                    <Form.Item name={[f.name, 'position']}><Input placeholder={t('position')} style={{ width: 110 }} maxLength={100} /></Form.Item>
                    <Form.Item name={[f.name, 'phone']}><Input placeholder={t('phone')} style={{ width: 130 }} maxLength={50} data-testid="member-phone" /></Form.Item>
                    <Form.Item name={[f.name, 'email']}><Input placeholder={t('email')} style={{ width: 170 }} maxLength={254} /></Form.Item>
                    <Button size="small" onClick={() => remove(f.name)}>×</Button>
                  </Space>
                ))}
                <Button onClick={() => add({ duty: 'member' })} data-testid="add-member">{t('addMember')}</Button>
              </>
            )}
          </Form.List>
        </Form>
      </Modal>
    </Space>
  );
}
