// Sign in: the server, the engineer's name and password; later sessions open offline.
import React, { useState } from 'react';
import { Button, ErrorLine, Field, Muted, Page, Title } from '../ui';

export default function SignInScreen({ defaultServer = '', onSignIn }) {
  const [server, setServer] = useState(defaultServer);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  async function submit() {
    setBusy(true);
    setError('');
    try {
      await onSignIn(server.trim().replace(/\/+$/, ''), username.trim(), password);
    } catch (err) {
      setError(err.message);
      setBusy(false);
    }
  }
  return (
    <Page testID="sign-in">
      <Title>FieldSync</Title>
      <Muted>Sign in once with a connection; after that the app works offline.</Muted>
      <Field label="Server" value={server} onChangeText={setServer} keyboardType="url" placeholder="https://fieldsync.example.in" />
      <Field label="User name" value={username} onChangeText={setUsername} />
      <Field label="Password" value={password} onChangeText={setPassword} />
      <ErrorLine error={error} />
      <Button title="Sign in" onPress={submit} disabled={busy || !server || !username || !password} />
    </Page>
  );
}
