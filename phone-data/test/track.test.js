// The background location rules: points, batches, interval and restart, with no device.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addPoints, emptyBuffer, flushPoints, intervalFor, pointFromFix, restartAction } from '../src/track.js';

const t0 = Date.parse('2026-11-30T04:00:00Z');
const fix = (ms, extra = {}) => ({ coords: { latitude: 12.97, longitude: 77.59, accuracy: 8, speed: 11.5 },
  timestamp: t0 + ms, ...extra });
const point = (ms) => pointFromFix(fix(ms));

test('a point carries accuracy, speed and the platform mocked flag', () => {
  const real = point(0);
  assert.deepEqual([real.lat, real.lon, real.accuracy_m, real.speed_mps, real.mock], [12.97, 77.59, 8, 11.5, false]);
  assert.equal(pointFromFix(fix(0, { mocked: true })).mock, true);
  const still = pointFromFix({ coords: { latitude: 1, longitude: 2, accuracy: null, speed: -1 }, timestamp: t0 });
  assert.equal(still.accuracy_m, 0);
  assert.equal('speed_mps' in still, false);
});

test('points wait in the buffer and become one track batch every few minutes', () => {
  let state = addPoints(emptyBuffer(), [point(0), point(60000)], t0 + 60000, { batchMs: 300000 });
  assert.equal(state.batch, null);
  state = addPoints(state.buffer, [point(120000)], t0 + 120000, { batchMs: 300000 });
  assert.equal(state.batch, null);
  state = addPoints(state.buffer, [point(360000)], t0 + 360000, { batchMs: 300000 });
  assert.equal(state.batch.length, 4);
  assert.deepEqual(state.buffer, emptyBuffer());
});

test('a fix delivered twice after a restart is kept once, and a full buffer is split', () => {
  let state = addPoints(emptyBuffer(), [point(0), point(1000)], t0 + 1000);
  state = addPoints(state.buffer, [point(1000), point(500), point(2000)], t0 + 2000);
  assert.deepEqual(state.buffer.points.map((p) => p.at), [point(0).at, point(1000).at, point(2000).at]);
  const many = Array.from({ length: 5 }, (_, i) => point(i * 1000));
  const full = addPoints(emptyBuffer(), many, t0, { maxPoints: 3 });
  assert.equal(full.batch.length, 3);
  assert.equal(full.buffer.points.length, 2);
});

test('end of day flushes what is held', () => {
  const held = addPoints(emptyBuffer(), [point(0)], t0).buffer;
  assert.equal(flushPoints(held).batch.length, 1);
  assert.equal(flushPoints(emptyBuffer()).batch, null);
});

test('the interval follows the battery', () => {
  assert.equal(intervalFor({ level: 0.9, charging: true }), 30000);
  assert.equal(intervalFor({ level: 0.8 }), 60000);
  assert.equal(intervalFor({ level: 0.2 }), 120000);
  assert.equal(intervalFor({ level: 0.1 }), 300000);
  assert.equal(intervalFor({ level: 0.9, lowPower: true }), 300000);
});

test('after a restart the task runs again only while a day started today is on', () => {
  const now = new Date(t0);
  const today = { on: true, started_at: new Date(t0 - 3600000).toISOString() };
  assert.equal(restartAction(today, { now, taskRunning: false }), 'start');
  assert.equal(restartAction(today, { now, taskRunning: true }), 'none');
  const lastWeek = { on: true, started_at: new Date(t0 - 7 * 86400000).toISOString() };
  assert.equal(restartAction(lastWeek, { now, taskRunning: true }), 'end_day');
  assert.equal(restartAction({ on: false }, { now, taskRunning: true }), 'stop');
  assert.equal(restartAction(null, { now, taskRunning: false }), 'none');
});
