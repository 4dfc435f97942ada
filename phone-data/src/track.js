// Background breadcrumbs as pure functions: a point from a platform fix, points batched into
// track documents every few minutes, a battery-aware interval, and what to do after a restart.
import { isoWithOffset, localDate } from './documents.js';

export const BATCH_MS = 5 * 60000;
export const MAX_POINTS = 2000; // a track document holds at most this many points

/** A track point from a fix shaped like expo-location's {coords, timestamp, mocked}; `mock`
 * comes from the platform's mocked-location flag, never from a guess. */
export function pointFromFix(fix) {
  const c = fix.coords;
  const point = { lat: c.latitude, lon: c.longitude, accuracy_m: Math.max(0, c.accuracy || 0),
    at: isoWithOffset(new Date(fix.timestamp)), mock: fix.mocked === true };
  if (typeof c.speed === 'number' && c.speed >= 0) point.speed_mps = c.speed;
  return point;
}

/** How often to ask for a fix: often while charging, rarely on a low battery. */
export function intervalFor({ level = 1, charging = false, lowPower = false } = {}) {
  if (charging) return 30000;
  if (lowPower || level < 0.15) return 300000;
  if (level < 0.3) return 120000;
  return 60000;
}

export const emptyBuffer = () => ({ points: [], since: null });

/** The buffer after new fixes arrive at `now` (ms): `batch` is the points to write as one track
 * document, or null while the buffer waits. Fixes older than the last held one are dropped:
 * the platform may deliver a fix twice after a restart. */
export function addPoints(buffer, points, now, { batchMs = BATCH_MS, maxPoints = MAX_POINTS } = {}) {
  const last = buffer.points.length ? Date.parse(buffer.points[buffer.points.length - 1].at) : -Infinity;
  const fresh = points.filter((p) => Date.parse(p.at) > last)
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const held = [...buffer.points, ...fresh];
  const since = buffer.since ?? (held.length ? now : null);
  if (held.length >= maxPoints || (held.length && now - since >= batchMs)) {
    const batch = held.slice(0, maxPoints);
    const rest = held.slice(maxPoints);
    return { buffer: { points: rest, since: rest.length ? now : null }, batch };
  }
  return { buffer: { points: held, since }, batch: null };
}

/** Whatever is held, as one last batch (end of day). */
export function flushPoints(buffer) {
  return { buffer: emptyBuffer(), batch: buffer.points.length ? buffer.points.slice(0, MAX_POINTS) : null };
}

/** After the app or the phone restarts: `day` is {on, started_at} as saved when the day started.
 * A day left on since another date ends (its points are flushed), a day still on restarts the
 * task if the platform is not running it, and nothing runs when no day is on. */
export function restartAction(day, { now, taskRunning }) {
  if (!day || !day.on) return taskRunning ? 'stop' : 'none';
  if (localDate(new Date(day.started_at)) !== localDate(now)) return 'end_day';
  return taskRunning ? 'none' : 'start';
}
