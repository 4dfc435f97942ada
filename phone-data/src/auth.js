// Sign in, refresh and sign out against /api/v1/auth; the session is kept for offline use.

export class AuthError extends Error {
  constructor(message, status = 0) {
    super(message);
    this.status = status;
  }
}

const KEY = 'fieldsync.session';
const EARLY_MS = 60000; // refresh a minute before the access token runs out

async function errorMessage(response) {
  try {
    const body = await response.json();
    return body.message || `the server answered ${response.status}`;
  } catch {
    return `the server answered ${response.status}`;
  }
}

/** `storage` is {get(key), set(key, value), remove(key)} (may be async); `wipe()` erases the
 * local store on logout; `now()` is injectable for tests. */
export function createAuth({ baseUrl = '', fetch, storage, wipe = async () => {}, now = Date.now }) {
  let session = null;
  let refreshing = null;

  async function post(path, body) {
    return fetch(`${baseUrl}/api/v1/auth/${path}`, { method: 'POST',
      headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  }

  async function keep(body) {
    session = { access_token: body.access_token, refresh_token: body.refresh_token,
      expires_at: now() + body.expires_in * 1000, user: body.user };
    await storage.set(KEY, JSON.stringify(session));
    return session;
  }

  async function load() {
    if (!session) {
      const raw = await storage.get(KEY);
      session = raw ? JSON.parse(raw) : null;
    }
    return session;
  }

  async function login(username, password) {
    let response;
    try {
      response = await post('login', { username, password });
    } catch {
      throw new AuthError('The server cannot be reached: signing in the first time needs a connection.');
    }
    if (!response.ok) throw new AuthError(await errorMessage(response), response.status);
    return keep(await response.json());
  }

  async function refreshNow() {
    const current = await load();
    if (!current) throw new AuthError('not signed in', 401);
    const response = await post('refresh', { refresh_token: current.refresh_token });
    if (response.status === 401) {
      throw new AuthError('Your session has ended: sign in again.', 401);
    }
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
    if (current.expires_at - EARLY_MS > now()) return current.access_token;
    try {
      return (await refresh()).access_token;
    } catch (err) {
      if (err instanceof AuthError && err.status === 401) throw err;
      return current.access_token; // offline: the sync retries later
    }
  }

  async function logout() {
    const current = await load();
    if (current) {
      try {
        await post('logout', { refresh_token: current.refresh_token });
      } catch {
        // offline: the refresh token simply runs out on the server
      }
    }
    session = null;
    await storage.remove(KEY);
    await wipe();
  }

  return { login, logout, refresh, accessToken, session: load,
    currentToken: () => (session ? session.access_token : null),
    user: async () => ((await load()) || {}).user || null };
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
