// Where the server is: the page's own origin. A client hosted elsewhere (a native shell, a
// separate static host) gets the address at build time through VITE_FIELDSYNC_SERVER_URL; it is
// never read from the page's URL, since a link could then send the tokens to another host.

/** The server's absolute base URL without a trailing slash (PouchDB needs an absolute URL to
 * tell a remote database from a local one). */
export function serverUrl(location = window.location, built = import.meta.env.VITE_FIELDSYNC_SERVER_URL) {
  return built ? String(built).replace(/\/+$/, '') : location.origin;
}

/** Numbers the tests may shorten through the query string (breadcrumb interval, sync period). */
export function tuning(location = window.location) {
  const q = new URLSearchParams(location.search);
  const num = (name, fallback) => (Number(q.get(name)) > 0 ? Number(q.get(name)) : fallback);
  return { trackEveryMs: num('track_ms', 180000), syncEveryMs: num('sync_ms', 15000) };
}
