// Hash routes under #/console/...: which page, which id, and who may open it.
import { useEffect, useState } from 'react';

export const PAGES = [
  { key: 'dashboard', title: 'Dashboard', roles: ['head', 'admin'] },
  { key: 'orders', title: 'Order history', roles: ['head', 'admin'] },
  { key: 'leads', title: 'Leads', roles: ['head', 'admin'] },
  { key: 'approvals', title: 'Approvals', roles: ['head', 'admin'] },
  { key: 'conflicts', title: 'Conflicts', roles: ['head', 'admin'] },
  { key: 'rejections', title: 'Rejected documents', roles: ['head', 'admin'] },
  { key: 'map', title: 'Day map', roles: ['head', 'admin'] },
  { key: 'reports', title: 'Reports', roles: ['head', 'admin'] },
  { key: 'erp', title: 'ERP outbox', roles: ['admin'] },
  { key: 'people', title: 'Users & teams', roles: ['head', 'admin'] },
  { key: 'master', title: 'Master data', roles: ['admin'] },
  { key: 'audit', title: 'Audit', roles: ['admin'] },
];

export const CONSOLE_ROLES = ['head', 'admin'];

// '#/console/conflicts/12?x=1' -> {page: 'conflicts', rest: ['12'], params: {x: '1'}}
export function parseHash(hash) {
  const raw = (hash || '').replace(/^#/, '');
  const [path, search = ''] = raw.split('?');
  const parts = path.split('/').filter(Boolean);
  const inConsole = parts[0] === 'console';
  const page = inConsole ? parts[1] || 'dashboard' : 'dashboard';
  const params = Object.fromEntries(new URLSearchParams(search));
  return { page, rest: inConsole ? parts.slice(2).map(decodeURIComponent) : [], params };
}

export function href(page, ...rest) {
  const tail = rest.filter((p) => p !== undefined && p !== null).map((p) => encodeURIComponent(p));
  return `#/console/${[page, ...tail].join('/')}`;
}

export function hrefWith(page, params) {
  const search = new URLSearchParams(Object.entries(params).filter(([, v]) => v)).toString();
  return `${href(page)}${search ? `?${search}` : ''}`;
}

export function allowed(page, role) {
  const found = PAGES.find((p) => p.key === page);
  return Boolean(found && found.roles.includes(role));
}

export function useHashRoute() {
  const [route, setRoute] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const changed = () => setRoute(parseHash(window.location.hash));
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return route;
}
