// Signing out without losing work, and the password again when the server has ended the session.
import React, { useEffect, useState } from 'react';
import { countByType, docLabel } from 'fieldsync-phone-data/receipts.js';
import { watchAuthState } from 'fieldsync-phone-data/auth.js';

/** The documents behind a list of ids, for naming them to the engineer. */
function useDocsById(db, ids) {
  const [docs, setDocs] = useState([]);
  const key = ids.join('|');
  useEffect(() => {
    let alive = true;
    if (!ids.length) { setDocs([]); return undefined; }
    db.allDocs({ keys: ids, include_docs: true })
      .then((r) => { if (alive) setDocs(r.rows.filter((row) => row.doc).map((row) => row.doc)); }, () => {});
    return () => { alive = false; };
  }, [db, key]);
  return docs;
}

/** Says what is not on the server yet and offers "Sync now" before signing out; unsent work is
 * never deleted: it stays on this device for this engineer until it reaches the server. */
export function SignOutPanel({ session, status, onCancel, onSignOut }) {
  const waiting = useDocsById(session.dbs.me, status.notSent || []);
  const [busy, setBusy] = useState(false);
  const unsent = status.pending;
  const leave = async (options) => { setBusy(true); await onSignOut(options); };
  return (
    <section className="signout" role="dialog" aria-label="Sign out" data-testid="signout-panel"
      data-unsent={unsent}>
      {unsent ? (
        <>
          <h2 data-testid="signout-warning">{unsent} not on the server yet: {countByType(waiting)}</h2>
          <ul className="signout-list">{waiting.map((doc) => {
            const label = docLabel(doc);
            return <li key={doc._id}>{label.noun}{label.name ? `: ${label.name}` : ''}</li>;
          })}</ul>
          <p>{status.online ? 'Send them now before you sign out.'
            : 'You are offline: they are sent when this phone is online again.'} If you sign out
            now they stay on this phone for you, and go to the server when you sign in again
            (offline sign-in works too).</p>
          <button type="button" onClick={() => session.loop.now()}>Sync now</button>
          <button type="button" className="secondary" disabled={busy} onClick={() => leave({})}>
            Sign out, keep them on this phone</button>
        </>
      ) : (
        <>
          <h2 data-testid="signout-clear">Everything you entered is on the server.</h2>
          {status.checking ? <p>{status.checking} still waiting for the server&apos;s check.</p> : null}
          <p>Signing out keeps this phone&apos;s copy so that you can sign in again offline.</p>
          <button type="button" disabled={busy} onClick={() => leave({})}>Sign out</button>
          <button type="button" className="secondary" disabled={busy}
            onClick={() => leave({ removeData: true })}>Sign out and remove my data from this phone</button>
        </>
      )}
      <button type="button" className="link" onClick={onCancel}>Cancel</button>
    </section>
  );
}

/** The server ended the session (or the sign-in was offline): work goes on, the password is
 * asked for to send it. */
export function PasswordNeeded({ auth, session, unsent }) {
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  async function submit(event) {
    event.preventDefault();
    setBusy(true);
    setError('');
    try {
      await auth.unlock(password);
      setPassword('');
      session.loop.now();
    } catch (err) {
      setError(err.message);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form className="password-needed" data-testid="password-needed" onSubmit={submit}>
      <p><strong>Enter your password to send your work.</strong> {unsent
        ? `${unsent} not sent: it is safe on this phone meanwhile.` : 'Your work is safe on this phone.'}</p>
      <label>Password
        <input name="unlock_password" type="password" autoComplete="current-password" required
          value={password} onChange={(e) => setPassword(e.target.value)} />
      </label>
      {error && <p className="error" role="alert">{error}</p>}
      <button type="submit" disabled={busy}>{busy ? 'Checking…' : 'Continue'}</button>
    </form>
  );
}

/** The auth state ({offline, needsPassword}), kept current. */
export function useAuthState(auth) {
  const [state, setState] = useState({ signedIn: true, offline: false, needsPassword: false });
  useEffect(() => watchAuthState(auth, setState), [auth]);
  return state;
}
