// The working day's breadcrumbs: an Android foreground service (expo-location) delivers fixes to
// a task (expo-task-manager) that batches them into track documents in the phone's database,
// so points survive an app kill and are pushed when the network returns.
import * as Battery from 'expo-battery';
import * as Location from 'expo-location';
import * as TaskManager from 'expo-task-manager';
import { buildTrack } from 'fieldsync-phone-data/documents.js';
import { addPoints, emptyBuffer, flushPoints, intervalFor, pointFromFix, restartAction } from 'fieldsync-phone-data/track.js';
import { storage } from '../platform/device';
import { LocalPouch, localOptions } from '../platform/pouch';

export const TASK = 'fieldsync-breadcrumbs';
const DAY_KEY = 'fieldsync.day';
const BUFFER_ID = '_local/fieldsync-breadcrumbs';

async function day() {
  return JSON.parse((await storage.get(DAY_KEY)) || 'null');
}

function meDb(username) {
  return new LocalPouch(`fieldsync-${username}-me`, localOptions);
}

/** Add fixes to the held buffer; a full or old enough buffer becomes one track document. */
export async function storeFixes(db, ctx, fixes, now = Date.now(), flush = false) {
  const held = await db.get(BUFFER_ID).catch(() => ({ _id: BUFFER_ID, ...emptyBuffer() }));
  let next = addPoints(held, fixes.map(pointFromFix), now);
  if (flush) {
    const flushed = flushPoints(next.buffer);
    next = { buffer: flushed.buffer, batch: next.batch || flushed.batch };
  }
  if (next.batch) await db.put(buildTrack(ctx, next.batch));
  await db.put({ ...held, ...next.buffer });
  return next.batch;
}

TaskManager.defineTask(TASK, async ({ data, error }) => {
  const current = await day();
  if (error || !current || !current.on || !data) return;
  await storeFixes(meDb(current.owner), { owner: current.owner, deviceId: current.device_id }, data.locations || []);
});

async function startUpdates() {
  const battery = { level: await Battery.getBatteryLevelAsync().catch(() => 1),
    charging: (await Battery.getBatteryStateAsync().catch(() => 0)) === Battery.BatteryState.CHARGING,
    lowPower: await Battery.isLowPowerModeEnabledAsync().catch(() => false) };
  await Location.startLocationUpdatesAsync(TASK, {
    accuracy: Location.Accuracy.High, timeInterval: intervalFor(battery), distanceInterval: 20,
    deferredUpdatesInterval: intervalFor(battery),
    foregroundService: { notificationTitle: 'FieldSync: working day on',
      notificationBody: 'Your route is recorded until you end the day.', killServiceOnDestroy: false },
  });
}

/** "Start day": permissions, the foreground service, and the day saved for restarts. */
export async function startDay(session) {
  const fg = await Location.requestForegroundPermissionsAsync();
  const bg = fg.granted ? await Location.requestBackgroundPermissionsAsync() : fg;
  if (!bg.granted) throw new Error('Allow location "all the time" to record your route during the day.');
  await storage.set(DAY_KEY, JSON.stringify({ on: true, started_at: new Date().toISOString(),
    owner: session.user.username, device_id: session.ctx().deviceId }));
  await startUpdates();
}

/** "End day": the service stops and what is held becomes the day's last track document. */
export async function endDay(session) {
  if (await Location.hasStartedLocationUpdatesAsync(TASK)) await Location.stopLocationUpdatesAsync(TASK);
  await storage.set(DAY_KEY, JSON.stringify({ on: false }));
  await storeFixes(session.dbs.me, session.ctx(), [], Date.now(), true);
}

/** On app start: resume the service for a day still on, end one left on since another date. */
export async function resumeDay(session) {
  const taskRunning = await Location.hasStartedLocationUpdatesAsync(TASK).catch(() => false);
  const action = restartAction(await day(), { now: new Date(), taskRunning });
  if (action === 'start') await startUpdates();
  if (action === 'end_day' || action === 'stop') await endDay(session);
  return action;
}

export async function dayIsOn() {
  return Boolean(((await day()) || {}).on);
}
