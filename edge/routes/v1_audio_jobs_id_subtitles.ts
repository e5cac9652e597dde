import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { invalidRequest } from '../../shared/errors.ts';
import type { AppEnv } from '../env.ts';
import { JOB_AUDIO_ERRORS, JOB_NOT_FOUND_ERRORS, jobAudioDeleted } from '../jobs/job-errors.ts';
import { fileWords } from '../jobs/job-words.ts';
import { ownedJobLayout } from '../jobs/owned-job.ts';
import { SUBTITLE_CONTENT_TYPES, type SubtitleFormat, subtitles } from '../jobs/subtitles.ts';
import { API_KEY_ERRORS, apiKeyAuth } from '../middleware/api-key-auth.ts';
import { apiKeySecurity, errorCatalogue, errorResponses } from '../openapi/index.ts';
import { JOB_ID_PARAMETER } from './v1_audio_jobs_id.ts';

/** `GET /v1/audio/jobs/{id}/subtitles?format=vtt|srt`: the job's words as captions on the file's clock. */
export const jobSubtitlesRoute = new Hono<AppEnv>();

const FORMATS: readonly SubtitleFormat[] = ['vtt', 'srt'];
const SUBTITLE_ERRORS = errorCatalogue({ 400: ['invalid_parameter'] });

const jobSubtitlesDocs = describeRoute({
  tags: ['Jobs'],
  operationId: 'getSpeechJobSubtitles',
  summary: "Get a speech job's subtitles",
  description:
    "WebVTT (default) or SRT: cues of whole words quoting the job's text (punctuation kept), ended at sentence ends and before two lines of 42 characters or 7 seconds. While the job renders: the cues of the chunks done in order so far.",
  security: apiKeySecurity('speech'),
  parameters: [JOB_ID_PARAMETER, { in: 'query', name: 'format', required: false, schema: { type: 'string', enum: ['vtt', 'srt'] }, description: 'Default `vtt`.' }],
  responses: {
    200: { description: 'The subtitles.', content: { 'text/vtt': { schema: { type: 'string' } }, 'application/x-subrip': { schema: { type: 'string' } } } },
    ...errorResponses(API_KEY_ERRORS, JOB_NOT_FOUND_ERRORS, JOB_AUDIO_ERRORS, SUBTITLE_ERRORS),
  },
});

jobSubtitlesRoute.get('/v1/audio/jobs/:id/subtitles', jobSubtitlesDocs, apiKeyAuth('speech'), async (c) => {
  const format = (c.req.query('format') ?? 'vtt') as SubtitleFormat;
  if (!FORMATS.includes(format)) throw invalidRequest('invalid_parameter', 'format: must be vtt or srt.', 'format');
  const { id, stub, layout } = await ownedJobLayout(c);
  if (await stub.purged()) throw jobAudioDeleted(id);
  const words = [];
  for await (const chunkWords of fileWords(c.env, layout)) words.push(...chunkWords);
  const text = await stub.text();
  return c.body(subtitles(words, text, format), 200, { 'content-type': SUBTITLE_CONTENT_TYPES[format], 'cache-control': 'no-store' });
});
