// The sign-in screen: online once, then the session is kept for offline use.
import React, { useState } from 'react';

export default function Login({ auth, onSignedIn }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(event) {
    event.preventDefault();
    setBusy(true);
    setError('');
    try {
      await onSignedIn(await auth.login(username.trim(), password));
    } catch (err) {
      setError(err.message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="page narrow login">
      <h1>FieldSync</h1>
      <p className="muted">Sign in once with a connection; afterwards the app works offline.</p>
      <form onSubmit={submit}>
        <label>Username
          <input name="username" autoComplete="username" autoCapitalize="none" required
            value={username} onChange={(e) => setUsername(e.target.value)} />
        </label>
        <label>Password
          <input name="password" type="password" autoComplete="current-password" required
            value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        {error && <p className="error" role="alert">{error}</p>}
        <button type="submit" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
    </main>
  );
}
