// Draws golive's two Teams icons and writes them to manifest/teams/: a check mark in a ring,
// white on the accent colour (color.png, 192×192) and white on transparent (outline.png, 32×32),
// the sizes and colours Teams requires. Run with `npx tsx scripts/teams-icons.ts` after changing
// the drawing; the PNGs are committed so packaging needs nothing but Node.

import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodePng } from './png.js';

type Point = readonly [number, number];
type Rgb = readonly [number, number, number];

/** The manifest's accentColor, so the icon and the frame Teams draws around it match. */
export const ACCENT: Rgb = [0x1d, 0x4e, 0x89];
const WHITE: Rgb = [255, 255, 255];

// In units of the icon's width, around its centre; `scale` shrinks the symbol so the colour icon
// keeps the padding Teams asks for around its symbol.
const CHECK: readonly Point[] = [
  [-0.2, 0.02],
  [-0.06, 0.16],
  [0.21, -0.14],
];
const RING_RADIUS = 0.4;

function distanceToSegment([px, py]: Point, [ax, ay]: Point, [bx, by]: Point): number {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

function inSymbol(p: Point, scale: number): boolean {
  const [x, y] = [p[0] / scale, p[1] / scale];
  if (Math.abs(Math.hypot(x, y) - RING_RADIUS) <= 0.035) return true;
  for (let i = 1; i < CHECK.length; i++) if (distanceToSegment([x, y], CHECK[i - 1]!, CHECK[i]!) <= 0.05) return true;
  return false;
}

/** Share of the pixel covered by the symbol, from a 4×4 grid of samples (cheap anti-aliasing). */
function coverage(size: number, px: number, py: number, scale: number): number {
  const n = 4;
  let hits = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const x = (px + (i + 0.5) / n) / size - 0.5;
      const y = (py + (j + 0.5) / n) / size - 0.5;
      if (inSymbol([x, y], scale)) hits++;
    }
  }
  return hits / (n * n);
}

export function drawIcon(size: number, background: Rgb | undefined, scale: number): Uint8Array {
  const rgba = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const a = coverage(size, x, y, scale);
      const at = (y * size + x) * 4;
      if (background === undefined) {
        // Outline icon: only white, with the coverage as its transparency.
        rgba.set([...WHITE, Math.round(a * 255)], at);
      } else {
        const mix = (i: 0 | 1 | 2) => Math.round(background[i] * (1 - a) + WHITE[i] * a);
        rgba.set([mix(0), mix(1), mix(2), 255], at);
      }
    }
  }
  return rgba;
}

export const COLOR_SIZE = 192;
export const OUTLINE_SIZE = 32;

function main(): void {
  const folder = join(dirname(fileURLToPath(import.meta.url)), '..', 'manifest', 'teams');
  writeFileSync(join(folder, 'color.png'), encodePng(COLOR_SIZE, COLOR_SIZE, drawIcon(COLOR_SIZE, ACCENT, 0.62)));
  writeFileSync(join(folder, 'outline.png'), encodePng(OUTLINE_SIZE, OUTLINE_SIZE, drawIcon(OUTLINE_SIZE, undefined, 1)));
  console.log(`Wrote ${join(folder, 'color.png')} and ${join(folder, 'outline.png')}.`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) main();
