// The password again, once online, after an offline sign-in the app no longer holds the password
// of (it was restarted) or after the server ended the session during a long offline spell: work
// goes on on the phone meanwhile, and is sent once the password is accepted.
import React, { useEffect, useState } from 'react';
import { View } from 'react-native';
import { watchAuthState } from 'fieldsync-phone-data/auth.js';
import { Button, ErrorLine, Field, Muted } from '../ui';

/** The auth state ({signedIn, offline, needsPassword}), kept current. */
export function useAuthState(auth) {
  const [state, setState] = useState({ signedIn: true, offline: false, needsPassword: false });
  useEffect(() => watchAuthState(auth, setState), [auth]);
  return state;
}

/** Nothing until the password is needed; `onUnlocked()` then syncs. */
export default function PasswordNeeded({ auth, onUnlocked = () => {} }) {
  const { needsPassword } = useAuthState(auth);
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  if (!needsPassword) return null;
  async function submit() {
    setBusy(true);
    setError('');
    try {
      await auth.unlock(password);
      setPassword('');
      onUnlocked();
    } catch (err) {
      setError(err.message);
    } finally {
      setBusy(false);
    }
  }
  return (
    <View testID="password-needed" style={{ padding: 16, gap: 8, backgroundColor: '#fff4e5' }}>
      <Muted>Enter your password to send your work. It is safe on this phone meanwhile.</Muted>
      <Field label="Password" value={password} onChangeText={setPassword} secure />
      <ErrorLine error={error} />
      <Button title={busy ? 'Checking…' : 'Continue'} onPress={submit} disabled={busy || !password} />
    </View>
  );
}
