import { apiFetch } from './api.ts';
import { offerDownload, withdrawDownload } from './download.ts';

/**
 * A finished job's files as links: a link cannot send the key, so each is fetched with it and
 * offered as a blob URL: the audio (`GET …/audio`), its subtitles (`…/subtitles?format=vtt`) and
 * its words with times (`…/timestamps`).
 */
export interface JobLinks {
  audio: HTMLAnchorElement;
  subtitles: HTMLAnchorElement;
  timestamps: HTMLAnchorElement;
}

async function fileOf(path: string, signal: AbortSignal): Promise<Blob> {
  return (await apiFetch(path, { signal })).blob();
}

/** Fetches the three files and offers them; answers the audio, which the panel may play. */
export async function offerJobFiles(id: string, format: string, links: JobLinks, signal: AbortSignal): Promise<Blob> {
  const base = `/v1/audio/jobs/${encodeURIComponent(id)}`;
  const [audio, subtitles, timestamps] = await Promise.all([
    fileOf(`${base}/audio`, signal),
    fileOf(`${base}/subtitles?format=vtt`, signal),
    fileOf(`${base}/timestamps`, signal),
  ]);
  if (signal.aborted) throw signal.reason;
  offerDownload(links.audio, { blob: audio, name: `${id}.${format === 'opus' ? 'ogg' : format}` });
  offerDownload(links.subtitles, { blob: subtitles, name: `${id}.vtt` });
  offerDownload(links.timestamps, { blob: timestamps, name: `${id}.timestamps.json` });
  return audio;
}

export function withdrawJobFiles(links: JobLinks): void {
  for (const link of Object.values(links)) withdrawDownload(link);
}
