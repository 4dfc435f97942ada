// The web console for sales heads and admins: reports, approvals, queues, people and master data.
import { useMemo, useState } from 'react';
import { consoleApiFrom } from './api.js';
import { ConsoleApiContext } from './directory.jsx';
import { CONSOLE_ROLES, PAGES, allowed, href, useHashRoute } from './routes.js';
import Dashboard from './pages/Dashboard.jsx';
import Orders from './pages/Orders.jsx';
import Leads from './pages/Leads.jsx';
import Approvals from './pages/Approvals.jsx';
import Conflicts from './pages/Conflicts.jsx';
import Rejections from './pages/Rejections.jsx';
import DayMap from './pages/DayMap.jsx';
import Reports from './pages/Reports.jsx';
import Erp from './pages/Erp.jsx';
import People from './pages/People.jsx';
import MasterData from './pages/MasterData.jsx';
import Audit from './pages/Audit.jsx';
import './console.css';

const VIEWS = {
  dashboard: Dashboard, orders: Orders, leads: Leads, approvals: Approvals, conflicts: Conflicts,
  rejections: Rejections, map: DayMap, reports: Reports, erp: Erp, people: People, master: MasterData, audit: Audit,
};

function Refused({ principal, onLogout, reason }) {
  return (
    <div className="fs-console fs-refused" data-testid="console-refused">
      <section className="fs-card">
        <h1>Not available</h1>
        <p>{reason}</p>
        <p className="fs-muted">Signed in as {principal ? `${principal.username} (${principal.role})` : 'nobody'}.</p>
        {onLogout ? <button type="button" onClick={onLogout}>Sign out</button> : null}
      </section>
    </div>
  );
}

function Nav({ role, current, open, onPick }) {
  return (
    <nav className={`fs-nav${open ? ' fs-nav-open' : ''}`} aria-label="console">
      {PAGES.filter((p) => p.roles.includes(role)).map((p) => (
        <a key={p.key} href={href(p.key)} className={p.key === current ? 'fs-active' : ''}
          aria-current={p.key === current ? 'page' : undefined} onClick={onPick}>{p.title}</a>
      ))}
    </nav>
  );
}

export default function ConsoleApp({ api, principal, onLogout }) {
  const client = useMemo(() => consoleApiFrom(api), [api]);
  const route = useHashRoute();
  const [menuOpen, setMenuOpen] = useState(false);
  const role = principal && principal.role;
  if (!CONSOLE_ROLES.includes(role)) {
    return <Refused principal={principal} onLogout={onLogout}
      reason="The console is for sales heads and admins. Engineers work in the field app." />;
  }
  if (!VIEWS[route.page]) {
    return <Refused principal={principal} onLogout={onLogout} reason={`There is no console page "${route.page}".`} />;
  }
  const View = VIEWS[route.page];
  const title = PAGES.find((p) => p.key === route.page).title;
  return (
    <div className="fs-console" data-role={role}>
      <header className="fs-top">
        <button type="button" className="fs-menu" aria-label="menu" onClick={() => setMenuOpen(!menuOpen)}>☰</button>
        <strong className="fs-brand">FieldSync console</strong>
        <span className="fs-who">{principal.username} · {role}</span>
        {onLogout ? <button type="button" className="fs-logout" onClick={onLogout}>Sign out</button> : null}
      </header>
      <div className="fs-body">
        <Nav role={role} current={route.page} open={menuOpen} onPick={() => setMenuOpen(false)} />
        <main className="fs-main" data-page={route.page}>
          <h1>{title}</h1>
          {allowed(route.page, role)
            ? <ConsoleApiContext.Provider value={client}><View api={client} principal={principal} route={route} /></ConsoleApiContext.Provider>
            : <p className="fs-msg fs-msg-error" role="alert" data-testid="page-refused">Only admins may open this page.</p>}
        </main>
      </div>
    </div>
  );
}
