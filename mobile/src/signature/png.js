// The customer's signature strokes drawn into a greyscale PNG (pure JavaScript, no canvas).
import UPNG from 'upng-js';

const INK = 0;
const PAPER = 255;

function dot(pixels, width, height, x, y, radius) {
  for (let dy = -radius; dy <= radius; dy += 1) {
    for (let dx = -radius; dx <= radius; dx += 1) {
      const px = Math.round(x) + dx;
      const py = Math.round(y) + dy;
      if (px >= 0 && py >= 0 && px < width && py < height) pixels[py * width + px] = INK;
    }
  }
}

/** Strokes ([[{x, y}, …], …] in the pad's coordinates) as a width × height bitmap. */
export function rasterise(strokes, width, height, radius = 1) {
  const pixels = new Uint8Array(width * height).fill(PAPER);
  for (const stroke of strokes) {
    stroke.forEach((p, i) => {
      const prev = i ? stroke[i - 1] : p;
      const steps = Math.max(1, Math.ceil(Math.hypot(p.x - prev.x, p.y - prev.y)));
      for (let s = 0; s <= steps; s += 1) {
        dot(pixels, width, height, prev.x + ((p.x - prev.x) * s) / steps, prev.y + ((p.y - prev.y) * s) / steps, radius);
      }
    });
  }
  return pixels;
}

function base64(bytes) {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return globalThis.btoa(binary);
}

/** The strokes as a PNG, base64-encoded for the approval's signature.png attachment. */
export function signaturePng(strokes, width, height) {
  const data = rasterise(strokes, Math.round(width), Math.round(height));
  const rgba = new Uint8Array(data.length * 4);
  data.forEach((v, i) => { rgba.fill(v, i * 4, i * 4 + 3); rgba[i * 4 + 3] = 255; });
  // lossless (0 colours = no quantising); two greys become a small palette PNG
  const png = UPNG.encode([rgba.buffer], Math.round(width), Math.round(height), 0);
  return base64(new Uint8Array(png));
}
