// Sign-in on the phone: refresh on a 401, offline sign-in against the hash kept on the device, a
// wrong password refused offline, and a session that ends during a long offline spell.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AuthError, PBKDF2_ITERATIONS, authorizedFetch, createAuth, passwordHash, verifierKey, watchAuthState,
  webCryptoPbkdf2 } from '../src/auth.js';

const USER = { username: 'asha', role: 'engineer' };

/** The auth endpoints' protocol (/api/v1/auth) and one protected resource, over `fetch`. */
function authServer({ password = 'field-pw', ttlS = 900 } = {}) {
  const server = { online: true, access: new Set(), refresh: new Set(), logins: 0, refreshes: 0, password };
  let n = 0;
  const json = (status, body) => new Response(JSON.stringify(body), { status,
    headers: { 'Content-Type': 'application/json' } });
  const tokens = () => {
    n += 1;
    server.access.add(`a${n}`);
    server.refresh.add(`r${n}`);
    return json(200, { access_token: `a${n}`, refresh_token: `r${n}`, token_type: 'Bearer', expires_in: ttlS,
      user: server.user || USER });
  };
  server.fetch = async (url, opts = {}) => {
    if (!server.online) throw new TypeError('Failed to fetch');
    const body = opts.body ? JSON.parse(opts.body) : {};
    const path = new URL(url, 'http://phone.test').pathname;
    if (path === '/healthz') return json(200, { status: 'ok' });
    if (path === '/api/v1/auth/login') {
      server.logins += 1;
      return body.password === server.password ? tokens() : json(401, { message: 'wrong username or password' });
    }
    if (path === '/api/v1/auth/refresh') {
      server.refreshes += 1;
      if (!server.refresh.delete(body.refresh_token)) return json(401, { message: 'the session has ended' });
      return tokens();
    }
    if (path === '/api/v1/auth/logout') {
      server.refresh.delete(body.refresh_token);
      return json(204, {});
    }
    const token = new Headers(opts.headers).get('Authorization') || '';
    return server.access.has(token.replace('Bearer ', '')) ? json(200, { ok: true }) : json(401, { message: 'expired' });
  };
  return server;
}

function memoryStorage() {
  const map = new Map();
  return { map, get: async (k) => (map.has(k) ? map.get(k) : null), set: async (k, v) => { map.set(k, v); },
    remove: async (k) => { map.delete(k); } };
}

function phone(server, extra = {}) {
  return createAuth({ fetch: server.fetch, storage: extra.storage || memoryStorage(), subtle: globalThis.crypto.subtle,
    iterations: 1000, ...extra });
}

/** Signed in online, then the server stops taking the access token (restart, revoked). */
async function withStaleToken() {
  const server = authServer();
  const auth = phone(server);
  const first = await auth.login('asha', 'field-pw');
  server.access.delete(first.access_token);
  return { server, auth, first };
}

/** A phone whose "remove data" wipes are recorded. */
function wipingPhone(server) {
  const storage = memoryStorage();
  const wiped = [];
  const auth = phone(server, { storage, wipe: async (user) => { wiped.push(user.username); } });
  return { auth, storage, wiped };
}

test('a 401 refreshes the token once and the request goes through', async () => {
  const { server, auth, first } = await withStaleToken();
  const response = await authorizedFetch(auth, server.fetch)('http://phone.test/sync/me');
  assert.equal(response.status, 200);
  assert.equal(server.refreshes, 1);
  assert.notEqual(auth.currentToken(), first.access_token);
});

test('the password is kept only as a salted PBKDF2 hash with a high iteration count', async () => {
  const storage = memoryStorage();
  const auth = createAuth({ fetch: authServer().fetch, storage, subtle: globalThis.crypto.subtle });
  await auth.login('asha', 'field-pw');
  await auth.remembered(); // made after the sign-in returns, so as not to hold it up
  const verifier = JSON.parse(storage.map.get(verifierKey('asha')));
  assert.equal(verifier.iterations, PBKDF2_ITERATIONS);
  assert.ok(PBKDF2_ITERATIONS >= 600000);
  assert.match(verifier.salt, /^[0-9a-f]{32}$/);
  assert.match(verifier.hash, /^[0-9a-f]{64}$/);
  assert.ok(![...storage.map.values()].some((v) => v.includes('field-pw')), 'no password in storage');
});

test('only engineers can sign in offline: the console needs the server', async () => {
  const server = authServer();
  server.user = { username: 'priya', role: 'head' };
  const storage = memoryStorage();
  const auth = phone(server, { storage });
  await auth.login('priya', 'field-pw');
  await auth.remembered();
  assert.ok(!storage.map.has(verifierKey('priya')));
  await auth.logout();
  server.online = false;
  await assert.rejects(auth.login('priya', 'field-pw'), /first sign-in needs a connection/);
});

test('signed in online before: signs in offline, and gets tokens when the network returns', async () => {
  const server = authServer();
  const storage = memoryStorage();
  const auth = phone(server, { storage });
  await auth.login('asha', 'field-pw');
  await auth.logout();
  server.online = false;
  const offline = await auth.login('asha', 'field-pw');
  assert.deepEqual([offline.offline, offline.user.username, offline.access_token], [true, 'asha', null]);
  await assert.rejects(auth.accessToken(), (err) => err.status === 0); // offline: no token yet
  server.online = true;
  const token = await auth.accessToken();
  assert.ok(server.access.has(token));
  assert.equal((await auth.state()).offline, false);
});

test('offline: a wrong password is refused, and a user new to this device cannot sign in', async () => {
  const server = authServer();
  const auth = phone(server);
  await auth.login('asha', 'field-pw');
  await auth.logout();
  server.online = false;
  await assert.rejects(auth.login('asha', 'field-pw2'), (err) => err instanceof AuthError && err.status === 401
    && /offline/.test(err.message));
  await assert.rejects(auth.login('ravi', 'field-pw'), /first sign-in needs a connection/);
  assert.equal(await auth.user(), null);
});

test('a changed password seen online stops the old one offline', async () => {
  const server = authServer();
  const auth = phone(server);
  await auth.login('asha', 'field-pw');
  await auth.logout();
  server.password = 'new-pw';
  await assert.rejects(auth.login('asha', 'field-pw'), /wrong username or password/);
  server.online = false;
  await assert.rejects(auth.login('asha', 'field-pw'), /first sign-in needs a connection/);
});

test('a session that ends during a long offline spell asks for the password, never signs out', async () => {
  const server = authServer({ ttlS: 60 });
  let clock = 1_000_000;
  const auth = phone(server, { now: () => clock });
  await auth.login('asha', 'field-pw');
  server.online = false;
  clock += 40 * 24 * 3600 * 1000; // forty days in the field
  const stale = await auth.accessToken(); // offline: the old token, the sync just retries
  assert.ok(stale);
  server.refresh.clear(); // the refresh token ran out on the server meanwhile
  server.online = true;
  await assert.rejects(auth.accessToken(), (err) => err.status === 401);
  assert.deepEqual(await auth.state(), { signedIn: true, offline: false, needsPassword: true });
  assert.equal((await auth.user()).username, 'asha'); // still signed in: the phone's work stays
  await assert.rejects(auth.unlock('nope'), /wrong username or password/);
  await auth.unlock('field-pw');
  assert.equal((await auth.state()).needsPassword, false);
  assert.ok(server.access.has(await auth.accessToken()));
});

test('after an offline sign-in and a reload, the password is asked for once online', async () => {
  const server = authServer();
  const storage = memoryStorage();
  const first = phone(server, { storage });
  await first.login('asha', 'field-pw');
  await first.remembered();
  server.online = false;
  const before = phone(server, { storage });
  await before.logout();
  await before.login('asha', 'field-pw');
  const reloaded = phone(server, { storage }); // the held password is gone with the page
  await assert.rejects(reloaded.accessToken(), (err) => err.status === 0);
  assert.equal((await reloaded.state()).needsPassword, false); // offline: nothing to ask yet
  server.online = true;
  await assert.rejects(reloaded.accessToken(), (err) => err.status === 401);
  assert.equal((await reloaded.state()).needsPassword, true);
  await reloaded.unlock('field-pw');
  assert.ok(server.access.has(await reloaded.accessToken()));
});

test('sign-out keeps the local data unless asked; removing it forgets the offline sign-in', async () => {
  const server = authServer();
  const { auth, storage, wiped } = wipingPhone(server);
  await auth.login('asha', 'field-pw');
  await auth.logout();
  assert.deepEqual([wiped, server.refresh.size], [[], 0]); // the refresh token is revoked
  assert.ok(storage.map.has(verifierKey('asha')));
  await auth.login('asha', 'field-pw');
  await auth.logout({ removeData: true });
  assert.deepEqual(wiped, ['asha']);
  assert.ok(!storage.map.has(verifierKey('asha')));
});

test('requests that meet a 401 together share one refresh, and all go through', async () => {
  const { server, auth } = await withStaleToken();
  const send = authorizedFetch(auth, server.fetch);
  const answers = await Promise.all(['me', 'catalog', 'customers'].map((db) => send(`http://phone.test/sync/${db}`)));
  assert.deepEqual(answers.map((r) => r.status), [200, 200, 200]);
  assert.equal(server.refreshes, 1);
});

test('a 401 the refresh cannot cure comes back as the 401, and the phone asks for the password', async () => {
  const { server, auth } = await withStaleToken();
  server.refresh.clear(); // the session was ended on the server
  const response = await authorizedFetch(auth, server.fetch)('http://phone.test/sync/me');
  assert.equal(response.status, 401);
  assert.deepEqual(await auth.state(), { signedIn: true, offline: false, needsPassword: true });
});

test('signing out offline ends the session on the phone; the offline sign-in still works', async () => {
  const server = authServer();
  const { auth, storage, wiped } = wipingPhone(server);
  await auth.login('asha', 'field-pw');
  await auth.remembered();
  server.online = false;
  await auth.logout(); // the server cannot be told: its refresh token just runs out there
  assert.equal(await auth.user(), null);
  assert.deepEqual(await auth.state(), { signedIn: false, offline: false, needsPassword: false });
  assert.ok(!storage.map.has('fieldsync.session'));
  await assert.rejects(auth.accessToken(), (err) => err.status === 401);
  assert.deepEqual(wiped, []);

  const again = await auth.login('asha', 'field-pw');
  assert.equal(again.offline, true);
  await auth.logout({ removeData: true });
  assert.deepEqual(wiped, ['asha']);
  await assert.rejects(auth.login('asha', 'field-pw'), /first sign-in needs a connection/);
});

// PBKDF2-HMAC-SHA256 of "password" with salt "salt" (hex 73616c74), 32 bytes: the published vectors.
const PBKDF2_VECTORS = [
  [1, '120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b'],
  [2, 'ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43'],
  [4096, 'c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a'],
];

test('the password hash is PBKDF2-HMAC-SHA256: the published vectors through WebCrypto', async () => {
  const derive = webCryptoPbkdf2(globalThis.crypto.subtle);
  for (const [rounds, expected] of PBKDF2_VECTORS) {
    assert.equal(await passwordHash(derive, 'password', '73616c74', rounds), expected);
  }
});

test('a phone without WebCrypto signs in offline with the PBKDF2 it is given, and says it is checking', async () => {
  const server = authServer();
  const storage = memoryStorage();
  const webCrypto = webCryptoPbkdf2(globalThis.crypto.subtle);
  const calls = [];
  const derive = async (password, salt, rounds) => { calls.push(rounds); return webCrypto(password, salt, rounds); };
  const auth = createAuth({ fetch: server.fetch, storage, derive, iterations: 1000 });
  await auth.login('asha', 'field-pw');
  await auth.remembered();
  await auth.logout();
  server.online = false;
  let checking = 0;
  const offline = await auth.login('asha', 'field-pw', { onOfflineCheck: () => { checking += 1; } });
  assert.deepEqual([offline.offline, checking, calls], [true, 1, [1000, 1000]]);
  await assert.rejects(auth.login('asha', 'nope'), /Wrong username or password \(checked on this device/);
});

test('a screen watching the auth state hears the sign-in and nothing after it stops watching', async () => {
  const server = authServer();
  const auth = phone(server);
  const heard = [];
  const stop = watchAuthState(auth, (state) => heard.push(state.signedIn));
  await auth.login('asha', 'field-pw');
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(heard, [false, true]);
  stop();
  await auth.logout();
  assert.deepEqual(heard, [false, true]);
});
