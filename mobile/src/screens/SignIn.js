// Sign in: the server, the engineer's name and password; later sign-ins work offline too, the
// password checked against the hash kept on the phone (which takes a few seconds there).
import React, { useState } from 'react';
import { ActivityIndicator, Text, View } from 'react-native';
import { Button, ErrorLine, Field, Muted, Page, Title, colors } from '../ui';

export const CHECKING_TEXT = 'Checking your password on this phone…';

export default function SignInScreen({ defaultServer = '', onSignIn }) {
  const [server, setServer] = useState(defaultServer);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [checking, setChecking] = useState(false);
  async function submit() {
    setBusy(true);
    setError('');
    try {
      await onSignIn(server.trim().replace(/\/+$/, ''), username.trim(), password,
        { onOfflineCheck: () => setChecking(true) });
    } catch (err) {
      setError(err.message);
      setChecking(false);
      setBusy(false);
    }
  }
  return (
    <Page testID="sign-in">
      <Title>FieldSync</Title>
      <Muted>Sign in once with a connection; after that the app works offline.</Muted>
      <Field label="Server" value={server} onChangeText={setServer} keyboardType="url" placeholder="https://fieldsync.example.in" />
      <Field label="User name" value={username} onChangeText={setUsername} />
      <Field label="Password" value={password} onChangeText={setPassword} secure />
      {checking ? (
        <View style={{ flexDirection: 'row', gap: 8, alignItems: 'center' }} testID="checking-password">
          <ActivityIndicator color={colors.primary} />
          <Text accessibilityLiveRegion="polite">{CHECKING_TEXT}</Text>
        </View>) : null}
      <ErrorLine error={error} />
      <Button title="Sign in" onPress={submit} disabled={busy || !server || !username || !password} />
    </Page>
  );
}
