// Location fixes for offers, approvals, orders and visits, and the breadcrumb trail.
import { buildTrack, isoWithOffset } from 'fieldsync-phone-data/documents.js';

const BUFFER_ID = '_local/fieldsync-breadcrumbs';
const POINTS_PER_TRACK = 20;

export const FIX_TIMEOUT_MS = 10000;

/** {loc} as documents carry it, or {noFix: why} when the phone cannot get one in time: a
 * signature or check-in in a basement is saved with the reason and flagged by the server. */
export function locate(timeoutMs = FIX_TIMEOUT_MS) {
  const waited = `no fix after ${Math.round(timeoutMs / 1000)} s`;
  return new Promise((resolve) => {
    if (!('geolocation' in navigator)) { resolve({ noFix: 'this device has no GPS' }); return; }
    // The browser's own timeout does not count the wait for a permission prompt.
    const timer = setTimeout(() => resolve({ noFix: waited }), timeoutMs + 500);
    navigator.geolocation.getCurrentPosition(
      (p) => {
        clearTimeout(timer);
        resolve({ loc: { lat: p.coords.latitude, lon: p.coords.longitude,
          accuracy_m: Math.max(0, p.coords.accuracy || 0), at: isoWithOffset(new Date(p.timestamp || Date.now())),
          mock: false } });
      },
      (err) => {
        clearTimeout(timer);
        const why = { 1: 'location permission denied', 2: 'no GPS position available', 3: waited };
        resolve({ noFix: why[err.code] || waited });
      },
      { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 60000 },
    );
  });
}

/** A fix as documents carry it, or null when the phone cannot get one in time. */
export async function getFix(timeoutMs = FIX_TIMEOUT_MS) {
  return (await locate(timeoutMs)).loc || null;
}

async function buffer(db) {
  try {
    return await db.get(BUFFER_ID);
  } catch {
    return { _id: BUFFER_ID, points: [] };
  }
}

/** Add a breadcrumb; every POINTS_PER_TRACK points (or on `flush`) become one track document. */
export async function addBreadcrumb(session, point, flush = false) {
  const db = session.dbs.me;
  const held = await buffer(db);
  if (point) held.points.push({ lat: point.lat, lon: point.lon, accuracy_m: point.accuracy_m, at: point.at, mock: point.mock });
  if (held.points.length && (flush || held.points.length >= POINTS_PER_TRACK)) {
    await db.put(buildTrack(session.ctx(), held.points));
    held.points = [];
  }
  await db.put(held);
}

/** While the app is open, a breadcrumb every `everyMs`; returns the stop function. */
export function startBreadcrumbs(session, everyMs) {
  let busy = false;
  const tick = async (flush) => {
    if (busy) return;
    busy = true;
    try {
      await addBreadcrumb(session, await getFix(), flush);
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => tick(false), everyMs);
  const hidden = () => { if (document.visibilityState === 'hidden') tick(true); };
  document.addEventListener('visibilitychange', hidden);
  return () => {
    clearInterval(timer);
    document.removeEventListener('visibilitychange', hidden);
  };
}
