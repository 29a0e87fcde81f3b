#!/usr/bin/env node
/**
 * Draws Keytray's icons as real PNGs with no image library: a keyhole, rendered from signed
 * distances with 4x4 supersampling, encoded by the small PNG writer below (zlib from Node).
 * Run `node build/generateIcons.js` after changing the drawing; the PNGs are committed, so a
 * build never depends on this script.
 *
 *   build/icon.png                       512x512 app icon (electron-builder makes .icns/.ico from it)
 *   build/tray/trayTemplate(@2x).png     macOS template image: black + alpha, macOS tints it
 *   build/tray/tray-dark(@2x).png        white glyph, for dark panels and taskbars
 *   build/tray/tray-light(@2x).png       black glyph, for light panels
 *   build/tray/tray(@2x).png             the coloured glyph, readable on either
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const CRC_TABLE = new Int32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});
function crc32(buf) {
  let c = -1;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}
/** RGBA, 8 bits per channel, filter 0 on every row. */
function encodePng(width, height, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) rgba.copy(raw, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// Shapes in unit coordinates (0..1), as "inside" tests.
const inRoundedSquare = (x, y, r) => {
  const dx = Math.max(Math.abs(x - 0.5) - (0.5 - r), 0);
  const dy = Math.max(Math.abs(y - 0.5) - (0.5 - r), 0);
  return dx * dx + dy * dy <= r * r;
};
const inKeyhole = (x, y, s = 1) => {
  const cx = 0.5, cy = 0.5 - 0.1 * s;
  if ((x - cx) ** 2 + (y - cy) ** 2 <= (0.15 * s) ** 2) return true;
  const top = cy + 0.05 * s, bottom = 0.5 + 0.26 * s;
  if (y < top || y > bottom) return false;
  const half = 0.055 * s + ((y - top) / (bottom - top)) * 0.045 * s;
  return Math.abs(x - cx) <= half;
};
const inDisc = (x, y) => (x - 0.5) ** 2 + (y - 0.5) ** 2 <= 0.47 ** 2;

/** paint(x, y) returns [r, g, b, a] (0..255) or null for transparent; 4x4 samples per pixel. */
function render(size, paint) {
  const out = Buffer.alloc(size * size * 4);
  const n = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const c = paint((px + (sx + 0.5) / n) / size, (py + (sy + 0.5) / n) / size);
          if (!c) continue;
          const w = c[3] / 255;
          r += c[0] * w; g += c[1] * w; b += c[2] * w; a += w;
        }
      }
      const i = (py * size + px) * 4;
      if (a > 0) {
        out[i] = Math.round(r / a); out[i + 1] = Math.round(g / a); out[i + 2] = Math.round(b / a);
      }
      out[i + 3] = Math.round((a / (n * n)) * 255);
    }
  }
  return encodePng(size, size, out);
}

const appIcon = (x, y) => {
  // Apple's grid leaves a margin around the rounded square; other platforms accept it.
  const m = 0.08, u = (x - m) / (1 - 2 * m), v = (y - m) / (1 - 2 * m);
  if (u < 0 || u > 1 || v < 0 || v > 1 || !inRoundedSquare(u, v, 0.22)) return null;
  if (inKeyhole(u, v, 1.15)) return [250, 250, 250, 255];
  // teal at the top to deep blue at the bottom
  return [Math.round(18 + 10 * v), Math.round(140 - 80 * v), Math.round(160 - 10 * v), 255];
};
const trayGlyph = (rgb) => (x, y) => (inDisc(x, y) && !inKeyhole(x, y, 1.2) ? [...rgb, 255] : null);

const outputs = {
  'icon.png': [512, appIcon],
  'tray/trayTemplate.png': [16, trayGlyph([0, 0, 0])],
  'tray/trayTemplate@2x.png': [32, trayGlyph([0, 0, 0])],
  'tray/tray-dark.png': [16, trayGlyph([255, 255, 255])],
  'tray/tray-dark@2x.png': [32, trayGlyph([255, 255, 255])],
  'tray/tray-light.png': [16, trayGlyph([0, 0, 0])],
  'tray/tray-light@2x.png': [32, trayGlyph([0, 0, 0])],
  'tray/tray.png': [16, trayGlyph([20, 120, 150])],
  'tray/tray@2x.png': [32, trayGlyph([20, 120, 150])],
};

if (require.main === module) {
  for (const [file, [size, paint]] of Object.entries(outputs)) {
    const target = path.join(__dirname, file);
    if (process.argv.includes('--keep-existing') && fs.existsSync(target)) continue;
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, render(size, paint));
    process.stdout.write(`wrote build/${file} (${size}x${size})\n`);
  }
}

module.exports = { encodePng, outputs };
