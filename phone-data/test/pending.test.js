// The pending count: documents whose current revision has not reached the server, apart from
// those sent and waiting for the server's check; refusals at the door counted on their own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countByType, docLabel, pendingState } from '../src/receipts.js';
import { dropNetworkOn, phoneAndServer, refuseAtTheDoor } from './memory-phone.js';

test('not sent: changed after the push checkpoint, not from the server, no receipt for it', () => {
  const where = pendingState({
    current: [{ id: 'todo:a', rev: '1-a' }, { id: 'todo:b', rev: '2-b' }, { id: 'offer:c', rev: '1-c' },
      { id: 'receipt:todo:b', rev: '1-r' }, { id: 'product:P-1', rev: '1-p' }],
    unsent: ['todo:a', 'todo:b', 'offer:c', 'receipt:todo:b'],
    fromServer: { 'offer:c': '1-c' },
    checked: { 'todo:b': '1-b' },
  });
  // todo:a is new; todo:b was edited after its receipt; offer:c came from the server unchecked
  assert.deepEqual(where, { notSent: ['todo:a', 'todo:b'], checking: ['offer:c'], refused: [] });
});

test('sent: waiting for the check until a receipt names this revision (or a later one)', () => {
  const current = [{ id: 'todo:a', rev: '3-a' }, { id: 'todo:b', rev: '1-b' }, { id: 'todo:c', rev: '1-c' }];
  const where = pendingState({ current, unsent: [], checked: { 'todo:a': '2-x', 'todo:b': '1-b', 'todo:c': '2-c' } });
  assert.deepEqual(where, { notSent: [], checking: ['todo:a'], refused: [] });
});

test('a receipt that arrives before the push checkpoint moves counts the document as on the server', () => {
  const where = pendingState({ current: [{ id: 'todo:a', rev: '1-a' }], unsent: ['todo:a'], checked: { 'todo:a': '1-a' } });
  assert.deepEqual(where.notSent, []);
});

test('a refused revision is neither "not sent" nor "waiting"; an edit after it is not sent again', () => {
  const denied = { 'expense:a': { rev: '1-a', reason: 'km must be at most 100000' }, 'expense:b': { rev: '1-b' } };
  const where = pendingState({ current: [{ id: 'expense:a', rev: '1-a' }, { id: 'expense:b', rev: '2-b' }],
    unsent: ['expense:b'], denied });
  assert.deepEqual(where, { notSent: ['expense:b'], checking: [], refused: ['expense:a'] });
});

test('what is not sent, in words a person reads', () => {
  const docs = [{ _id: 'todo:1', title: 'Send the AMC quote' }, { _id: 'offer:1', customer_id: 'C-1003' },
    { _id: 'offer:2', customer_id: 'C-1001' }, { _id: 'expense:1', from_place: 'Mysuru', to_place: 'Mandya' }];
  assert.equal(countByType(docs), '1 to-do, 2 offers, 1 expense');
  assert.deepEqual(docLabel(docs[0]), { type: 'todo', noun: 'to-do', name: 'Send the AMC quote' });
  assert.equal(docLabel(docs[3]).name, 'Mysuru → Mandya');
});

test('a fresh sign-in shows nothing not sent; its edits count until pushed, then wait for receipts', async () => {
  const { dbs, server, sync, close } = await phoneAndServer('fresh');
  try {
    // Seven documents and their receipts already on the server from an earlier device.
    const earlier = Array.from({ length: 7 }, (_, i) => ({ _id: `todo:old${i}`, title: `Old ${i}` }));
    const written = await server.bulkDocs(earlier);
    await server.bulkDocs(written.map((w) => ({ _id: `receipt:${w.id}`, doc_rev: w.rev, status: 'accepted' })));
    await sync.syncOnce(); // pushes nothing, then pulls them
    assert.deepEqual(await sync.pending(), { notSent: [], checking: [], refused: [] });

    const a = await dbs.me.put({ _id: 'todo:new', title: 'Call Kaveri' });
    await dbs.me.put({ _id: 'offer:new', customer_id: 'C-1' });
    assert.deepEqual((await sync.pending()).notSent.sort(), ['offer:new', 'todo:new']);
    assert.equal(await sync.pendingCount(), 2);

    await sync.syncOnce();
    assert.deepEqual(await sync.pending(), { notSent: [], checking: ['offer:new', 'todo:new'], refused: [] });
    await server.put({ _id: 'receipt:todo:new', doc_rev: a.rev, status: 'accepted' });
    await sync.syncOnce();
    assert.deepEqual(await sync.pending(), { notSent: [], checking: ['offer:new'], refused: [] });
  } finally {
    await close();
  }
});

test('a document pulled by the live feed is not counted before the next round runs', async () => {
  const { dbs, server, sync, close } = await phoneAndServer('live');
  try {
    await sync.syncOnce();
    sync.startLivePull();
    await server.put({ _id: 'lead:from-server', title: 'Written on another device' });
    for (let i = 0; i < 100 && !(await dbs.me.get('lead:from-server').catch(() => null)); i += 1) {
      await new Promise((r) => setTimeout(r, 20));
    }
    // the pull's record follows its write within the same change event
    for (let i = 0; i < 50 && (await sync.pending()).notSent.length; i += 1) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(await sync.pending(), { notSent: [], checking: ['lead:from-server'], refused: [] });
  } finally {
    await close();
  }
});

test('the count falls batch by batch as a pass pushes: a round cut short keeps what it sent', async () => {
  const { dbs, server, sync, close } = await phoneAndServer('batches');
  try {
    await dbs.me.bulkDocs(Array.from({ length: 4 }, (_, i) => ({ _id: `track:${i}`, points: [] })));
    // The network drops after two of the four one-document batches of the media pass.
    const network = dropNetworkOn(sync, (docs, call) => call > 2);
    await assert.rejects(sync.syncOnce());
    assert.equal((await server.allDocs()).rows.length, 2);
    assert.equal(await sync.pendingCount(), 2);
    network.restore();
    await sync.syncOnce();
    assert.equal(await sync.pendingCount(), 0);
    assert.equal((await sync.pending()).checking.length, 4);
  } finally {
    await close();
  }
});

test('discarding a refused change puts back what the server holds, or drops what it never had', async () => {
  const { dbs, server, sync, close } = await phoneAndServer('discard');
  try {
    const signed = { _id: 'offer:s1', customer_id: 'C-1', totals: { grand_total: '81272.50' } };
    await server.put(signed);
    await sync.syncOnce();
    const held = await dbs.me.get('offer:s1');
    await dbs.me.put({ ...held, totals: { grand_total: '325090.00' } }); // refused at the gateway
    await dbs.me.put({ _id: 'todo:never', title: 'x'.repeat(10) });

    const back = await sync.discardChange('offer:s1');
    assert.equal(back.totals.grand_total, '81272.50');
    assert.equal((await dbs.me.get('offer:s1')).totals.grand_total, '81272.50');
    assert.ok(Number(back._rev.split('-')[0]) > Number(held._rev.split('-')[0]) + 1, 'a new revision');
    await sync.discardChange('todo:never');
    await assert.rejects(dbs.me.get('todo:never'), (err) => err.status === 404);
    // Both discards are changes still to send: the deletion counts until it is sent.
    assert.deepEqual((await sync.pending()).notSent.sort(), ['offer:s1', 'todo:never']);

    await sync.syncOnce(); // the restored revision reaches the server with the signed terms
    assert.equal((await server.get('offer:s1')).totals.grand_total, '81272.50');
  } finally {
    await close();
  }
});

test('refused at the door, discarded, deleted: each counts until the server has the phone\'s answer', async () => {
  const { dbs, server, sync, close } = await phoneAndServer('denied');
  try {
    const held = { _id: 'expense:e1', amount: '450.00', km: 12 };
    await server.put(held); // accepted earlier, on the server
    const todo = await dbs.me.put({ _id: 'todo:t1', title: 'Call Kaveri' });
    await sync.syncOnce();
    await server.put({ _id: 'receipt:todo:t1', doc_rev: todo.rev, status: 'accepted' });
    await server.put({ _id: 'receipt:expense:e1', doc_rev: (await server.get('expense:e1'))._rev, status: 'accepted' });
    await sync.syncOnce();
    assert.deepEqual(await sync.pending(), { notSent: [], checking: [], refused: [] });

    refuseAtTheDoor(sync, (doc) => (doc.km > 100000 ? 'km must be at most 100000' : ''));
    const local = await dbs.me.get('expense:e1');
    await dbs.me.put({ ...local, km: 200000 }); // an edit the gateway refuses
    await dbs.me.put({ _id: 'expense:new', amount: '90.00', km: 150000 }); // new, refused too
    await sync.syncOnce();
    assert.deepEqual(await sync.pending(), { notSent: [], checking: [], refused: ['expense:e1', 'expense:new'] });
    assert.equal((await sync.state()).denied['expense:new'].reason, 'km must be at most 100000');
    assert.equal((await server.get('expense:e1')).km, 12);

    // Discarded: the server's version comes back, the document it never had goes; both are
    // changes to send, and an accepted document deleted on the phone is one as well.
    await sync.discardChange('expense:e1');
    await sync.discardChange('expense:new');
    await dbs.me.remove(await dbs.me.get('todo:t1'));
    const discarded = await sync.pending();
    assert.deepEqual([discarded.notSent.sort(), discarded.checking, discarded.refused],
      [['expense:e1', 'expense:new', 'todo:t1'], [], []]);
    assert.equal(await sync.pendingCount(), 3);

    await sync.syncOnce();
    // Sent: the restored expense waits for its receipt; the deletions are done with.
    assert.deepEqual(await sync.pending(), { notSent: [], checking: ['expense:e1'], refused: [] });
    assert.equal((await server.get('expense:e1')).km, 12);
    await assert.rejects(server.get('todo:t1'), (err) => err.status === 404);
  } finally {
    await close();
  }
});
