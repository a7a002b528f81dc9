/** An ObjectStore on a local folder, for tests of code that only moves files in and out of the bucket. */
import { copyFile, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ObjectStore } from '#shared/storage/port.ts';

export function dirStore(root: string, bucket = 'media'): ObjectStore {
  const at = (key: string) => path.join(root, key);
  const sized = async (key: string) => ({ key, size: (await stat(at(key))).size });
  async function walk(dir: string): Promise<string[]> {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    const nested = await Promise.all(
      entries.map((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)])),
    );
    return nested.flat();
  }
  const store: ObjectStore = {
    bucket,
    async putFile(key, file) {
      await mkdir(path.dirname(at(key)), { recursive: true });
      await copyFile(file, at(key));
      return sized(key);
    },
    async putBytes(key, body) {
      await mkdir(path.dirname(at(key)), { recursive: true });
      await writeFile(at(key), body);
      return sized(key);
    },
    async downloadToFile(key, file) {
      await copyFile(at(key), file);
    },
    head: (key) => sized(key).catch(() => null),
    readBytes: (key) => readFile(at(key)).catch(() => null),
    async list(prefix) {
      const keys = (await walk(root)).map((f) => path.relative(root, f).split(path.sep).join('/'));
      return Promise.all(
        keys
          .filter((k) => k.startsWith(prefix))
          .sort()
          .map(sized),
      );
    },
    async deleteKeys(keys) {
      await Promise.all(keys.map((k) => rm(at(k), { force: true })));
    },
    async deletePrefix(prefix) {
      const found = await store.list(prefix);
      await store.deleteKeys(found.map((o) => o.key));
      return found.length;
    },
  };
  return store;
}
