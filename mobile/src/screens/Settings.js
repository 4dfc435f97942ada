// Settings: who is signed in, storage used, sync now, the working day, sign out (keeping the
// phone's copy and offline sign-in, or removing both once everything is on the server).
import React, { useEffect, useState } from 'react';
import { Text } from 'react-native';
import { ago } from 'fieldsync-phone-data/forms.js';
import { useData, useSession } from '../hooks';
import { formatBytes, storageUsed } from '../session';
import { Button, ErrorLine, Muted, Page, Title } from '../ui';

export default function SettingsScreen({ onSignOut, workingDay }) {
  const session = useSession();
  const { status } = useData();
  const [bytes, setBytes] = useState(null);
  const [dayOn, setDayOn] = useState(false);
  const [error, setError] = useState('');
  useEffect(() => { storageUsed(session.dbs).then(setBytes, () => setBytes(null)); }, [session, status.pending]);
  useEffect(() => { if (workingDay) workingDay.isOn().then(setDayOn, () => {}); }, [workingDay]);
  const toggleDay = () => (dayOn ? workingDay.end(session) : workingDay.start(session))
    .then(() => setDayOn(!dayOn), (err) => setError(err.message));
  return (
    <Page testID="settings">
      <Title>{session.user.username}</Title>
      <Muted>Role: {session.user.role}</Muted>
      <Text testID="storage-used">Storage used: {bytes === null ? '…' : formatBytes(bytes)}</Text>
      <Text>Last sync: {ago(status.lastSync)} · {status.pending} not sent</Text>
      {status.pending ? (
        <Text testID="signout-warning">{status.pending} not on the server yet: sync now before you sign out.
          If you sign out, they stay on this phone and are sent when you sign in again.</Text>) : null}
      <Button title="Sync now" onPress={() => session.loop.now()} />
      {workingDay ? <Button title={dayOn ? 'End day' : 'Start day'} kind="secondary" onPress={toggleDay} /> : null}
      <ErrorLine error={error} />
      <Button title="Sign out" kind="secondary" onPress={() => onSignOut({})} />
      {status.pending ? null : (
        <>
          <Muted>Signing out keeps this phone&apos;s copy so that you can sign in again offline.</Muted>
          <Button title="Sign out and remove my data from this phone" kind="secondary"
            onPress={() => onSignOut({ removeData: true })} />
        </>)}
    </Page>
  );
}
