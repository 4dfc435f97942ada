// The sign-in screen: online the first time on a device; after that offline too.
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
      <p className="muted">The first sign-in on this device needs a connection; after that you can
        sign in here offline too, and your work waits on the phone until it is sent.</p>
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
