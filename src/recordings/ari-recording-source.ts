import { isAriNotFound } from '../telephony/ari/errors.ts';
import type { AriRestClient } from '../telephony/ari/rest-client.ts';
import type { StoredRecordingSource } from './archive.ts';

/** Asterisk's stored recordings over ARI (`/recordings/stored`). */
export function ariRecordingSource(rest: AriRestClient, opts: { timeoutMs?: number } = {}): StoredRecordingSource {
  // A long recording is megabytes: give the download more time than an ordinary request.
  const timeoutMs = opts.timeoutMs ?? 60_000;
  return {
    async fetch(name) {
      try {
        return await rest.recordings.getStoredFile(name, { timeoutMs });
      } catch (err) {
        if (isAriNotFound(err)) return null;
        throw err;
      }
    },
    async remove(name) {
      try {
        await rest.recordings.deleteStored(name);
      } catch (err) {
        if (!isAriNotFound(err)) throw err;
      }
    },
    async list() {
      return (await rest.recordings.listStored()).map((r) => r.name);
    },
  };
}
