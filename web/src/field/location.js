// Location fixes for offers, approvals, orders and visits, and the breadcrumb trail.
import { buildTrack, isoWithOffset } from 'fieldsync-phone-data/documents.js';

const BUFFER_ID = '_local/fieldsync-breadcrumbs';
const POINTS_PER_TRACK = 20;

/** A fix as documents carry it, or null when the phone cannot get one in time. */
export function getFix(timeoutMs = 8000) {
  return new Promise((resolve) => {
    if (!('geolocation' in navigator)) { resolve(null); return; }
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lat: p.coords.latitude, lon: p.coords.longitude,
        accuracy_m: Math.max(0, p.coords.accuracy || 0), at: isoWithOffset(new Date(p.timestamp || Date.now())),
        mock: false }),
      () => resolve(null),
      { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 60000 },
    );
  });
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
