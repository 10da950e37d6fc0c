// CRC-32 (the IEEE polynomial used by both PNG chunks and zip entries). Node has zlib.crc32 from
// 20.15 on; package.json allows any Node 20, so older ones fall back to the classic table.

import * as zlib from 'node:zlib';

let table: Uint32Array | undefined;

function tableCrc32(data: Uint8Array): number {
  if (table === undefined) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const byte of data) crc = table[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const native = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;

export function crc32(data: Uint8Array): number {
  return native === undefined ? tableCrc32(data) : native(data) >>> 0;
}

/** The table version on its own, so a test can hold it against zlib's. */
export const crc32ByTable = tableCrc32;
