// "Discard my change" on a refused document: the document goes back to its last accepted
// content, whoever refused the change (the gateway at the door, or the worker after storing
// it), and is dropped only when nothing of it was ever accepted. The server here plays the
// worker's part by writing its receipts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { phoneAndServer, refuseAtTheDoor } from './memory-phone.js';

const AMC = { _id: 'todo:amc', type: 'todo', title: 'Send the AMC quote', customer_id: 'C-1003' };

async function verdict(server, id, status) {
  const { _rev: docRev } = await server.get(id);
  const old = await server.get(`receipt:${id}`).catch(() => ({}));
  await server.put({ ...old, _id: `receipt:${id}`, doc_id: id, doc_rev: docRev, status });
  return docRev;
}

/** The phone's to-do accepted by the worker, then edited into a customer no one knows. */
async function acceptedThenEdited(dbs, server, sync) {
  await dbs.me.put(AMC);
  await sync.syncOnce();
  await verdict(server, AMC._id, 'accepted');
  await dbs.me.put({ ...(await dbs.me.get(AMC._id)), customer_id: 'C-404' });
  await sync.syncOnce(); // pushes the edit, pulls the receipt of the accepted revision
}

async function discardsBackToAccepted(name, keep) {
  const { dbs, server, sync, close } = await phoneAndServer(name);
  try {
    await acceptedThenEdited(dbs, server, sync);
    const refusedRev = await verdict(server, AMC._id, 'rejected');
    await sync.syncOnce();
    const kept = await dbs.me.get(`_local/fieldsync-kept:${AMC._id}`);
    assert.equal(kept.doc.customer_id, 'C-1003', 'the phone kept the accepted revision');
    // Either the store was compacted (its history gone, only the phone's copy is left), or the
    // phone is one from before they were kept (the receipt's history on the server tells).
    if (keep) await server.compact();
    else await dbs.me.remove(kept);
    assert.equal((await server.get(AMC._id))._rev, refusedRev, 'the store holds the refused edit');

    const back = await sync.discardChange(AMC._id);
    const held = await dbs.me.get(AMC._id);
    assert.equal(held.customer_id, 'C-1003');
    assert.equal(held.title, 'Send the AMC quote');
    assert.equal(back._rev, held._rev);
    assert.equal(held._rev.split('-')[0], '3', 'a new revision on top of the refused one');
    // Not sent until pushed, then waiting for the server's check, then accepted.
    assert.deepEqual(await sync.pending(), { notSent: [AMC._id], checking: [], refused: [] });
    await sync.syncOnce();
    assert.deepEqual(await sync.pending(), { notSent: [], checking: [AMC._id], refused: [] });
    assert.equal((await server.get(AMC._id)).customer_id, 'C-1003');
    await verdict(server, AMC._id, 'accepted');
    await sync.syncOnce();
    assert.deepEqual(await sync.pending(), { notSent: [], checking: [], refused: [] });
  } finally {
    await close();
  }
}

test('a worker-refused edit of an accepted document: the kept accepted version comes back', () =>
  discardsBackToAccepted('kept', true));

test('with no kept copy, the accepted version is found through the receipt\'s history', () =>
  discardsBackToAccepted('history', false));

test('a worker-refused document never accepted is dropped, even after a refused edit', async () => {
  const { dbs, server, sync, close } = await phoneAndServer('never');
  try {
    await dbs.me.bulkDocs([{ _id: 'todo:once', title: 'Call Kaveri', customer_id: 'C-404' },
      { _id: 'visit:twice', purpose: 'Demo', customer_id: 'C-404' }]);
    await sync.syncOnce();
    await verdict(server, 'todo:once', 'rejected');
    await verdict(server, 'visit:twice', 'rejected');
    // The visit is edited and refused again: its first revision was never accepted either.
    await dbs.me.put({ ...(await dbs.me.get('visit:twice')), purpose: 'Demo again' });
    await sync.syncOnce();
    await verdict(server, 'visit:twice', 'rejected');
    await sync.syncOnce();

    for (const id of ['todo:once', 'visit:twice']) {
      const back = await sync.discardChange(id);
      assert.equal(back._deleted, true, id);
      await assert.rejects(dbs.me.get(id), (err) => err.status === 404);
    }
    assert.deepEqual((await sync.pending()).notSent.sort(), ['todo:once', 'visit:twice']);
    await sync.syncOnce();
    await assert.rejects(server.get('visit:twice'), (err) => err.status === 404);
  } finally {
    await close();
  }
});

test('refused at the gateway: an edit gets the server\'s version back, a new document goes', async () => {
  const { dbs, server, sync, close } = await phoneAndServer('door');
  try {
    await dbs.me.put(AMC);
    await sync.syncOnce();
    await verdict(server, AMC._id, 'accepted');
    await sync.syncOnce();
    refuseAtTheDoor(sync, (doc) => (doc.title === '' ? 'title must not be empty' : ''));
    await dbs.me.put({ ...(await dbs.me.get(AMC._id)), title: '' });
    await dbs.me.put({ _id: 'todo:blank', title: '' });
    await sync.syncOnce();
    assert.deepEqual((await sync.pending()).refused.sort(), ['todo:amc', 'todo:blank']);

    assert.equal((await sync.discardChange(AMC._id)).title, 'Send the AMC quote');
    assert.equal((await sync.discardChange('todo:blank'))._deleted, true);
    await assert.rejects(dbs.me.get('todo:blank'), (err) => err.status === 404);
    assert.deepEqual((await sync.pending()).notSent.sort(), ['todo:amc', 'todo:blank']);
    await sync.syncOnce();
    assert.deepEqual(await sync.pending(), { notSent: [], checking: [AMC._id], refused: [] });
    assert.equal((await server.get(AMC._id)).title, 'Send the AMC quote');
  } finally {
    await close();
  }
});

test('a gateway refusal on top of an edit the worker refused: the accepted version comes back', async () => {
  const { dbs, server, sync, close } = await phoneAndServer('both');
  try {
    await acceptedThenEdited(dbs, server, sync);
    await verdict(server, AMC._id, 'rejected');
    await sync.syncOnce();
    refuseAtTheDoor(sync, (doc) => (doc.title === '' ? 'title must not be empty' : ''));
    await dbs.me.put({ ...(await dbs.me.get(AMC._id)), title: '' });
    await sync.syncOnce();
    assert.deepEqual((await sync.pending()).refused, [AMC._id]);

    const back = await sync.discardChange(AMC._id);
    assert.deepEqual([back.title, back.customer_id], ['Send the AMC quote', 'C-1003']);
    assert.deepEqual(await sync.pending(), { notSent: [AMC._id], checking: [], refused: [] });
  } finally {
    await close();
  }
});
