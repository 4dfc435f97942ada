// How big a photo becomes on the phone before it is attached (pure, tested without a device).

export const LONG_SIDE = 1600;
export const THUMB_SIDE = 240;
export const JPEG_QUALITY = 0.7;

/** The size that keeps the aspect ratio with the long side at most `longSide`, or null when the
 * photo is small enough already. */
export function fitWithin({ width, height }, longSide = LONG_SIDE) {
  const long = Math.max(width, height);
  if (!(long > longSide)) return null;
  const scale = longSide / long;
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** Bytes of a base64 string once decoded. */
export function base64Bytes(text) {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return (text.length * 3) / 4 - padding;
}
