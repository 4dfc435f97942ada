'use strict';
// Preloaded into PouchDB Server (`node -r ./admin-only.js …/pouchdb-server …`): every request
// must carry the store admin's Basic credentials, or it is answered 401 before PouchDB Server
// sees it. With its admin party off PouchDB Server still serves `_all_dbs`, `/` and databases
// without a `_security` object to anyone, and its own user database lets a plain user grant
// themself roles; FieldSync's gateway, worker and tools are its only clients, all as admin.
//
// The credentials come from FIELDSYNC_STORE_ADMIN ("user:password"), which the starter sets
// and this process removes from its environment at once.

const crypto = require('crypto');
const http = require('http');

const credentials = process.env.FIELDSYNC_STORE_ADMIN || '';
delete process.env.FIELDSYNC_STORE_ADMIN;
if (!credentials.includes(':')) {
  console.error('FIELDSYNC_STORE_ADMIN must be "user:password": refusing to start an open store');
  process.exit(2);
}
const expected = digest('Basic ' + Buffer.from(credentials).toString('base64'));
const REFUSAL = JSON.stringify({
  error: 'unauthorized',
  reason: 'this store answers only its admin: send the admin name and password (Basic auth)',
});

function digest(text) {
  return crypto.createHash('sha256').update(String(text)).digest();
}

// Equal-length digests, so the comparison takes the same time whatever was sent.
function isAdmin(request) {
  return crypto.timingSafeEqual(digest(request.headers.authorization || ''), expected);
}

function guarded(listener) {
  return function (request, response) {
    if (isAdmin(request)) {
      return listener.call(this, request, response);
    }
    response.writeHead(401, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(REFUSAL),
    });
    response.end(REFUSAL);
  };
}

const createServer = http.createServer;
http.createServer = function (...args) {
  const at = args.findIndex((arg) => typeof arg === 'function');
  if (at >= 0) {
    args[at] = guarded(args[at]);
  }
  return createServer.apply(this, args);
};
