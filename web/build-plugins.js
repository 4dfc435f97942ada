// Build steps for a fast first use on 2G: pre-compressed files and an inline first stylesheet.
// `precompress` writes `name.br` and `name.gz` next to every text file of the build, so the
// server sends a fifth of the bytes without compressing on each request. Node's own zlib does
// both formats, so the build needs no extra package.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const TEXT = /\.(js|mjs|css|html|svg|json|webmanifest|txt)$/;
const MIN_BYTES = 1024; // smaller files gain less than the extra header costs

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else yield path;
  }
}

export function compressDir(dir) {
  for (const path of files(dir)) {
    if (!TEXT.test(path)) continue;
    const raw = readFileSync(path);
    if (raw.length < MIN_BYTES) continue;
    writeFileSync(`${path}.br`, brotliCompressSync(raw, { params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } }));
    writeFileSync(`${path}.gz`, gzipSync(raw, { level: 9 }));
  }
}

/** A Vite plugin: compress the finished build (after the service worker is written). */
export function precompress() {
  let outDir = 'dist';
  return {
    name: 'fieldsync-precompress',
    apply: 'build',
    enforce: 'post',
    configResolved(config) { outDir = config.build.outDir; },
    closeBundle: { order: 'post', sequential: true, handler() { compressDir(outDir); } },
  };
}

/** A Vite plugin: the first screen's small stylesheet goes into index.html itself, so the
 * sign-in form paints after one round trip instead of two (2 s each on 2G). The server lists
 * the inline blocks' hashes in its Content-Security-Policy. */
export function inlineEntryCss({ maxBytes = 8192 } = {}) {
  return {
    name: 'fieldsync-inline-entry-css',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html, ctx) {
        if (!ctx.bundle) return html;
        return html.replace(/<link rel="stylesheet"[^>]*href="\/([^"]+\.css)"[^>]*>/g, (tag, file) => {
          const asset = ctx.bundle[file];
          if (!asset || asset.type !== 'asset' || String(asset.source).length > maxBytes) return tag;
          return `<style>${String(asset.source)}</style>`;
        });
      },
    },
  };
}
