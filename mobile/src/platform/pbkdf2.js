// PBKDF2-HMAC-SHA256 for the offline sign-in. Hermes has no WebCrypto, so the audited pure-JS
// implementation from @noble/hashes makes the same hash the PWA's WebCrypto makes. 600,000
// rounds take seconds on a phone: pbkdf2Async hands the JS thread back every `asyncTick` ms
// (a timer, not a microtask), so the screen renders and answers taps while the hash is made.
import { pbkdf2Async } from '@noble/hashes/pbkdf2.js';
import { sha256 } from '@noble/hashes/sha2.js';

export const ASYNC_TICK_MS = 10;

/** A `derive(passwordBytes, saltBytes, iterations)` giving 32 bytes, as auth.js takes it. */
export function noblePbkdf2({ asyncTick = ASYNC_TICK_MS } = {}) {
  return (password, salt, iterations) => pbkdf2Async(sha256, password, salt, { c: iterations, dkLen: 32, asyncTick });
}
