import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { zipFiles } from '#shared/account/zip.ts';

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('the export zip', () => {
  it('holds every file, deflated, with its name and content as given', () => {
    const rows = JSON.stringify(
      Array.from({ length: 200 }, (_, i) => ({ id: i, title: `Film ${i}` })),
      null,
      2,
    );
    const files = {
      'video_projects.json': utf8(rows),
      'empty.json': utf8(''),
      'données-été.json': utf8('{"titre":"Été"}'),
    };
    const zip = zipFiles(files, new Date('2026-11-27T22:41:30Z'));
    expect(zip.length).toBeLessThan(rows.length / 2);
    const read = unzipSync(zip);
    expect(Object.keys(read)).toEqual(Object.keys(files));
    for (const [name, content] of Object.entries(files))
      expect(strFromU8(read[name] as Uint8Array)).toBe(strFromU8(content));
  });

  it('stamps each entry with the given time, as MS-DOS date and time', () => {
    const zip = Buffer.from(zipFiles({ 'a.json': utf8('[]') }, new Date('2026-11-27T22:41:30Z')));
    expect(zip.readUInt32LE(0)).toBe(0x04034b50);
    expect(zip.readUInt16LE(10)).toBe((22 << 11) | (41 << 5) | 15);
    expect(zip.readUInt16LE(12)).toBe(((2026 - 1980) << 9) | (11 << 5) | 27);
  });
});
