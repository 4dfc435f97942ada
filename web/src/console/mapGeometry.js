// Pure map arithmetic: Web Mercator fitting, a round scale bar and tile coverage.

const WORLD = 256; // world size in pixels at zoom 0
const EARTH_M = 40075016.686; // equator length

export function project(lon, lat) {
  const clamped = Math.max(-85.05112878, Math.min(85.05112878, lat));
  const s = Math.sin((clamped * Math.PI) / 180);
  return [((lon + 180) / 360) * WORLD, (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * WORLD];
}

// Every [lon, lat] position in a FeatureCollection.
export function positions(collection) {
  const out = [];
  for (const f of (collection && collection.features) || []) {
    const g = f.geometry || {};
    if (g.type === 'Point') out.push(g.coordinates);
    else if (g.type === 'LineString' || g.type === 'MultiPoint') out.push(...g.coordinates);
    else if (g.type === 'MultiLineString') g.coordinates.forEach((line) => out.push(...line));
  }
  return out.filter((p) => Array.isArray(p) && Number.isFinite(p[0]) && Number.isFinite(p[1]));
}

// A view of `width` x `height` pixels showing every position with a margin; toView maps [lon, lat].
export function fit(points, width, height, margin = 40) {
  const projected = points.map(([lon, lat]) => project(lon, lat));
  const xs = projected.map((p) => p[0]);
  const ys = projected.map((p) => p[1]);
  const minX = Math.min(...xs); const maxX = Math.max(...xs);
  const minY = Math.min(...ys); const maxY = Math.max(...ys);
  // A single point (or a tiny cluster) still gets a view about 400 m across.
  const minSpan = 0.0025;
  const scale = Math.min((width - 2 * margin) / Math.max(maxX - minX, minSpan),
    (height - 2 * margin) / Math.max(maxY - minY, minSpan));
  const cx = (minX + maxX) / 2;
  const cy = (minY + maxY) / 2;
  const meanLat = points.reduce((sum, p) => sum + p[1], 0) / Math.max(1, points.length);
  return {
    scale, cx, cy, width, height,
    metersPerPixel: (EARTH_M * Math.cos((meanLat * Math.PI) / 180)) / WORLD / scale,
    toView: ([lon, lat]) => {
      const [x, y] = project(lon, lat);
      return [width / 2 + (x - cx) * scale, height / 2 + (y - cy) * scale];
    },
  };
}

// The longest round distance (1, 2 or 5 x 10^n metres) no wider than maxPixels.
export function scaleBar(metersPerPixel, maxPixels = 120) {
  const limit = metersPerPixel * maxPixels;
  const power = 10 ** Math.floor(Math.log10(limit));
  const meters = [5, 2, 1].map((m) => m * power).find((m) => m <= limit) || power;
  const label = meters >= 1000 ? `${meters / 1000} km` : `${meters} m`;
  return { meters, pixels: meters / metersPerPixel, label };
}

// Tiles (z, x, y and their place in the view) covering a fitted view, for a configured tile URL.
export function tilesFor(view, maxZoom = 19) {
  const z = Math.max(0, Math.min(maxZoom, Math.floor(Math.log2(view.scale))));
  const n = 2 ** z;
  const tileWorld = WORLD / n;
  const size = tileWorld * view.scale;
  const left = view.cx - view.width / 2 / view.scale;
  const top = view.cy - view.height / 2 / view.scale;
  const tiles = [];
  const x0 = Math.floor(left / tileWorld); const y0 = Math.floor(top / tileWorld);
  const x1 = Math.floor((left + view.width / view.scale) / tileWorld);
  const y1 = Math.floor((top + view.height / view.scale) / tileWorld);
  for (let x = x0; x <= x1; x += 1) {
    for (let y = Math.max(0, y0); y <= Math.min(n - 1, y1); y += 1) {
      tiles.push({ z, x: ((x % n) + n) % n, y, left: (x * tileWorld - left) * view.scale, top: (y * tileWorld - top) * view.scale, size });
    }
  }
  return tiles;
}

export function tileUrl(template, tile) {
  return template.replace('{z}', tile.z).replace('{x}', tile.x).replace('{y}', tile.y);
}
