// The sign-in screen: online once, then the session is kept for offline use.
import React, { useEffect, useState } from 'react';

/** `typed`: what was entered in the page's own form before the scripts arrived. */
export default function Login({ auth, onSignedIn, typed = null }) {
  const [username, setUsername] = useState(typed ? typed.username : '');
  const [password, setPassword] = useState(typed ? typed.password : '');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    // "Sign in" was pressed before the scripts arrived: carry on with it.
    if (typed && typed.submitted && typed.username && typed.password) submit();
  }, []); // eslint-disable-line react-hooks/exhaustive-deps

  async function submit(event) {
    if (event) event.preventDefault();
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
