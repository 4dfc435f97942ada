// What the customer signed reaches the server before photos and GPS trails: the real sync
// (createSync with PouchDB's replication) pushing a phone that holds all of them at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dropNetworkOn, phoneAndServer } from './memory-phone.js';

const typeOf = (id) => id.split(':', 1)[0];
const MEDIA = new Set(['expense', 'track']);
const PHOTO = Buffer.alloc(64 * 1024, 7).toString('base64'); // a receipt photo, 64 KB

/** Written in the order a working day makes them: trails and receipt photos first, the
 * customer's signature and the order last, so the phone's own feed holds them last. */
async function aDayOnThePhone(me) {
  await me.bulkDocs([
    { _id: 'track:morning', points: [[12.31, 76.64], [12.32, 76.65]] },
    { _id: 'expense:fuel', amount: '450.00', receipt: 'photo.jpg',
      _attachments: { 'photo.jpg': { content_type: 'image/jpeg', data: PHOTO } } },
    { _id: 'visit:kaveri', customer_id: 'C-1003', purpose: 'Survey' },
  ]);
  await me.put({ _id: 'offer:o1', customer_id: 'C-1003' });
  await me.put({ _id: 'approval:a1', offer_id: 'offer:o1', signed_by: 'K. Ramesh' });
  await me.put({ _id: 'order:r1', offer_id: 'offer:o1', approval_id: 'approval:a1' });
  await me.put({ _id: 'track:afternoon', points: [[12.33, 76.66]] });
}

/** The server's documents in the order they were written to it. */
async function arrivals(server) {
  return (await server.changes()).results.map((c) => c.id);
}

test('one round: offer, approval and order reach the server before any photo or trail', async () => {
  const { dbs, server, sync, close } = await phoneAndServer('order-first');
  try {
    await aDayOnThePhone(dbs.me);
    const local = (await dbs.me.changes()).results.map((c) => c.id);
    assert.ok(local.indexOf('order:r1') > local.indexOf('expense:fuel'), 'the phone holds the order last');

    await sync.syncOnce();
    const got = await arrivals(server);
    assert.equal(got.length, 7);
    const at = (id) => got.indexOf(id);
    assert.ok(at('offer:o1') < at('approval:a1') && at('approval:a1') < at('order:r1'), got.join(' '));
    const lastSigned = at('order:r1');
    const firstMedia = Math.min(...got.filter((id) => MEDIA.has(typeOf(id))).map(at));
    assert.ok(lastSigned < firstMedia, got.join(' '));
    assert.equal((await server.get('expense:fuel', { attachments: true }))._attachments['photo.jpg'].data, PHOTO);
  } finally {
    await close();
  }
});

test('the network drops at the first photo: the order is on the server, the photos wait', async () => {
  const { dbs, server, sync, close } = await phoneAndServer('order-kept');
  try {
    await aDayOnThePhone(dbs.me);
    const network = dropNetworkOn(sync, (docs) => docs.some((d) => MEDIA.has(typeOf(d._id))));
    await assert.rejects(sync.syncOnce());
    const got = (await arrivals(server)).sort();
    assert.deepEqual(got, ['approval:a1', 'offer:o1', 'order:r1', 'visit:kaveri']);
    // One photo or trail a request: the first media batch held one document only.
    assert.equal(network.batches.at(-1).length, 1);
    assert.deepEqual((await sync.pending()).notSent.sort(), ['expense:fuel', 'track:afternoon', 'track:morning']);

    network.restore();
    await sync.syncOnce();
    assert.equal((await arrivals(server)).length, 7);
    assert.deepEqual((await sync.pending()).notSent, []);
  } finally {
    await close();
  }
});
