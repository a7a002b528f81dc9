/**
 * What the transcode reports of the MP4 it wrote (duration, picture size), read from the file's own movie
 * header instead of a second ffprobe process: the MP4 is written with +faststart, so its `moov` box sits near
 * the start of the file.
 */
import { open } from 'node:fs/promises';

export interface Mp4Header {
  /** Seconds from the first track's start to the last one's end, edit lists applied (as ffprobe says). */
  duration: number;
  /** The first video track's presentation size (tkhd), in pixels. */
  width: number;
  height: number;
}

/** Top-level boxes before the movie header that faststart may leave (ftyp, free, a small mdat). */
const SCAN_LIMIT = 64 * 1024 ** 2;

interface Box {
  type: string;
  start: number;
  size: number;
  header: number;
}

function boxAt(view: Buffer, offset: number, end: number): Box | undefined {
  if (offset + 8 > end) return undefined;
  let size = view.readUInt32BE(offset);
  const type = view.toString('latin1', offset + 4, offset + 8);
  let header = 8;
  if (size === 1) {
    if (offset + 16 > end) return undefined;
    size = Number(view.readBigUInt64BE(offset + 8));
    header = 16;
  } else if (size === 0) size = end - offset;
  if (size < header || offset + size > end) return undefined;
  return { type, start: offset, size, header };
}

function children(view: Buffer, parent: Box): Box[] {
  const out: Box[] = [];
  const end = parent.start + parent.size;
  for (let at = parent.start + parent.header; at < end; ) {
    const box = boxAt(view, at, end);
    if (!box) break;
    out.push(box);
    at += box.size;
  }
  return out;
}

/**
 * When a track plays, in the movie's timescale: its edit list's empty edits delay it, its other segments
 * are what it shows (an edit list trims encoder priming and B-frame delay, and ffprobe applies it); with
 * no edit list, from 0 for the track header's duration.
 */
function trackSpan(moov: Buffer, parts: Box[], tkhd: Box): { start: number; end: number } {
  const edts = parts.find((b) => b.type === 'edts');
  const elst = edts && children(moov, edts).find((b) => b.type === 'elst');
  if (elst) {
    const body = elst.start + elst.header;
    const version = moov.readUInt8(body);
    const count = moov.readUInt32BE(body + 4);
    const entry = version === 1 ? 20 : 12;
    let start = 0;
    let shown = 0;
    for (let i = 0; i < count; i += 1) {
      const at = body + 8 + i * entry;
      if (at + entry > elst.start + elst.size) break;
      const length = version === 1 ? Number(moov.readBigUInt64BE(at)) : moov.readUInt32BE(at);
      const mediaTime = version === 1 ? moov.readBigInt64BE(at + 8) : BigInt(moov.readInt32BE(at + 4));
      if (mediaTime === -1n && shown === 0) start += length;
      else shown += length;
    }
    return { start, end: start + shown };
  }
  const body = tkhd.start + tkhd.header;
  const length =
    moov.readUInt8(body) === 1 ? Number(moov.readBigUInt64BE(body + 28)) : moov.readUInt32BE(body + 20);
  return { start: 0, end: length };
}

/** Reads the movie header of an MP4 file; throws when the file has none that it can read. */
export async function readMp4Header(file: string): Promise<Mp4Header> {
  const handle = await open(file, 'r');
  try {
    const { size: fileSize } = await handle.stat();
    const head = Buffer.alloc(16);
    let moov: Buffer | undefined;
    for (let at = 0; at + 8 <= Math.min(fileSize, SCAN_LIMIT) && !moov; ) {
      const { bytesRead } = await handle.read(head, 0, 16, at);
      if (bytesRead < 8) break;
      const declared = head.readUInt32BE(0);
      const size =
        declared === 1 && bytesRead >= 16 ? Number(head.readBigUInt64BE(8)) : declared || fileSize - at;
      if (size < 8) break;
      if (head.toString('latin1', 4, 8) === 'moov') {
        moov = Buffer.alloc(size);
        await handle.read(moov, 0, size, at);
      }
      at += size;
    }
    if (!moov) throw new Error(`no movie header in ${file}`);
    const root = boxAt(moov, 0, moov.length);
    if (!root) throw new Error(`unreadable movie header in ${file}`);
    const boxes = children(moov, root);
    const mvhd = boxes.find((b) => b.type === 'mvhd');
    if (!mvhd) throw new Error(`no mvhd in ${file}`);
    const body = mvhd.start + mvhd.header;
    const version = moov.readUInt8(body);
    const timescale = moov.readUInt32BE(body + (version === 1 ? 20 : 12));
    if (!timescale) throw new Error(`no timescale in ${file}`);
    let first = Number.POSITIVE_INFINITY;
    let last = 0;
    let picture: { width: number; height: number } | undefined;
    for (const trak of boxes.filter((b) => b.type === 'trak')) {
      const parts = children(moov, trak);
      const tkhd = parts.find((b) => b.type === 'tkhd');
      if (!tkhd) continue;
      const span = trackSpan(moov, parts, tkhd);
      first = Math.min(first, span.start);
      last = Math.max(last, span.end);
      const mdia = parts.find((b) => b.type === 'mdia');
      const hdlr = mdia && children(moov, mdia).find((b) => b.type === 'hdlr');
      // hdlr: version and flags (4), pre_defined (4), then the handler type.
      const handler =
        hdlr && moov.toString('latin1', hdlr.start + hdlr.header + 8, hdlr.start + hdlr.header + 12);
      if (handler !== 'vide' || picture) continue;
      // tkhd ends with the width and height, 16.16 fixed point.
      const end = tkhd.start + tkhd.size;
      picture = {
        width: Math.round(moov.readUInt32BE(end - 8) / 65536),
        height: Math.round(moov.readUInt32BE(end - 4) / 65536),
      };
    }
    // As ffprobe's format duration: from the earliest track start to the latest track end.
    if (picture) return { duration: (last - first) / timescale, ...picture };
    throw new Error(`no video track in ${file}`);
  } finally {
    await handle.close();
  }
}
