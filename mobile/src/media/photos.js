// Receipt photos: taken with the camera or picked, resized and compressed on the phone, with a
// thumbnail kept apart (a local document that never leaves the phone).
import * as ImagePicker from 'expo-image-picker';
import { ImageManipulator, SaveFormat } from 'expo-image-manipulator';
import { JPEG_QUALITY, LONG_SIDE, THUMB_SIDE, fitWithin } from './resize';

async function render(asset, longSide, compress) {
  const context = ImageManipulator.manipulate(asset.uri);
  const size = fitWithin(asset, longSide);
  if (size) context.resize(size);
  const image = await context.renderAsync();
  return image.saveAsync({ compress, format: SaveFormat.JPEG, base64: true });
}

/** {base64, contentType, thumbnail} ready for photoAttachment, or null when cancelled. */
export async function takePhoto({ fromCamera }) {
  const ask = fromCamera ? ImagePicker.requestCameraPermissionsAsync : ImagePicker.requestMediaLibraryPermissionsAsync;
  const { granted } = await ask();
  if (!granted) throw new Error(fromCamera ? 'Allow the camera to photograph the receipt.' : 'Allow access to your photos.');
  const launch = fromCamera ? ImagePicker.launchCameraAsync : ImagePicker.launchImageLibraryAsync;
  const result = await launch({ mediaTypes: ['images'], quality: 1 });
  if (result.canceled || !result.assets || !result.assets.length) return null;
  const asset = result.assets[0];
  const photo = await render(asset, LONG_SIDE, JPEG_QUALITY);
  const thumb = await render(asset, THUMB_SIDE, 0.6);
  return { base64: photo.base64, contentType: 'image/jpeg', thumbnail: thumb.base64 };
}

/** Keep a photo's thumbnail beside the document, on this phone only. */
export async function keepThumbnail(db, docId, base64) {
  const id = `_local/thumbnail:${docId}`;
  const old = await db.get(id).catch(() => null);
  await db.put({ _id: id, ...(old ? { _rev: old._rev } : {}), base64 });
}
