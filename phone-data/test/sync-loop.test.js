// The phone's sync loop: after failures it waits 1 s, 2 s, 4 s… up to MAX_BACKOFF_MS, and a
// success brings it back to the ordinary interval. Timers are fake: the test fires them itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_BACKOFF_MS, createSyncLoop } from '../src/sync.js';

function fakeTimers() {
  const pending = new Map();
  let next = 1;
  return {
    setTimeout(fn, ms) { const id = next++; pending.set(id, { fn, ms }); return id; },
    clearTimeout(id) { pending.delete(id); },
    /** The one timer waiting now: its delay, and a way to fire it (awaiting the run). */
    only() {
      assert.equal(pending.size, 1, 'exactly one timer is waiting');
      const [[id, { fn, ms }]] = pending;
      return { ms, fire: async () => { pending.delete(id); await fn(); } };
    },
  };
}

function scriptedSync(outcomes) {
  const calls = [];
  return {
    calls,
    async syncOnce() {
      const ok = outcomes[calls.length];
      calls.push(ok);
      if (!ok) throw new Error('offline');
    },
  };
}

test('failures back off 1 s, 2 s, 4 s up to the cap; a success resets to the interval', async () => {
  const everyMs = 15000;
  const outcomes = [false, false, false, false, false, true, false, false];
  const sync = scriptedSync(outcomes);
  const timers = fakeTimers();
  const errors = [];
  const loop = createSyncLoop(sync, { everyMs, timers, onError: (e) => errors.push(e.message) });
  loop.now();
  const waits = [];
  for (let i = 0; i < outcomes.length; i += 1) {
    const timer = timers.only();
    waits.push(timer.ms);
    await timer.fire();
  }
  waits.push(timers.only().ms);
  loop.stop();
  assert.equal(MAX_BACKOFF_MS, 5000);
  // now, then after each outcome: four growing waits, the cap, the interval, and a fresh 1 s.
  assert.deepEqual(waits, [0, 1000, 2000, 4000, MAX_BACKOFF_MS, MAX_BACKOFF_MS, everyMs, 1000, 2000]);
  assert.equal(sync.calls.length, outcomes.length);
  assert.equal(errors.length, 7);
});

test('a stopped loop leaves no timer behind', async () => {
  const sync = scriptedSync([false]);
  const timers = fakeTimers();
  const loop = createSyncLoop(sync, { timers });
  loop.now();
  await timers.only().fire();
  assert.equal(timers.only().ms, 1000);
  loop.stop();
  assert.equal(sync.calls.length, 1);
  assert.throws(() => timers.only(), /exactly one timer/);
});
