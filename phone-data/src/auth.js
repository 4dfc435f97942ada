// Sign in, refresh and sign out against /api/v1/auth. The session is kept for offline use, and
// an engineer who signed in online on this device before can sign in again without a network.

export class AuthError extends Error {
  constructor(message, status = 0) {
    super(message);
    this.status = status;
  }
}

const KEY = 'fieldsync.session';
const EARLY_MS = 60000; // refresh a minute before the access token runs out
// PBKDF2-HMAC-SHA256 at OWASP's 2023 figure: WebCrypto has it in every browser and in Node, so
// nothing extra ships, and each guess at a copied device store costs 600,000 HMACs.
export const PBKDF2_ITERATIONS = 600000;

export const verifierKey = (username) => `fieldsync.offline.${String(username).toLowerCase()}`;

const hex = (bytes) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
const unhex = (text) => new Uint8Array(text.match(/../g).map((h) => Number.parseInt(h, 16)));

/** PBKDF2-HMAC-SHA256 through WebCrypto's `subtle`, as a `derive(passwordBytes, saltBytes,
 * iterations)` giving 32 bytes: what every browser and Node have built in. */
export function webCryptoPbkdf2(subtle) {
  return async (password, salt, iterations) => {
    const key = await subtle.importKey('raw', password, 'PBKDF2', false, ['deriveBits']);
    return new Uint8Array(await subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, 256));
  };
}

/** The salted PBKDF2 hash of `password` (hex), with `derive` (see webCryptoPbkdf2). */
export async function passwordHash(derive, password, saltHex, iterations) {
  return hex(await derive(new TextEncoder().encode(password), unhex(saltHex), iterations));
}

/** Compares every character, so the time taken does not tell how much of a guess was right. */
function sameText(a, b) {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.min(a.length, b.length); i += 1) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

async function errorMessage(response) {
  try {
    const body = await response.json();
    return body.message || `the server answered ${response.status}`;
  } catch {
    return `the server answered ${response.status}`;
  }
}

const UNREACHABLE = 'The server cannot be reached.';

/** `storage` is {get(key), set(key, value), remove(key)} (may be async); `subtle` is WebCrypto's,
 * or `derive` a PBKDF2-HMAC-SHA256 of the same shape as webCryptoPbkdf2's where there is no
 * WebCrypto (Hermes); without either there is no offline sign-in. `wipe(user)` erases that
 * user's local databases when asked to on sign-out; `now()` is injectable for tests. */
export function createAuth({ baseUrl = '', fetch, storage, subtle = null, derive = subtle ? webCryptoPbkdf2(subtle) : null,
  iterations = PBKDF2_ITERATIONS,
  wipe = async () => {}, now = Date.now, randomBytes = (n) => globalThis.crypto.getRandomValues(new Uint8Array(n)) }) {
  let session = null;
  let refreshing = null;
  // Kept in memory only after an offline sign-in, to get tokens as soon as the network returns.
  let heldPassword = null;
  let remembering = Promise.resolve();
  const listeners = new Set();

  async function post(path, body) {
    return fetch(`${baseUrl}/api/v1/auth/${path}`, { method: 'POST',
      headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  }

  async function store(next) {
    session = next;
    await storage.set(KEY, JSON.stringify(session));
    listeners.forEach((fn) => fn(describe(session)));
    return session;
  }

  async function keep(body) {
    heldPassword = null;
    return store({ access_token: body.access_token, refresh_token: body.refresh_token,
      expires_at: now() + body.expires_in * 1000, user: body.user, offline: false, needs_password: false });
  }

  async function load() {
    if (!session) {
      const raw = await storage.get(KEY);
      session = raw ? JSON.parse(raw) : null;
    }
    return session;
  }

  async function storeVerifier(user, password) {
    const salt = hex(randomBytes(16));
    const hash = await passwordHash(derive, password, salt, iterations);
    await storage.set(verifierKey(user.username), JSON.stringify({ algorithm: 'PBKDF2-SHA256',
      iterations, salt, hash, user }));
  }

  /** The hash takes a moment on a phone: the online sign-in does not wait for it. */
  function rememberPassword(user, password) {
    // Only the field app works offline; a head's or an admin's console needs the server anyway.
    if (!derive || user.role !== 'engineer') return;
    remembering = remembering.then(() => storeVerifier(user, password)).catch(() => {});
  }

  /** `checking()` is called once the hash is being made: on a phone that takes seconds. */
  async function offlineLogin(username, password, checking) {
    const raw = derive ? await storage.get(verifierKey(username)) : null;
    if (!raw) {
      throw new AuthError(`${UNREACHABLE} ${username} has not signed in on this device before: `
        + 'the first sign-in needs a connection.');
    }
    const verifier = JSON.parse(raw);
    checking();
    const hash = await passwordHash(derive, password, verifier.salt, verifier.iterations);
    if (!sameText(hash, verifier.hash)) {
      throw new AuthError('Wrong username or password (checked on this device: you are offline).', 401);
    }
    heldPassword = password;
    return store({ access_token: null, refresh_token: null, expires_at: 0, user: verifier.user,
      offline: true, needs_password: false });
  }

  /** Online when the server answers; offline (against the hash kept here) when it cannot, then
   * `onOfflineCheck()` says the password is being checked on this device. */
  async function login(username, password, { onOfflineCheck = () => {} } = {}) {
    let response;
    try {
      response = await post('login', { username, password });
    } catch {
      return offlineLogin(username, password, onOfflineCheck);
    }
    if (response.status >= 500) return offlineLogin(username, password, onOfflineCheck);
    if (response.status === 401) await storage.remove(verifierKey(username)); // password changed?
    if (!response.ok) throw new AuthError(await errorMessage(response), response.status);
    const body = await response.json();
    rememberPassword(body.user, password);
    return keep(body);
  }

  async function needPassword() {
    const current = await load();
    if (current && !current.needs_password) await store({ ...current, needs_password: true });
    return new AuthError('Enter your password to send your work to the server.', 401);
  }

  /** Tokens for a session signed in offline: with the password still held, or by asking. */
  async function tokensAfterOfflineSignIn(current) {
    if (!heldPassword) {
      await fetch(`${baseUrl}/healthz`).catch(() => { throw new AuthError(UNREACHABLE); });
      throw await needPassword(); // the server answers: now ask the engineer
    }
    let response;
    try {
      response = await post('login', { username: current.user.username, password: heldPassword });
    } catch {
      throw new AuthError(UNREACHABLE);
    }
    if (response.status === 401) {
      heldPassword = null;
      throw await needPassword();
    }
    if (!response.ok) throw new AuthError(await errorMessage(response), response.status);
    return keep(await response.json());
  }

  async function refreshNow() {
    const current = await load();
    if (!current) throw new AuthError('not signed in', 401);
    if (current.needs_password) throw new AuthError('Enter your password to send your work to the server.', 401);
    if (!current.refresh_token) return tokensAfterOfflineSignIn(current);
    const response = await post('refresh', { refresh_token: current.refresh_token });
    if (response.status === 401) throw await needPassword();
    if (!response.ok) throw new AuthError(await errorMessage(response), response.status);
    return keep(await response.json());
  }

  /** One refresh at a time, however many requests ask for it. */
  function refresh() {
    if (!refreshing) refreshing = refreshNow().finally(() => { refreshing = null; });
    return refreshing;
  }

  /** A usable access token, refreshed when it is about to run out (offline: the old one). */
  async function accessToken() {
    const current = await load();
    if (!current) throw new AuthError('not signed in', 401);
    if (current.access_token && current.expires_at - EARLY_MS > now()) return current.access_token;
    try {
      return (await refresh()).access_token;
    } catch (err) {
      if (err.status === 401 || !current.access_token) throw err;
      return current.access_token; // offline: the sync retries later
    }
  }

  /** The password again after the server ended the session (or after an offline sign-in). */
  async function unlock(password) {
    const current = await load();
    if (!current) throw new AuthError('not signed in', 401);
    let response;
    try {
      response = await post('login', { username: current.user.username, password });
    } catch {
      throw new AuthError(`${UNREACHABLE} Your work stays on this device; try again when online.`);
    }
    if (!response.ok) throw new AuthError(await errorMessage(response), response.status);
    const body = await response.json();
    rememberPassword(body.user, password);
    return keep(body);
  }

  /** Signs out; the local databases stay (for offline sign-in and unsent work) unless
   * `removeData`, which also forgets the offline sign-in of that user on this device. */
  async function logout({ removeData = false } = {}) {
    const current = await load();
    if (current && current.refresh_token) {
      try {
        await post('logout', { refresh_token: current.refresh_token });
      } catch {
        // offline: the refresh token simply runs out on the server
      }
    }
    session = null;
    heldPassword = null;
    await storage.remove(KEY);
    await remembering; // a hash still being made is stored before it may be removed
    if (removeData && current) {
      await storage.remove(verifierKey(current.user.username));
      await wipe(current.user);
    }
    listeners.forEach((fn) => fn(describe(null)));
  }

  return { login, logout, refresh, accessToken, unlock, session: load,
    currentToken: () => (session ? session.access_token : null),
    user: async () => ((await load()) || {}).user || null,
    state: async () => describe(await load()),
    remembered: () => remembering,
    listen: (fn) => { listeners.add(fn); return () => listeners.delete(fn); } };
}

/** What the screens show about the session: signed in offline, password needed. */
function describe(current) {
  return { signedIn: Boolean(current), offline: Boolean(current && current.offline),
    needsPassword: Boolean(current && current.needs_password) };
}

/** A fetch for PouchDB that sends the bearer token and refreshes it once on a 401. */
export function authorizedFetch(auth, fetch) {
  return async (url, opts = {}) => {
    const send = async (token) => {
      const headers = new Headers(opts.headers || {});
      headers.set('Authorization', `Bearer ${token}`);
      return fetch(url, { ...opts, headers });
    };
    const response = await send(await auth.accessToken());
    if (response.status !== 401) return response;
    try {
      return send((await auth.refresh()).access_token);
    } catch {
      return response;
    }
  };
}

/** Calls `onState` with the auth state now and on every change, until the returned function is
 * called (a screen that has gone away is told nothing more). */
export function watchAuthState(auth, onState) {
  let alive = true;
  auth.state().then((state) => { if (alive) onState(state); });
  const off = auth.listen((state) => { if (alive) onState(state); });
  return () => { alive = false; off(); };
}
