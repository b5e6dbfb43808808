import { extname } from 'node:path';

/** The archive keeps Ogg Opus (issue 11 item 1) or, where the site says so, WAV; each is served as such. */
export function audioType(path: string): string {
  const ext = extname(path).toLowerCase();
  return ext === '.ogg' || ext === '.opus' || ext === '.oga' ? 'audio/ogg' : 'audio/wav';
}
