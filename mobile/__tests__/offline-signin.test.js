// Offline sign-in on the Android app. Hermes has no WebCrypto PBKDF2, so the app hashes with
// @noble/hashes: the same hash WebCrypto makes (the PWA's), at the production 600,000 rounds,
// without freezing the screen; sign-out keeps the offline sign-in and "remove data" forgets it.
import { webcrypto } from 'node:crypto';
import React from 'react';
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react-native';
import { PBKDF2_ITERATIONS, passwordHash, verifierKey, webCryptoPbkdf2 } from 'fieldsync-phone-data/auth.js';
import SignInScreen, { CHECKING_TEXT } from '../src/screens/SignIn';
import PasswordNeeded from '../src/screens/PasswordNeeded';
import { createMobileAuth } from '../src/session';
import { noblePbkdf2 } from '../src/platform/pbkdf2';
import { renderApp } from './render';
import { closeSession, offlineSession } from './support';

const noble = noblePbkdf2();
const webCrypto = webCryptoPbkdf2(webcrypto.subtle);
const WRONG_OFFLINE = 'Wrong username or password (checked on this device: you are offline).';

/** The server's /api/v1/auth for one engineer; `online = false` is a phone without network. */
function authServer(user) {
  const server = { online: true, password: 'field-pw', issued: 0 };
  const json = (status, body) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
  server.fetch = async (url, opts = {}) => {
    if (!server.online) throw new TypeError('Network request failed'); // React Native's words
    const { pathname } = new URL(url);
    const body = opts.body ? JSON.parse(opts.body) : {};
    if (pathname === '/api/v1/auth/logout') return json(204, {});
    if (pathname !== '/api/v1/auth/login') return json(404, { message: 'not found' });
    if (body.password !== server.password) return json(401, { message: 'wrong username or password' });
    server.issued += 1;
    return json(200, { access_token: `a${server.issued}`, refresh_token: `r${server.issued}`, expires_in: 900, user });
  };
  return server;
}

function memoryStorage() {
  const map = new Map();
  return { map, get: async (k) => (map.has(k) ? map.get(k) : null), set: async (k, v) => { map.set(k, v); },
    remove: async (k) => { map.delete(k); } };
}

/** The app's sign-in as App.js wires it, against `server`; `iterations` as in production unless given. */
function phone(server, extra = {}) {
  const baseUrlRef = { current: extra.baseUrl || '' };
  const storage = extra.storage || memoryStorage();
  const { auth } = createMobileAuth({ baseUrlRef, storage, fetch: server.fetch, wipe: extra.wipe, iterations: extra.iterations });
  const onSignIn = (url, username, password, progress) => {
    baseUrlRef.current = url;
    return auth.login(username, password, progress);
  };
  return { auth, storage, onSignIn };
}

function signInOnScreen(onSignIn, username, password) {
  render(<SignInScreen onSignIn={onSignIn} />);
  fireEvent.changeText(screen.getByLabelText('Server'), 'http://fieldsync.test/');
  fireEvent.changeText(screen.getByLabelText('User name'), username);
  fireEvent.changeText(screen.getByLabelText('Password'), password);
  fireEvent.press(screen.getByRole('button', { name: 'Sign in' }));
}

const bytes = (text) => new TextEncoder().encode(text);
const hex = (b) => Buffer.from(b).toString('hex');

test('noble PBKDF2 gives the published PBKDF2-HMAC-SHA256 vectors and the hash WebCrypto gives', async () => {
  const vectors = [[1, '120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b'],
    [2, 'ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43'],
    [4096, 'c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a']];
  for (const [rounds, expected] of vectors) expect(hex(await noble(bytes('password'), bytes('salt'), rounds))).toBe(expected);
  for (const password of ['field-pw', 'पासवर्ड 2026', '', 'x'.repeat(200)]) {
    const salt = hex(webcrypto.getRandomValues(new Uint8Array(16)));
    expect(await passwordHash(noble, password, salt, 1000)).toBe(await passwordHash(webCrypto, password, salt, 1000));
  }
});

test('at the production 600,000 rounds noble agrees with WebCrypto and lets timers run meanwhile', async () => {
  expect(PBKDF2_ITERATIONS).toBe(600000);
  const salt = webcrypto.getRandomValues(new Uint8Array(16));
  let started = performance.now();
  const expected = hex(await webCrypto(bytes('field-pw'), salt, PBKDF2_ITERATIONS));
  const webCryptoMs = performance.now() - started;
  let ticks = 0;
  const timer = setInterval(() => { ticks += 1; }, 5);
  started = performance.now();
  const got = hex(await noble(bytes('field-pw'), salt, PBKDF2_ITERATIONS));
  const nobleMs = performance.now() - started;
  clearInterval(timer);
  expect(got).toBe(expected);
  // A timer fires about every asyncTick (10 ms) of hashing: the JS thread is handed back.
  expect(ticks).toBeGreaterThanOrEqual(Math.floor(nobleMs / 100));
  expect(ticks).toBeGreaterThan(0);
  process.stdout.write(`PBKDF2-SHA256 600,000 rounds: WebCrypto ${webCryptoMs.toFixed(0)} ms, noble ${nobleMs.toFixed(0)} ms\n`);
}, 150000);

test('signed in online once, the sign-in screen signs in offline at the production rounds and says it is checking', async () => {
  const user = { username: 'asha', role: 'engineer' };
  const server = authServer(user);
  const { auth, storage, onSignIn } = phone(server);
  let online = null;
  signInOnScreen((...args) => onSignIn(...args).then((s) => { online = s; }), 'asha', 'field-pw');
  await waitFor(() => expect(online).not.toBeNull());
  expect(online.offline).toBe(false);
  // the hash is made after the sign-in returns, so the online sign-in does not wait for it
  expect(storage.map.has(verifierKey('asha'))).toBe(false);
  await auth.remembered();
  const verifier = JSON.parse(storage.map.get(verifierKey('asha')));
  expect([verifier.algorithm, verifier.iterations]).toEqual(['PBKDF2-SHA256', PBKDF2_ITERATIONS]);
  // the PWA's WebCrypto reads the phone's hash the same way
  expect(await passwordHash(webCrypto, 'field-pw', verifier.salt, verifier.iterations)).toBe(verifier.hash);
  await auth.logout();
  screen.unmount();

  server.online = false;
  let offline = null;
  signInOnScreen((...args) => onSignIn(...args).then((s) => { offline = s; }), 'asha', 'field-pw');
  expect(await screen.findByText(CHECKING_TEXT)).toBeTruthy();
  expect(offline).toBeNull(); // shown while the hash is still being made
  await waitFor(() => expect(offline).not.toBeNull(), { timeout: 150000 });
  expect([offline.offline, offline.user.username]).toEqual([true, 'asha']);
  expect(await auth.state()).toEqual({ signedIn: true, offline: true, needsPassword: false });
}, 300000); // two hashes at 600,000 rounds: seconds each in Jest, more on a busy machine

test('offline, a wrong password gets the same words as in the PWA', async () => {
  const server = authServer({ username: 'ravi', role: 'engineer' });
  const { auth, onSignIn } = phone(server, { iterations: 1000 });
  await onSignIn('http://fieldsync.test', 'ravi', 'field-pw');
  await auth.remembered();
  await auth.logout();
  server.online = false;
  signInOnScreen(onSignIn, 'ravi', 'field-pw2');
  expect(await screen.findByText(WRONG_OFFLINE)).toBeTruthy();
  expect(screen.queryByText(CHECKING_TEXT)).toBeNull();
  expect(screen.getByRole('button', { name: 'Sign in' })).toBeEnabled();
  expect(await auth.user()).toBeNull();
});

test('signing out in Settings keeps the offline sign-in; removing the data forgets it', async () => {
  const session = await offlineSession();
  const { username } = session.user;
  const server = authServer(session.user);
  const wiped = [];
  const wipe = async (user) => { wiped.push(user.username); }; // App.js destroys the databases here
  const { auth, storage, onSignIn } = phone(server, { iterations: 1000, wipe });
  await onSignIn('http://fieldsync.test', username, 'field-pw');
  await auth.remembered();
  const signOutIn = async (button) => {
    const options = [];
    renderApp(session, { onSignOut: (opts) => { options.push(opts); return auth.logout(opts); } });
    fireEvent.press(await screen.findByRole('tab', { name: /More/ }));
    fireEvent.press(await screen.findByRole('button', { name: 'Settings' }));
    fireEvent.press(await screen.findByRole('button', { name: button }));
    await waitFor(() => expect(options).toHaveLength(1));
    await waitFor(async () => expect(await auth.user()).toBeNull());
    screen.unmount();
    return options[0];
  };

  expect(await signOutIn('Sign out')).toEqual({});
  expect(storage.map.has(verifierKey(username))).toBe(true);
  server.online = false;
  expect((await onSignIn('http://fieldsync.test', username, 'field-pw')).offline).toBe(true);

  expect(await signOutIn('Sign out and remove my data from this phone')).toEqual({ removeData: true });
  await waitFor(() => expect(wiped).toEqual([username]));
  expect(storage.map.has(verifierKey(username))).toBe(false);
  await expect(onSignIn('http://fieldsync.test', username, 'field-pw')).rejects.toThrow(/first sign-in needs a connection/);
  await closeSession(session);
});

test('signed in offline and restarted, the app asks for the password once online, then gets tokens', async () => {
  const server = authServer({ username: 'meena', role: 'engineer' });
  const storage = memoryStorage();
  const first = phone(server, { iterations: 1000, storage });
  await first.onSignIn('http://fieldsync.test', 'meena', 'field-pw');
  await first.auth.remembered();
  await first.auth.logout();
  server.online = false;
  expect((await first.onSignIn('http://fieldsync.test', 'meena', 'field-pw')).offline).toBe(true);
  // the app restarts: the password held since the offline sign-in is gone with it
  const restarted = phone(server, { iterations: 1000, storage, baseUrl: 'http://fieldsync.test' });
  const unlocked = [];
  render(<PasswordNeeded auth={restarted.auth} onUnlocked={() => unlocked.push(true)} />);
  await act(() => restarted.auth.state());
  expect(screen.queryByTestId('password-needed')).toBeNull();
  server.online = true;
  await act(() => expect(restarted.auth.accessToken()).rejects.toMatchObject({ status: 401 }));
  expect(await screen.findByTestId('password-needed')).toBeTruthy();
  fireEvent.changeText(screen.getByLabelText('Password'), 'nope');
  fireEvent.press(screen.getByRole('button', { name: 'Continue' }));
  expect(await screen.findByText('wrong username or password')).toBeTruthy();
  fireEvent.changeText(screen.getByLabelText('Password'), 'field-pw');
  fireEvent.press(screen.getByRole('button', { name: 'Continue' }));
  await waitFor(() => expect(unlocked).toEqual([true]));
  expect(screen.queryByTestId('password-needed')).toBeNull();
  expect(await restarted.auth.accessToken()).toBe(`a${server.issued}`);
});
