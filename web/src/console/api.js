// A thin fetch client for the console: JSON in and out, the one error shape, file downloads.

export class ApiError extends Error {
  constructor(status, message, errors) {
    super(message);
    this.status = status;
    this.errors = errors || null;
  }
}

function query(params) {
  const entries = Object.entries(params || {}).filter(([, v]) => v !== undefined && v !== null && v !== '');
  if (!entries.length) return '';
  return '?' + new URLSearchParams(entries.map(([k, v]) => [k, String(v)])).toString();
}

// Where flask-smorest found the problem; a person needs the field, not the request part.
const LOCATIONS = new Set(['json', 'query', 'form', 'files', 'headers', 'path']);
const LABELS = { discount_limit_pct: 'Discount limit %', team: 'Team', team_id: 'Team', territory: 'Territory',
  territory_code: 'Territory', engineer: 'Engineer', date_from: 'From date', date_to: 'To date',
  full_name: 'Full name', username: 'Login name', rate_per_km: 'Rate per km', gstin: 'GSTIN',
  state_code: 'State code', customer_id: 'Customer', product_id: 'Product', _schema: 'Form' };
// marshmallow's stock messages, said for people.
const PLAIN = [
  [/^Missing data for required field\.?$/, 'is required'],
  [/^Field may not be null\.?$/, 'is required'],
  [/^Not a valid integer\.?$/, 'must be a whole number'],
  [/^Not a valid (number|decimal)\.?$/, 'must be a number'],
  [/^Not a valid date\.?$/, 'must be a date (day, month, year)'],
  [/^Not a valid datetime\.?$/, 'must be a date and time'],
  [/^Not a valid boolean\.?$/, 'must be yes or no'],
  [/^Shorter than minimum length 1\.?$/, 'is required'],
  [/^Length must be between 1 and (\d+)\.?$/, 'is required, at most $1 characters'],
  [/^Longer than maximum length (\d+)\.?$/, 'can be at most $1 characters'],
  [/^Must be one of: (.*)\.$/, 'must be one of $1'],
  [/^Unknown field\.?$/, 'is not expected here'],
];

export function fieldLabel(name) {
  if (LABELS[name]) return LABELS[name];
  const words = String(name).replace(/_pct$/, ' %').replace(/_/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function plainMessage(text) {
  const found = PLAIN.find(([pattern]) => pattern.test(text));
  return found ? text.replace(found[0], found[1]) : text;
}

// Field errors from the server ({field: [problems]}) as one readable line.
export function describeErrors(errors, inside = '') {
  if (!errors || typeof errors !== 'object') return '';
  const parts = [];
  for (const [where, problems] of Object.entries(errors)) {
    const label = LOCATIONS.has(where) ? inside : (/^\d+$/.test(where) ? `${inside} ${Number(where) + 1}`.trim() : fieldLabel(where));
    if (problems && typeof problems === 'object' && !Array.isArray(problems)) {
      const inner = describeErrors(problems, label);
      if (inner) parts.push(inner);
    } else {
      parts.push(`${label ? `${label}: ` : ''}${[].concat(problems).map(plainMessage).join(', ')}`);
    }
  }
  return parts.join('; ');
}

async function failure(response) {
  let body = null;
  try { body = await response.json(); } catch { body = null; }
  const message = (body && body.message) || `${response.status} ${response.statusText}`;
  return new ApiError(response.status, message, body && body.errors);
}

// baseUrl: where the server is ('' for the same origin); getToken: () => access token or null.
export function createConsoleApi({ baseUrl = '', getToken = () => null, onUnauthorized } = {}) {
  async function send(method, path, { params, json, form } = {}) {
    const headers = { Accept: 'application/json' };
    const token = getToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    let body;
    if (json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(json);
    } else if (form) {
      body = form;
    }
    let response;
    try {
      response = await fetch(baseUrl + path + query(params), { method, headers, body });
    } catch {
      throw new ApiError(0, 'The server cannot be reached; check the connection and try again.');
    }
    if (response.status === 401 && onUnauthorized) onUnauthorized();
    if (!response.ok) throw await failure(response);
    return response;
  }
  async function asJson(response) {
    if (response.status === 204) return null;
    const text = await response.text();
    return text ? JSON.parse(text) : null;
  }
  return {
    baseUrl,
    get: async (path, params) => asJson(await send('GET', path, { params })),
    post: async (path, json) => asJson(await send('POST', path, { json: json ?? {} })),
    patch: async (path, json) => asJson(await send('PATCH', path, { json })),
    put: async (path, json) => asJson(await send('PUT', path, { json })),
    upload: async (path, form) => asJson(await send('POST', path, { form })),
    // The bytes of a file (a receipt photo) with the bearer token, for an object URL.
    blob: async (path, params) => (await send('GET', path, { params })).blob(),
    // Fetches a file with the bearer token and hands it to the browser as a download.
    download: async (path, params) => {
      const response = await send('GET', path, { params });
      const disposition = response.headers.get('Content-Disposition') || '';
      const match = /filename="?([^";]+)"?/.exec(disposition);
      const name = match ? match[1] : path.split('/').pop();
      const blob = await response.blob();
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = name;
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
      return name;
    },
  };
}

// The shell may hand over its own client; the console needs get/post/upload/download on it.
export function consoleApiFrom(api) {
  const complete = api && ['get', 'post', 'upload', 'download'].every((m) => typeof api[m] === 'function');
  if (complete) return api;
  const baseUrl = (api && (api.baseUrl ?? api.base_url)) || '';
  const getToken = (api && (api.getToken || api.token && (() => (typeof api.token === 'function' ? api.token() : api.token))))
    || (() => null);
  return createConsoleApi({ baseUrl, getToken, onUnauthorized: api && api.onUnauthorized });
}
