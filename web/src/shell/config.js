// Where the server is: the page's own origin, or `?server=` (tests and split deployments).

/** The server's absolute base URL without a trailing slash (PouchDB needs an absolute URL to
 * tell a remote database from a local one). */
export function serverUrl(location = window.location) {
  const given = new URLSearchParams(location.search).get('server');
  return given ? given.replace(/\/+$/, '') : location.origin;
}

/** Numbers the tests may shorten through the query string (breadcrumb interval, sync period). */
export function tuning(location = window.location) {
  const q = new URLSearchParams(location.search);
  const num = (name, fallback) => (Number(q.get(name)) > 0 ? Number(q.get(name)) : fallback);
  return { trackEveryMs: num('track_ms', 180000), syncEveryMs: num('sync_ms', 15000) };
}
