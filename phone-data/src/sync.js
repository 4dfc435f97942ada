// Replication with the gateway: /sync/me both ways, /sync/catalog and /sync/customers pull only.
// Pushes run in passes so that orders and approvals reach the server before GPS and photos.
import { isPhoneDoc } from './receipts.js';

export const MAX_BACKOFF_MS = 5000;
/** Page size of the master-data pulls (catalog, customers); the benchmark uses the same. */
export const MASTER_BATCH = 200;

/** PouchDB's retry delay, capped so that sync resumes within seconds of the network returning. */
export function backOff(delay) {
  return delay === 0 ? 500 : Math.min(delay * 2, MAX_BACKOFF_MS);
}

const typeOf = (id) => String(id).split(':', 1)[0];

/** Push passes in order: what the customer signed first, photos and breadcrumbs last. An
 * offer edited after its approval sorts after it in the changes feed, so offers, approvals
 * and orders each get their own pass: the server always sees them in that order. */
export const PUSH_PASSES = [
  { name: 'offers', types: ['offer'] },
  { name: 'approvals', types: ['approval'] },
  { name: 'orders', types: ['order'] },
  { name: 'cancellations', types: ['cancellation'] },
  { name: 'field', types: ['lead', 'visit', 'todo'] },
  // One document a request: a receipt photo travels inside its expense, and the gateway takes
  // at most 10 MB a request, so a batch of photos would be refused every time.
  { name: 'media', types: ['expense', 'track'], batchSize: 1 },
];

const STATE_ID = '_local/fieldsync-sync';

/** `PouchDB` is the constructor, `dbs` = {me, catalog, customers} local databases, `fetch` an
 * authorised fetch (see auth.authorizedFetch); `onEvent(name, detail)` hears what happens. */
export function createSync({ PouchDB, dbs, baseUrl = '', fetch, onEvent = () => {} }) {
  const remote = (name) => new PouchDB(`${baseUrl}/sync/${name}`, { fetch, skip_setup: true });
  const remotes = { me: remote('me'), catalog: remote('catalog'), customers: remote('customers') };
  let live = null;

  async function readState() {
    try {
      return await dbs.me.get(STATE_ID);
    } catch {
      return { _id: STATE_ID, passes: {}, denied: {}, last_sync: null };
    }
  }

  // Two rounds may finish together (a loop's round and a "Sync now"): the later write reads the
  // state again and applies its change on top instead of failing with a conflict.
  async function writeState(change) {
    for (let attempt = 1; ; attempt += 1) {
      const state = { ...(await readState()), ...change };
      try {
        const { rev } = await dbs.me.put(state);
        return { ...state, _rev: rev };
      } catch (err) {
        if (err.status !== 409 || attempt >= 5) throw err;
      }
    }
  }

  function denied(collected) {
    return (err) => collected.push({ id: err.id, rev: err.rev, reason: err.reason || err.message });
  }

  async function pushPass(pass, state) {
    const collected = [];
    const rep = PouchDB.replicate(dbs.me, remotes.me, {
      filter: (doc) => pass.types.includes(typeOf(doc._id)), batch_size: pass.batchSize || 50,
      // PouchDB's checkpoint id covers the filter's source text and the query parameters: the
      // pass name gives each pass its own checkpoint.
      query_params: { pass: pass.name },
    });
    rep.on('denied', denied(collected));
    const result = await rep;
    state.passes[pass.name] = result.last_seq;
    for (const item of collected) {
      // The refusal names the revision the phone holds now; an edit after it is pushed again.
      const rev = item.rev || (await dbs.me.get(item.id).catch(() => ({})))._rev;
      state.denied[item.id] = { rev, reason: item.reason };
    }
    return result.docs_written;
  }

  /** One full round: the push passes in order, then receipts and master data down. */
  async function syncOnce() {
    const state = await readState();
    let pushed = 0;
    for (const pass of PUSH_PASSES) pushed += await pushPass(pass, state);
    await writeState({ passes: state.passes, denied: state.denied });
    const pulled = await PouchDB.replicate(remotes.me, dbs.me, { batch_size: 100 });
    await PouchDB.replicate(remotes.catalog, dbs.catalog, { batch_size: MASTER_BATCH });
    await PouchDB.replicate(remotes.customers, dbs.customers, { batch_size: MASTER_BATCH });
    const saved = await writeState({ last_sync: new Date().toISOString() });
    onEvent('synced', { pushed, pulled: pulled.docs_written, at: saved.last_sync });
    return { pushed, pulled: pulled.docs_written };
  }

  /** Receipts and decisions as soon as the server writes them (live, retrying, capped). */
  function startLivePull() {
    if (live) return;
    live = PouchDB.replicate(remotes.me, dbs.me, { live: true, retry: true,
      back_off_function: backOff, heartbeat: 10000, batch_size: 100 });
    live.on('change', (info) => onEvent('received', { docs: info.docs_written }));
    live.on('paused', (err) => onEvent(err ? 'offline' : 'idle', {}));
    live.on('active', () => onEvent('online', {}));
  }

  function stop() {
    if (live) live.cancel();
    live = null;
  }

  /** How many documents on the phone the server does not have yet. */
  async function pendingCount() {
    const state = await readState();
    let count = 0;
    for (const pass of PUSH_PASSES) {
      const changes = await dbs.me.changes({ since: state.passes[pass.name] || 0 });
      count += changes.results.filter((c) => isPhoneDoc(c.id) && pass.types.includes(typeOf(c.id))
        && !(state.denied[c.id] && c.changes.some((ch) => ch.rev === state.denied[c.id].rev))).length;
    }
    return count;
  }

  return { syncOnce, startLivePull, stop, pendingCount, state: readState, remotes };
}

/** Runs `syncOnce` again and again: soon after a local change, every `everyMs` otherwise, and
 * after a failure with a back-off capped at MAX_BACKOFF_MS. `timers` = {setTimeout, clearTimeout}. */
export function createSyncLoop(sync, { everyMs = 15000, timers = globalThis, onError = () => {} } = {}) {
  let timer = null;
  let running = false;
  let again = false;
  let failures = 0;
  let stopped = false;

  function schedule(ms) {
    if (stopped) return;
    if (timer) timers.clearTimeout(timer);
    timer = timers.setTimeout(run, ms);
  }

  async function run() {
    if (running) { again = true; return; }
    running = true;
    try {
      await sync.syncOnce();
      failures = 0;
    } catch (err) {
      failures += 1;
      onError(err);
    } finally {
      running = false;
    }
    if (again) { again = false; schedule(0); return; }
    schedule(failures ? Math.min(500 * 2 ** failures, MAX_BACKOFF_MS) : everyMs);
  }

  return { now: () => schedule(0), soon: () => schedule(300),
    stop: () => { stopped = true; if (timer) timers.clearTimeout(timer); } };
}
