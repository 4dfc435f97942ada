// Replication with the gateway: /sync/me both ways, /sync/catalog and /sync/customers pull only.
// Pushes run in passes so that orders and approvals reach the server before GPS and photos.
import { isPhoneDoc, pendingState } from './receipts.js';

export const MAX_BACKOFF_MS = 5000;
/** Page size of the master-data pulls (catalog, customers); the benchmark uses the same. Each
 * page costs two round trips (the documents, then the checkpoint), 2 s each on 2G: 1,000
 * customers are about 60 KB compressed, so fewer, larger pages get a territory down sooner. */
export const MASTER_BATCH = 1000;

/** PouchDB's retry delay, capped so that sync resumes within seconds of the network returning. */
export function backOff(delay) {
  return delay === 0 ? 500 : Math.min(delay * 2, MAX_BACKOFF_MS);
}

const typeOf = (id) => String(id).split(':', 1)[0];
const generation = (rev) => Number.parseInt(String(rev || '0').split('-', 1)[0], 10) || 0;

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
/** Where the phone keeps a document's last accepted revision (its body, attachments as stubs:
 * their data stays in the phone's database), for a discard after a later revision is refused. */
const KEPT_PREFIX = '_local/fieldsync-kept:';

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
      return { _id: STATE_ID, passes: {}, denied: {}, from_server: {}, last_sync: null };
    }
  }

  // Two rounds may finish together (a loop's round and a "Sync now"), and the live pull writes
  // too: the later write reads the state again and applies its change on top instead of failing
  // with a conflict. `change` is a patch or a function of the state read.
  async function writeState(change) {
    for (let attempt = 1; ; attempt += 1) {
      const read = await readState();
      const state = { ...read, ...(typeof change === 'function' ? change(read) : change) };
      try {
        const { rev } = await dbs.me.put(state);
        return { ...state, _rev: rev };
      } catch (err) {
        if (err.status !== 409 || attempt >= 5) throw err;
      }
    }
  }

  function denied(collected) {
    return (err) => collected.push({ id: err.id, rev: err.rev, reason: err.reason || err.message,
      errors: Array.isArray(err.errors) ? err.errors : undefined });
  }

  /** After each batch PouchDB writes its checkpoint: the pass's position and the batch's
   * refusals are kept at once, so the pending count falls batch by batch, not per round. */
  async function keepCheckpoint(pass, seq, collected) {
    const refusals = {};
    for (const item of collected.splice(0)) {
      // The refusal names the revision the phone holds now; an edit after it is pushed again.
      const rev = item.rev || (await dbs.me.get(item.id).catch(() => ({})))._rev;
      refusals[item.id] = { rev, reason: item.reason, ...(item.errors ? { errors: item.errors } : {}) };
    }
    await writeState((s) => ({ passes: { ...s.passes, [pass.name]: seq },
      denied: { ...s.denied, ...refusals } }));
    onEvent('progress', { pass: pass.name }); // _local writes are not in the changes feed
  }

  async function pushPass(pass) {
    const collected = [];
    const rep = PouchDB.replicate(dbs.me, remotes.me, {
      filter: (doc) => pass.types.includes(typeOf(doc._id)), batch_size: pass.batchSize || 50,
      // PouchDB's checkpoint id covers the filter's source text and the query parameters: the
      // pass name gives each pass its own checkpoint.
      query_params: { pass: pass.name },
    });
    rep.on('denied', denied(collected));
    let kept = Promise.resolve();
    rep.on('checkpoint', (info) => {
      if (info && info.checkpoint !== undefined) {
        kept = kept.then(() => keepCheckpoint(pass, info.checkpoint, collected));
      }
    });
    const result = await rep;
    await kept;
    await keepCheckpoint(pass, result.last_seq, collected);
    return result.docs_written;
  }

  /** Whether a pass has anything to send, read from the phone alone: an idle round then costs
   * no request at all (on 2G starting a replication is several 2-second round trips). */
  async function hasWork(pass, state) {
    const changes = await dbs.me.changes({ since: state.passes[pass.name] || 0 });
    return changes.results.some((c) => pass.types.includes(typeOf(c.id)));
  }

  /** Pull one master-data database, telling how far it got: "Customers 1,200 of 5,000". */
  async function pullMaster(name) {
    const local = dbs[name];
    let total = null;
    const report = async () => {
      const { doc_count: done } = await local.info();
      onEvent('pulling', { db: name, done, total: total === null ? null : Math.max(total, done) });
    };
    // The size comes in parallel with the first batch: no extra round trip before data flows.
    const sized = remotes[name].info().then((info) => { total = info.doc_count; return report(); })
      .catch(() => {});
    const rep = PouchDB.replicate(remotes[name], local, { batch_size: MASTER_BATCH });
    rep.on('change', () => { report().catch(() => {}); });
    await rep;
    await sized;
    const { doc_count: done } = await local.info();
    onEvent('pulling', { db: name, done, total: done, complete: true });
  }

  /** Revisions that came from the server are on the server: a fresh sign-in's documents are
   * not "not sent" just because they sit after the push checkpoints. */
  function keepFromServer(info) {
    const revs = Object.fromEntries((info.docs || []).filter((d) => isPhoneDoc(d._id))
      .map((d) => [d._id, d._rev]));
    if (!Object.keys(revs).length) return Promise.resolve();
    return writeState((s) => ({ from_server: { ...(s.from_server || {}), ...revs } }))
      .then(() => onEvent('progress', { pulled: Object.keys(revs).length }));
  }

  /** A receipt accepting a revision the phone holds: that revision is kept, since the worker
   * refusing a later edit leaves the refused revision as the server's copy of the document.
   * GPS trails are left out: no one edits one after it is sent, and they are most of the data. */
  async function keepAccepted(info) {
    const wanted = (info.docs || []).filter((d) => String(d._id).startsWith('receipt:')
      && d.status === 'accepted' && isPhoneDoc(d.doc_id) && typeOf(d.doc_id) !== 'track')
      .map((d) => ({ id: d.doc_id, rev: d.doc_rev }));
    if (!wanted.length) return;
    const { results } = await dbs.me.bulkGet({ docs: wanted }); // one read for the batch
    const bodies = results.map((r) => ((r.docs || [])[0] || {}).ok).filter((d) => d && !d._deleted);
    await Promise.all(bodies.map(async (doc) => {
      const id = `${KEPT_PREFIX}${doc._id}`;
      const old = await dbs.me.get(id).catch(() => ({ _id: id }));
      if (old.doc && generation(old.doc._rev) > generation(doc._rev)) return;
      // A pull running beside this one may keep the same receipt first: nothing is lost then.
      await dbs.me.put({ ...old, doc }).catch((err) => { if (err.status !== 409) throw err; });
    }));
  }

  function pull(options) {
    const rep = PouchDB.replicate(remotes.me, dbs.me, options);
    let kept = Promise.resolve();
    let keeping = Promise.resolve(); // its own chain: the master data need not wait for it
    rep.on('change', (info) => {
      kept = kept.then(() => keepFromServer(info)).catch(() => {});
      keeping = keeping.then(() => keepAccepted(info)).catch(() => {});
    });
    return { rep, kept: () => kept, keeping: () => keeping };
  }

  /** One full round: the push passes in order, then the engineer's own documents, then
   * customers and catalog side by side. */
  async function syncOnce() {
    const start = await readState();
    const before = { ...(start.from_server || {}) };
    let pushed = 0;
    for (const pass of PUSH_PASSES) {
      if (await hasWork(pass, start)) pushed += await pushPass(pass);
    }
    // The passes went past everything received before the round: those marks are done with.
    await writeState((s) => ({ from_server: Object.fromEntries(Object.entries(s.from_server || {})
      .filter(([id, rev]) => before[id] !== rev)) }));
    const down = pull({ batch_size: 100 });
    const pulled = await down.rep;
    await down.kept();
    onEvent('pulled', { docs: pulled.docs_written });
    await Promise.all([pullMaster('customers'), pullMaster('catalog'), down.keeping()]);
    const saved = await writeState({ last_sync: new Date().toISOString() });
    onEvent('synced', { pushed, pulled: pulled.docs_written, at: saved.last_sync });
    return { pushed, pulled: pulled.docs_written };
  }

  /** Receipts and decisions as soon as the server writes them (live, retrying, capped). */
  function startLivePull() {
    if (live) return;
    ({ rep: live } = pull({ live: true, retry: true, back_off_function: backOff, heartbeat: 10000,
      batch_size: 100 }));
    live.on('change', (info) => onEvent('received', { docs: info.docs_written }));
    live.on('paused', (err) => onEvent(err ? 'offline' : 'idle', {}));
    live.on('active', () => onEvent('online', {}));
  }

  function stop() {
    if (live) live.cancel();
    live = null;
  }

  /** Where the phone's documents are: {notSent, checking, refused}, lists of ids (see
   * receipts.pendingState), from the local store and the push checkpoints. */
  async function pending() {
    const state = await readState();
    const unsent = [];
    const deletions = []; // not listed by allDocs, yet a discard or a deletion must be sent too
    for (const pass of PUSH_PASSES) {
      const changes = await dbs.me.changes({ since: state.passes[pass.name] || 0 });
      for (const c of changes.results) {
        if (!pass.types.includes(typeOf(c.id))) continue;
        unsent.push(c.id);
        if (c.deleted) deletions.push({ id: c.id, rev: c.changes[0].rev });
      }
    }
    const all = await dbs.me.allDocs();
    const receipts = await dbs.me.allDocs({ startkey: 'receipt:', endkey: 'receipt:\ufff0', include_docs: true });
    const checked = Object.fromEntries(receipts.rows.filter((r) => r.doc && r.doc.doc_rev)
      .map((r) => [r.id.slice('receipt:'.length), r.doc.doc_rev]));
    const current = [...all.rows.map((r) => ({ id: r.id, rev: r.value.rev })), ...deletions];
    return pendingState({ current, unsent,
      denied: state.denied, fromServer: state.from_server || {}, checked });
  }

  /** How many documents on the phone the server does not have yet. */
  async function pendingCount() {
    return (await pending()).notSent.length;
  }

  /** The server's copy of a document (or of one revision of it), null when it has none. */
  async function serverCopy(id, options = {}) {
    try {
      return await remotes.me.get(id, { attachments: true, ...options });
    } catch (err) {
      if (err.status === 404) return null;
      throw err;
    }
  }

  /** The last revision the server accepted, as this phone kept it when the receipt came. */
  async function keptAccepted(id) {
    const kept = await dbs.me.get(`${KEPT_PREFIX}${id}`).catch(() => null);
    const body = kept && kept.doc;
    return body && body._id === id ? body : null;
  }

  /** The last revision a receipt accepted, read from the receipt's own revision history on the
   * server (each verdict is a revision of `receipt:<id>`, kept until the store is compacted).
   * For a phone that kept no copy (one from before phones kept them, or a document accepted
   * on another device). Only an accepted revision counts: restoring an earlier refused one
   * would bring back a refusal the engineer could never discard. The body comes from the
   * store's revision history too. */
  async function acceptedByReceipt(id) {
    const receipt = await serverCopy(`receipt:${id}`, { revs: true, attachments: false });
    const { start, ids } = (receipt && receipt._revisions) || { start: 0, ids: [] };
    const docs = ids.map((hash, i) => ({ id: receipt._id, rev: `${start - i}-${hash}` }));
    const verdicts = docs.length ? (await remotes.me.bulkGet({ docs })).results : [];
    for (const result of verdicts) { // newest first, as the history lists them
      const verdict = ((result.docs || [])[0] || {}).ok;
      if (verdict && verdict.status === 'accepted' && verdict.doc_rev) {
        const body = await serverCopy(id, { rev: verdict.doc_rev });
        return body && !body._deleted ? body : null;
      }
    }
    return null;
  }

  /** What the document goes back to when the engineer discards the phone's revision. A refusal
   * at the gateway leaves the server's copy as it was, and that copy comes back. A refusal by
   * the worker leaves the refused revision as the server's copy: the last accepted one comes
   * back instead (the one SQL still shows). Null, and so a deletion, only when no revision of
   * the document was ever accepted: then neither the phone nor the office has anything to keep. */
  async function lastAccepted(id, local) {
    const held = await serverCopy(id);
    if (!held || held._deleted) return null;
    // The server's copy may be an earlier edit the worker refused, under a later one the
    // gateway refused: the receipt on the phone says so.
    const receipt = await dbs.me.get(`receipt:${id}`).catch(() => ({}));
    const refused = receipt.status === 'rejected' && receipt.doc_rev === held._rev;
    if (held._rev !== local._rev && !refused) return held;
    return (await keptAccepted(id)) || acceptedByReceipt(id);
  }

  /** The engineer discards a refused change: the document goes back to its last accepted content
   * (a signed offer keeps its signed terms), or is deleted when nothing of it was ever accepted.
   * It is a new revision on the phone, sent like any edit: "not sent" until pushed, then waiting
   * for the server's check, which accepts it and clears the office's refusal. */
  async function discardChange(id) {
    const local = await dbs.me.get(id);
    const accepted = await lastAccepted(id, local);
    let next = { _id: id, _rev: local._rev, _deleted: true };
    if (accepted) {
      next = { ...accepted, _id: id, _rev: local._rev }; // on top of the phone's revision
      delete next._revisions;
    }
    const { rev } = await dbs.me.put(next);
    onEvent('discarded', { id, restored: Boolean(accepted), serverRev: accepted && accepted._rev });
    return { ...next, _rev: rev };
  }

  return { syncOnce, startLivePull, stop, pending, pendingCount, discardChange, state: readState,
    remotes };
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
