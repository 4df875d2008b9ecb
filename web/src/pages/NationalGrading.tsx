/**
 * 国家分级 The regulator's clock on the incident page (issue 16): the national level (GB/T
 * 20986-2023, I–IV) and category Bihuan proposes, with why, confirmed (or set otherwise, with the
 * reason) by a person; the second clock to the report to the regulator (III and graver); the
 * reports to the regulator exported and recorded as sent.
 */
import { Button, Card, Descriptions, Form, Input, Select, Space, Tag, Typography } from 'antd';
import { useContext, useEffect, useState } from 'react';
import { type Answer, api } from '../api';
import { LangContext, type WordKey, useT } from '../i18n';
import { countdown, useNow } from '../situation';
import { useTime } from '../time';
import { type Act, ModalForm, went } from './IncidentEdit';

type Proposal = Answer<'GET', '/api/incidents/{id}/national'>;
type Settings = Answer<'GET', '/api/regulatory'>;
type National = NonNullable<Answer<'GET', '/api/incidents'>['items'][number]['national']>;
const ROMAN = ['', 'I', 'II', 'III', 'IV'];

/** the regulator's clock: time left to the report, overdue, or reported */
export function RegulatoryClock({ national, size }: { national: National | null; size?: 'small' }) {
  const t = useT();
  const now = useNow();
  if (!national?.dueAt) return null;
  if (national.reportedAt) return <Tag color="blue" data-testid="regulatory-clock">{t('regulatoryReported')}</Tag>;
  const c = countdown(national.dueAt, now);
  return (
    <Tag color={c.overdue ? 'red' : 'volcano'} data-testid="regulatory-clock" style={size === 'small' ? { marginInlineEnd: 0 } : undefined}>
      {c.overdue ? t('regulatoryOverdue') : t('regulatoryDue')} {c.text.replace(/^-/, '')}
    </Tag>
  );
}

export function NationalGrading({ inc, act, may, exportForm }: { inc: { id: string; phase: string; national: National | null; updatedAt: string }; act: Act; may: { grade: boolean; update: boolean }; exportForm: (form: 'regulatory_initial' | 'regulatory_followup' | 'regulatory_summary') => void }) {
  const t = useT();
  const fmt = useTime();
  const { lang } = useContext(LangContext);
  const [proposal, setProposal] = useState<Proposal>();
  const [settings, setSettings] = useState<Settings>();
  useEffect(() => void api('GET', `/api/incidents/${encodeURIComponent(inc.id)}/national`).then(setProposal, () => undefined), [inc.id, inc.updatedAt]);
  useEffect(() => void api('GET', '/api/regulatory').then(setSettings, () => undefined), []);
  const n = inc.national;
  const name = (code: string) => {
    const c = settings?.categories.find((x) => x.code === code);
    return c ? `${c.code} ${lang === 'en' ? c.en : c.zh}` : code;
  };
  const levelText = (level: number) => `${ROMAN[level]} ${t(`nationalLevel_${level}` as WordKey)}`;
  const open = inc.phase !== 'closed';
  return (
    <Card
      title={t('nationalGrading')}
      style={{ marginTop: 12 }}
      data-testid="national"
      extra={n && <RegulatoryClock national={n} />}
    >
      {proposal && (
        <Typography.Paragraph type="secondary" style={{ fontSize: 12 }} data-testid="national-proposal">
          {t('nationalProposal', { level: levelText(proposal.level), category: name(proposal.category) })} — {lang === 'en' ? proposal.reason.en : proposal.reason.zh}
        </Typography.Paragraph>
      )}
      {n ? (
        <Descriptions size="small" column={1}>
          <Descriptions.Item label={t('level')}><span data-testid="national-level">{levelText(n.level)}</span></Descriptions.Item>
          <Descriptions.Item label={t('category')}>{name(n.category)}</Descriptions.Item>
          <Descriptions.Item label={t('confirmedBy')}>{`${n.confirmedBy} · ${fmt(n.confirmedAt)}`}</Descriptions.Item>
          <Descriptions.Item label={t('regulatoryDeadline')}>
            {n.dueAt ? `${fmt(n.dueAt)}${settings ? ` · ${t('regulatoryTo', { to: lang === 'en' ? settings.reportTo.en : settings.reportTo.zh, hours: settings.reportHours })}` : ''}` : t('regulatoryNone')}
          </Descriptions.Item>
          {n.reportedAt && <Descriptions.Item label={t('regulatoryReported')}>{`${fmt(n.reportedAt)} · ${n.reportedTo ?? ''}`}</Descriptions.Item>}
        </Descriptions>
      ) : (
        <Typography.Paragraph data-testid="national-missing">{t('nationalMissing')}</Typography.Paragraph>
      )}
      <Space wrap>
        {may.grade && open && proposal && settings && (
          <ModalForm
            label={n ? t('nationalRegrade') : t('nationalConfirm')}
            title={t('nationalGrading')}
            testId="national-confirm"
            size="small"
            initialValues={{ level: n?.level ?? proposal.level, category: n?.category ?? proposal.category }}
            onSubmit={(v) => went(act, () => api('PUT', `/api/incidents/${encodeURIComponent(inc.id)}/national`, { level: v.level, category: v.category, reason: v.reason || null }))}
          >
            <Form.Item name="level" label={t('level')} rules={[{ required: true }]}>
              <Select data-testid="national-level-select" options={[1, 2, 3, 4].map((l) => ({ value: l, label: levelText(l) }))} />
            </Form.Item>
            <Form.Item name="category" label={t('category')} rules={[{ required: true }]}>
              <Select showSearch optionFilterProp="label" options={settings.categories.map((c) => ({ value: c.code, label: `${c.parent ? '　' : ''}${c.code} ${lang === 'en' ? c.en : c.zh}` }))} />
            </Form.Item>
            <Form.Item name="reason" label={t('reason')} extra={t('nationalReasonHelp')}>
              <Input.TextArea rows={2} maxLength={2000} data-testid="national-reason" />
            </Form.Item>
          </ModalForm>
        )}
        {n && (n.level <= 3 || n.reportedAt) && (
          <>
            <Button size="small" data-testid="export-regulatory_initial" onClick={() => exportForm('regulatory_initial')}>{t('exportRegulatoryInitial')}</Button>
            <Button size="small" data-testid="export-regulatory_followup" onClick={() => exportForm('regulatory_followup')}>{t('exportRegulatoryFollowup')}</Button>
            <Button size="small" data-testid="export-regulatory_summary" onClick={() => exportForm('regulatory_summary')}>{t('exportRegulatorySummary')}</Button>
            {may.update && (
              <ModalForm
                label={t('regulatoryRecord')}
                title={t('regulatoryRecord')}
                testId="regulatory-sent"
                initialValues={{ kind: n.reportedAt ? 'followup' : 'initial', to: settings ? (lang === 'en' ? settings.reportTo.en : settings.reportTo.zh) : '' }}
                onSubmit={(v) => went(act, () => api('POST', `/api/incidents/${encodeURIComponent(inc.id)}/regulatory-report`, { kind: v.kind, to: v.to }))}
              >
                <Form.Item name="kind" label={t('type')} rules={[{ required: true }]}>
                  <Select options={(['initial', 'followup', 'summary'] as const).map((k) => ({ value: k, label: t(`regulatoryKind_${k}` as WordKey) }))} />
                </Form.Item>
                <Form.Item name="to" label={t('regulatoryRecipient')} rules={[{ required: true }]}>
                  <Input maxLength={500} data-testid="regulatory-to" />
                </Form.Item>
              </ModalForm>
            )}
          </>
        )}
      </Space>
    </Card>
  );
}
