// Photo sizes and the signature PNG, without a device.
import UPNG from 'upng-js';
import { LONG_SIDE, base64Bytes, fitWithin } from '../src/media/resize';
import { rasterise, signaturePng } from '../src/signature/png';

test('a photo keeps its aspect ratio with the long side at most 1600 px', () => {
  expect(fitWithin({ width: 4000, height: 3000 })).toEqual({ width: 1600, height: 1200 });
  expect(fitWithin({ width: 3000, height: 4000 })).toEqual({ width: 1200, height: 1600 });
  expect(fitWithin({ width: 1600, height: 900 })).toBeNull();
  expect(fitWithin({ width: 640, height: 480 }, 240)).toEqual({ width: 240, height: 180 });
  expect(LONG_SIDE).toBe(1600);
  expect(base64Bytes('AAAA')).toBe(3);
  expect(base64Bytes('AAA=')).toBe(2);
});

test('the signature strokes become a PNG of the pad with ink where the finger went', () => {
  const strokes = [[{ x: 10, y: 10 }, { x: 50, y: 10 }]];
  const pixels = rasterise(strokes, 64, 32);
  expect(pixels[10 * 64 + 30]).toBe(0);
  expect(pixels[25 * 64 + 30]).toBe(255);
  const png = Buffer.from(signaturePng(strokes, 64, 32), 'base64');
  const image = UPNG.decode(png.buffer.slice(png.byteOffset, png.byteOffset + png.length));
  expect([image.width, image.height]).toEqual([64, 32]);
  const rgba = new Uint8Array(UPNG.toRGBA8(image)[0]);
  expect(rgba[(10 * 64 + 30) * 4]).toBe(0);
  expect(rgba[(25 * 64 + 30) * 4]).toBe(255);
});
