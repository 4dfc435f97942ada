// The app's root: sign in once online, then a session on the phone's own databases.
import React, { useEffect, useRef, useState } from 'react';
import { Text } from 'react-native';
import { NavigationContainer } from '@react-navigation/native';
import { SafeAreaProvider } from 'react-native-safe-area-context';
import { StatusBar } from 'expo-status-bar';
import { openLocalDbs } from 'fieldsync-phone-data/session.js';
import { deviceId, locate, makeAuth, noFixReason, serverUrl, sha256Hex, storage } from './platform/device';
import { LocalPouch, localOptions } from './platform/pouch';
import { openMobileSession } from './session';
import { FieldNavigator } from './navigation';
import SignInScreen from './screens/SignIn';
import PasswordNeeded from './screens/PasswordNeeded';
import { dayIsOn, endDay, resumeDay, startDay } from './location/task';

const workingDay = { start: startDay, end: endDay, isOn: dayIsOn };

async function loadConfig(baseUrl) {
  try {
    const response = await fetch(`${baseUrl}/app-config.json`);
    if (response.ok) await storage.set('fieldsync.config', JSON.stringify(await response.json()));
  } catch {
    // offline: the copy from the last sign-in stays
  }
  return JSON.parse((await storage.get('fieldsync.config')) || '{"company_state": "29"}');
}

export default function App() {
  const server = useRef('');
  // Only when asked on sign-out: that engineer's databases go; unsent work is kept otherwise.
  const [auth] = useState(() => makeAuth(server, async (user) => {
    await Promise.all(Object.values(openLocalDbs(LocalPouch, user.username, localOptions)).map((db) => db.destroy()));
  }));
  const [session, setSession] = useState(null);
  const [ready, setReady] = useState(false);

  async function open(user) {
    server.current = await serverUrl();
    const opened = openMobileSession({ PouchDB: LocalPouch, localOptions, user, deviceId: await deviceId(),
      baseUrl: server.current, fetch: auth.syncFetch, config: await loadConfig(server.current), locate, noFixReason, sha256Hex });
    setSession(opened);
    resumeDay(opened).catch(() => {});
  }

  useEffect(() => {
    (async () => {
      server.current = await serverUrl();
      const user = await auth.auth.user();
      if (user) await open(user);
      setReady(true);
    })();
  }, []);

  /** `progress.onOfflineCheck()`: the server cannot be reached, the password is being checked
   * against the hash kept on this phone. */
  async function signIn(url, username, password, progress) {
    server.current = url;
    const { user } = await auth.auth.login(username, password, progress);
    await storage.set('fieldsync.server', url);
    await open(user);
  }

  /** `{ removeData: true }` also erases this engineer's databases and offline sign-in. */
  async function signOut(options = {}) {
    if (await dayIsOn()) await endDay(session);
    session.close();
    await auth.auth.logout(options);
    setSession(null);
  }

  return (
    <SafeAreaProvider>
      <StatusBar style="dark" />
      {session ? <PasswordNeeded auth={auth.auth} onUnlocked={() => session.loop.now()} /> : null}
      {!ready ? <Text>Opening…</Text> : session ? (
        <NavigationContainer>
          <FieldNavigator session={session} onSignOut={signOut} workingDay={workingDay} />
        </NavigationContainer>
      ) : <SignInScreen defaultServer={server.current} onSignIn={signIn} />}
    </SafeAreaProvider>
  );
}
