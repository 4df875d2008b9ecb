import { App as AntApp, Button, Card, Input, type InputRef, Layout, Menu, Space, Spin, Tag, Typography } from 'antd';
import { lazy, Suspense, useContext, useEffect, useRef, useState } from 'react';
import { type Answer, api } from './api';
import { LangContext, type WordKey, translate, useT } from './i18n';
import { Login } from './pages/Login';
import { TotpSetup } from './pages/TotpSetup';

// each screen is its own chunk, fetched when first opened: the log-in page loads React, Ant
// Design's few components and itself — ECharts and the rest come with the screens that use them
const Alerts = lazy(() => import('./pages/Alerts').then((m) => ({ default: m.Alerts })));
const Audit = lazy(() => import('./pages/Audit').then((m) => ({ default: m.Audit })));
const Command = lazy(() => import('./pages/Command').then((m) => ({ default: m.Command })));
const Dashboard = lazy(() => import('./pages/Dashboard').then((m) => ({ default: m.Dashboard })));
const Roster = lazy(() => import('./pages/Roster').then((m) => ({ default: m.Roster })));
const Periodic = lazy(() => import('./pages/Periodic').then((m) => ({ default: m.Periodic })));
const IncidentPage = lazy(() => import('./pages/IncidentPage').then((m) => ({ default: m.IncidentPage })));
const Queue = lazy(() => import('./pages/Queue').then((m) => ({ default: m.Queue })));
const Search = lazy(() => import('./pages/Search').then((m) => ({ default: m.Search })));
const Settings = lazy(() => import('./pages/Settings').then((m) => ({ default: m.Settings })));
const Wall = lazy(() => import('./pages/Wall').then((m) => ({ default: m.Wall })));

export interface Me {
  user: { id: number; username: string; displayName: string; role: string; orgUnit: string | null };
  permissions: string[];
  totp: { enabled: boolean; required: boolean; mustEnrol: boolean };
}

/** The route is the hash: #/ (dashboard), #/incidents (?filters), #/incidents/ID, #/search?q=…, #/alerts, #/settings/TAB … */
function useHashRoute(): string {
  const [hash, setHash] = useState(() => location.hash.slice(1) || '/');
  useEffect(() => {
    const on = () => setHash(location.hash.slice(1) || '/');
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return hash;
}

export function App() {
  const t = useT();
  const { lang, setLang } = useContext(LangContext);
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const route = useHashRoute();
  const { message } = AntApp.useApp();
  useEffect(() => {
    api('GET', '/api/auth/me').then(setMe, () => setMe(null));
  }, []);
  // "/" focuses the search box, as in GitHub or Kibana — unless one is typing somewhere
  const searchBox = useRef<InputRef>(null);
  useEffect(() => {
    const on = (e: KeyboardEvent) => {
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || (e.target as HTMLElement).closest?.('input, textarea, [contenteditable="true"], .ant-modal')) return;
      e.preventDefault();
      searchBox.current?.focus();
    };
    window.addEventListener('keydown', on);
    return () => window.removeEventListener('keydown', on);
  }, []);
  if (me === undefined) return <Spin style={{ margin: 80 }} />;
  if (me === null) return <Login onIn={setMe} />;
  if (me.totp.mustEnrol) {
    // an admin without the one-time codes the server requires may only set them up
    return (
      <div style={{ display: 'grid', placeItems: 'center', minHeight: '100vh' }}>
        <Card title={t('totpMustEnrol')} style={{ width: 680 }} extra={<Button size="small" onClick={() => void api('POST', '/api/auth/logout').finally(() => setMe(null))}>{t('signOut')}</Button>}>
          <TotpSetup onDone={() => void api('GET', '/api/auth/me').then(setMe)} />
        </Card>
      </div>
    );
  }
  if (route.startsWith('/wall')) return <Suspense fallback={<Spin style={{ margin: 80 }} />}><Wall /></Suspense>;
  const incidentId = /^\/incidents\/(.+)$/.exec(route)?.[1];
  const section = route.startsWith('/search') ? 'search' : incidentId || route.startsWith('/incidents') ? 'incidents' : route.startsWith('/alerts') ? 'alerts' : route.startsWith('/settings') ? 'settings' : route.startsWith('/command') ? 'command' : route.startsWith('/audit') ? 'audit' : route.startsWith('/periodic') ? 'periodic' : route.startsWith('/roster') ? 'roster' : 'dashboard';
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Header style={{ display: 'flex', alignItems: 'center', gap: 24, paddingInline: 16, height: 48, lineHeight: '48px' }}>
        <Typography.Text strong style={{ color: '#fff', fontSize: 16, whiteSpace: 'nowrap' }}>
          {t('appName')} <span style={{ opacity: 0.7, fontWeight: 400, fontSize: 12 }}>{t('tagline')}</span>
        </Typography.Text>
        <Menu
          theme="dark"
          mode="horizontal"
          selectedKeys={[section]}
          style={{ flex: 1, minWidth: 0 }}
          items={[
            { key: 'dashboard', label: <a href="#/">{t('dashboard')}</a> },
            { key: 'incidents', label: <a href="#/incidents">{t('incidents')}</a> },
            ...(me.permissions.includes('alerts.read') ? [{ key: 'alerts', label: <a href="#/alerts">{t('alerts')}</a> }] : []),
            { key: 'command', label: <a href="#/command">{t('command')}</a> },
            { key: 'roster', label: <a href="#/roster">{t('roster')}</a> },
            ...(me.permissions.includes('findings.read') ? [{ key: 'periodic', label: <a href="#/periodic">{t('periodic')}</a> }] : []),
            ...(me.permissions.includes('settings.read') ? [{ key: 'settings', label: <a href="#/settings">{t('settings')}</a> }] : []),
            ...(me.permissions.includes('audit.read') ? [{ key: 'audit', label: <a href="#/audit">{t('audit')}</a> }] : []),
          ]}
        />
        <Input.Search
          ref={searchBox}
          size="small"
          allowClear
          style={{ width: 240 }}
          placeholder={t('globalSearch')}
          maxLength={200}
          onSearch={(v) => v.trim() && (location.hash = `#/search?q=${encodeURIComponent(v.trim())}`)}
          data-testid="global-search"
        />
        <Space>
          {/* the first admin is named after the role (管理员): then only the role, in the console's language */}
          <Tag color="blue" title={me.user.username} data-testid="me-tag">{[...new Set([me.user.displayName === translate('zh', `role_${me.user.role}` as 'role_admin') ? undefined : me.user.displayName, t(`role_${me.user.role}` as 'role_admin')].filter(Boolean))].join(' · ')}</Tag>
          <OnDutyTag />
          <Button size="small" href="#/wall" data-testid="wall-link">{t('wallScreen')}</Button>
          <Button size="small" onClick={() => { message.destroy(); setLang(lang === 'zh' ? 'en' : 'zh'); }} data-testid="lang">
            {t('language')}
          </Button>
          <Button size="small" onClick={() => void api('POST', '/api/auth/logout').finally(() => setMe(null))}>
            {t('signOut')}
          </Button>
        </Space>
      </Layout.Header>
      <Layout.Content style={{ padding: 16 }}>
        <Suspense fallback={<Spin style={{ margin: 80 }} />}>
        {section === 'search' ? <Search q={new URLSearchParams(route.split('?')[1] ?? '').get('q') ?? ''} canReadAlerts={me.permissions.includes('alerts.read')} /> : incidentId ? <IncidentPage id={decodeURIComponent(incidentId)} me={me} /> : section === 'incidents' ? <Queue mayCreate={me.permissions.includes('incident.create')} /> : section === 'alerts' ? <Alerts may={{ create: me.permissions.includes('incident.create'), update: me.permissions.includes('incident.update'), block: me.permissions.includes('blocks.manage') }} /> : section === 'settings' ? <Settings me={me} tab={route.split('/')[2]} /> : section === 'command' ? <Command me={me} /> : section === 'audit' ? <Audit /> : section === 'roster' ? <Roster canManage={me.permissions.includes('roster.manage')} canHandOver={me.permissions.includes('incident.update')} /> : section === 'periodic' ? <Periodic tab={route.split('/')[2]?.split('?')[0]} q={new URLSearchParams(route.split('?')[1] ?? '').get('q') ?? undefined} canManage={me.permissions.includes('findings.manage')} canCreateIncident={me.permissions.includes('incident.create')} /> : <Dashboard />}
        </Suspense>
      </Layout.Content>
    </Layout>
  );
}

/** Who monitors now (the roster's), in the header: the name, the rest of the shift on hover. */
function OnDutyTag() {
  const t = useT();
  const [shifts, setShifts] = useState<Answer<'GET', '/api/duty/now'>>([]);
  useEffect(() => {
    const load = () => void api('GET', '/api/duty/now').then(setShifts, () => undefined);
    load();
    const timer = setInterval(load, 60_000);
    return () => clearInterval(timer);
  }, []);
  const monitor = shifts.find((s) => s.role === 'monitor') ?? shifts[0];
  if (!monitor) return null;
  return (
    <a href="#/roster">
      <Tag color="green" title={shifts.map((s) => `${s.orgUnit} ${t(`duty_${s.role}` as WordKey)}：${s.name}${s.phone ? ` ${s.phone}` : ''}`).join('\n')} data-testid="on-duty-tag">
        {`${t('onDutyTag')} ${monitor.name}`}
      </Tag>
    </a>
  );
}
