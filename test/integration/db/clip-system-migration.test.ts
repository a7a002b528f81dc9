/**
 * The migration that moves what the pipeline recorded out of a clip's user metadata: it keeps only values
 * of the pipeline's types and only the clip's own derived keys, and splits MP4 bytes from charged bytes.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { rawRows } from '#shared/db/sql.ts';
import { clipPrefix } from '#shared/storage/keys.ts';
import { describeEachDriver } from '#test/support/db-drivers.ts';
import { newOwner, suiteDatabase } from '#test/support/repositories.ts';

const MIGRATIONS = new URL('../../../shared/db/migrations/', import.meta.url);
// Found by its name's ending, so re-numbering the migrations does not break the test.
const MIGRATION = readFileSync(
  new URL(readdirSync(MIGRATIONS).find((f) => f.endsWith('_media-custom.sql'))!, MIGRATIONS),
  'utf8',
);

describeEachDriver('clip system migration on', (driver) => {
  const { t, repos } = suiteDatabase(driver);

  it('moves trusted system facts out of metadata and leaves forged ones behind as nothing', async () => {
    const { users, clips } = repos;
    const { user: u, project: p } = await newOwner(repos, 'm', 'old');
    const goodId = randomUUID();
    const forgedId = randomUUID();
    const prefix = clipPrefix(u.id, p.id, goodId);
    const base = {
      userId: u.id,
      projectId: p.id,
      title: 'c',
      duration: 2,
      resolution: '640x360',
      format: 'mp4',
    };
    // Rows as the previous version wrote them: file_size counted every rendition, facts sat in metadata.
    await clips.register({
      ...base,
      id: goodId,
      fileUrl: `${prefix}video.mp4`,
      fileSize: 5000,
      metadata: {
        mine: 'kept',
        jobType: 'GENERATE',
        model: 'local',
        notAi: true,
        hasAudio: false,
        videoBytes: 1200,
        hlsPlaylist: `${prefix}hls/index.m3u8`,
        poster: `${prefix}poster.0000000.jpg`,
      },
    });
    await clips.register({
      ...base,
      id: forgedId,
      fileUrl: `${clipPrefix(u.id, p.id, forgedId)}video.mp4`,
      fileSize: 700,
      metadata: {
        jobType: 'EVIL',
        hasAudio: 'yes',
        videoBytes: 10 ** 9,
        hlsPlaylist: `${prefix}hls/index.m3u8`,
        poster: '/etc/passwd',
      },
    });
    await t.db.execute(sql`UPDATE video_clips SET storage_bytes = 0, system = '{}'::jsonb`);

    await t.db.execute(sql.raw(MIGRATION));

    const rows = await rawRows<{
      id: string;
      file_size: string;
      storage_bytes: string;
      metadata: string;
      system: string;
    }>(
      t.db,
      sql`SELECT id::text, file_size::text, storage_bytes::text, metadata::text, system::text FROM video_clips
          WHERE user_id = ${u.id}::uuid`,
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    const good = byId.get(goodId)!;
    expect(JSON.parse(good.metadata)).toEqual({ mine: 'kept' });
    expect(JSON.parse(good.system)).toEqual({
      jobType: 'GENERATE',
      model: 'local',
      notAi: true,
      hasAudio: false,
      hasHls: true,
      hasPoster: true,
    });
    expect([Number(good.file_size), Number(good.storage_bytes)]).toEqual([1200, 5000]);
    const forged = byId.get(forgedId)!;
    expect(JSON.parse(forged.metadata)).toEqual({});
    expect(JSON.parse(forged.system)).toEqual({ hasHls: false, hasPoster: false });
    expect([Number(forged.file_size), Number(forged.storage_bytes)]).toEqual([700, 700]);
    // The quota stays what was charged.
    expect((await users.getById(u.id)).storageUsed).toBe(5700);
  });
});
