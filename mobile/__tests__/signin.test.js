// Signing in the first time needs the server; without it the engineer is told so.
import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react-native';
import { createAuth } from 'fieldsync-phone-data/auth.js';
import SignInScreen from '../src/screens/SignIn';

test('sign-in names the server, and says so when it cannot be reached', async () => {
  const memory = new Map();
  const storage = { get: (k) => memory.get(k) ?? null, set: (k, v) => memory.set(k, v), remove: (k) => memory.delete(k) };
  const tried = [];
  const onSignIn = (server, username, password) => {
    tried.push([server, username]);
    // React Native's fetch with no network rejects with this error
    const offline = async () => { throw new TypeError('Network request failed'); };
    return createAuth({ baseUrl: server, fetch: offline, storage }).login(username, password);
  };
  render(<SignInScreen onSignIn={onSignIn} />);
  expect(screen.getByRole('button', { name: 'Sign in' })).toBeDisabled();
  fireEvent.changeText(screen.getByLabelText('Server'), 'http://127.0.0.1:9/');
  fireEvent.changeText(screen.getByLabelText('User name'), 'asha');
  fireEvent.changeText(screen.getByLabelText('Password'), 'secret');
  fireEvent.press(screen.getByRole('button', { name: 'Sign in' }));
  expect(await screen.findByText(/The server cannot be reached/)).toBeTruthy();
  expect(tried).toEqual([['http://127.0.0.1:9', 'asha']]);
  expect(memory.size).toBe(0);
});
