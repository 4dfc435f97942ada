// The device's parts handed to the shared data layer: storage, SHA-256, fetch, location, id.
import AsyncStorage from '@react-native-async-storage/async-storage';
import * as Crypto from 'expo-crypto';
import * as Location from 'expo-location';
import Constants from 'expo-constants';
import { newKey } from 'fieldsync-phone-data/documents.js';
import { pointFromFix } from 'fieldsync-phone-data/track.js';
import { createMobileAuth } from '../session';

export const storage = {
  get: (key) => AsyncStorage.getItem(key),
  set: (key, value) => AsyncStorage.setItem(key, value),
  remove: (key) => AsyncStorage.removeItem(key),
};

/** SHA-256 as hex, for the hash of the offer a customer signs. */
export async function sha256Hex(bytes) {
  const digest = new Uint8Array(await Crypto.digest(Crypto.CryptoDigestAlgorithm.SHA256, bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The server the engineer signed in to, else the one the build names. */
export async function serverUrl() {
  const saved = await storage.get('fieldsync.server');
  const built = (Constants.expoConfig && Constants.expoConfig.extra && Constants.expoConfig.extra.serverUrl) || '';
  return (saved || built).replace(/\/+$/, '');
}

/** This phone's device id, made once. */
export async function deviceId() {
  let id = await storage.get('fieldsync.device');
  if (!id) {
    id = `android-${newKey()}`;
    await storage.set('fieldsync.device', id);
  }
  return id;
}

let lastNoFix = '';

/** Why the last `locate()` found no fix ("no fix after 10 s"): a signature or check-in in a
 * basement is saved with it, and the server flags it instead of refusing. */
export function noFixReason() {
  return lastNoFix;
}

/** A fix as documents carry it, or null without permission or in time. */
export async function locate(timeoutMs = 10000) {
  try {
    const { status } = await Location.requestForegroundPermissionsAsync();
    if (status !== 'granted') {
      lastNoFix = 'location permission denied';
      return null;
    }
    const fix = await Promise.race([
      Location.getCurrentPositionAsync({ accuracy: Location.Accuracy.High }),
      new Promise((resolve) => { setTimeout(() => resolve(null), timeoutMs); })]);
    if (!fix) {
      lastNoFix = `no fix after ${Math.round(timeoutMs / 1000)} s`;
      return null;
    }
    const { mock, ...loc } = pointFromFix(fix);
    delete loc.speed_mps;
    return { ...loc, mock };
  } catch {
    lastNoFix = 'no GPS position available';
    return null;
  }
}

/** Sign-in for a server chosen at sign-in time, with offline sign-in (the hash in AsyncStorage
 * next to the session); `wipe` erases the local databases. */
export function makeAuth(baseUrlRef, wipe) {
  return createMobileAuth({ baseUrlRef, storage, wipe });
}
