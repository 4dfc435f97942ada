// The app shell: sign-in, then the field app for engineers or the console for heads and admins.
import React, { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { Workbox } from 'workbox-window';
import ConsoleApp from './console/ConsoleApp.jsx';
import FieldApp from './field/FieldApp.jsx';
import Login from './shell/Login.jsx';
import { auth, baseUrl, loadServerConfig, storage } from './shell/platform.js';
import { useHashRoute } from './shell/route.js';
import './shell/shell.css';

function Denied({ user, onLogout }) {
  return (
    <main className="page narrow" data-testid="access-denied">
      <h1>Not for your role</h1>
      <p>{user.username} signs in as {user.role}: the console is for sales heads and admins.</p>
      <a className="button" href="#/">Back to the field app</a>
      <button type="button" className="link" onClick={onLogout}>Sign out</button>
    </main>
  );
}

function App() {
  const [user, setUser] = useState(undefined);
  const [route] = useHashRoute();

  useEffect(() => {
    auth.user().then((known) => {
      setUser(known);
      // Settings (tile server, GST state) may have changed since sign-in: refresh them quietly.
      if (known) loadServerConfig();
    });
  }, []);
  useEffect(() => {
    // The console reads the token synchronously: keep it fresh while a head or admin works.
    if (!user || user.role === 'engineer') return undefined;
    const timer = setInterval(() => { auth.accessToken().catch(() => {}); }, 60000);
    return () => clearInterval(timer);
  }, [user]);

  async function signedIn(session) {
    storage.set('fieldsync.user', JSON.stringify(session.user));
    await loadServerConfig();
    setUser(session.user);
    window.location.hash = session.user.role === 'engineer' ? '#/' : '#/console';
  }

  async function logout(options = {}) {
    await auth.logout(options);
    setUser(null);
    window.location.hash = '#/';
  }

  if (user === undefined) return <p className="page">Loading…</p>;
  if (!user) return <Login auth={auth} onSignedIn={signedIn} />;
  if (user.role === 'engineer') {
    if (route.startsWith('/console')) return <Denied user={user} onLogout={logout} />;
    return <FieldApp user={user} route={route} onLogout={logout} />;
  }
  const api = { baseUrl, getToken: auth.currentToken,
    onUnauthorized: () => auth.refresh().catch(logout) };
  return <ConsoleApp api={api} principal={user} onLogout={logout} />;
}

createRoot(document.getElementById('root')).render(<App />);

if ('serviceWorker' in navigator && !import.meta.env.DEV) {
  new Workbox('/sw.js').register();
}
