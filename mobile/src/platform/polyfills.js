// What PouchDB needs from the platform and Hermes lacks: random values for revision ids.
import { getRandomValues } from 'expo-crypto';

if (!globalThis.crypto) globalThis.crypto = {};
if (!globalThis.crypto.getRandomValues) globalThis.crypto.getRandomValues = getRandomValues;
