// The app shell: sign-in, then the field app for engineers or the console for heads and admins.
import React, { Suspense, lazy, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { Workbox } from 'workbox-window';
import Login from './shell/Login.jsx';
import { auth, baseUrl, loadServerConfig, storage } from './shell/platform.js';
import { useHashRoute } from './shell/route.js';
import { takeBootSignIn } from './shell/boot.js';
import './shell/shell.css';

// Each app is its own download: a phone on 2G fetches the sign-in screen first, an engineer
// never downloads the console, a head never the field app.
const ConsoleApp = lazy(() => import('./console/ConsoleApp.jsx'));
const FieldApp = lazy(() => import('./field/FieldApp.jsx'));
const loading = <p className="page" data-testid="app-loading">Loading…</p>;

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

// Read before React replaces the page's own sign-in form.
const bootSignIn = takeBootSignIn();

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

  useEffect(() => {
    // While the engineer types, the field app (most users' next screen) downloads.
    if (user === null) import('./field/FieldApp.jsx').catch(() => {});
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

  if (user === undefined) return loading;
  if (!user) return <Login auth={auth} onSignedIn={signedIn} typed={bootSignIn} />;
  if (user.role === 'engineer') {
    if (route.startsWith('/console')) return <Denied user={user} onLogout={logout} />;
    return <Suspense fallback={loading}><FieldApp user={user} route={route} onLogout={logout} /></Suspense>;
  }
  const api = { baseUrl, getToken: auth.currentToken,
    onUnauthorized: () => auth.refresh().catch(logout) };
  return (
    <Suspense fallback={loading}><ConsoleApp api={api} principal={user} onLogout={logout} /></Suspense>);
}

createRoot(document.getElementById('root')).render(<App />);

if ('serviceWorker' in navigator && !import.meta.env.DEV) {
  new Workbox('/sw.js').register();
}
