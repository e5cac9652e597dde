import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { FORMATS } from '../../shared/audio/formats.ts';
import { ApiError } from '../../shared/errors.ts';
import type { AppEnv } from '../env.ts';
import { fileMap, fileRange, followFile, parseRange } from '../jobs/job-file.ts';
import { JOB_AUDIO_ERRORS, JOB_NOT_FOUND_ERRORS, jobAudioDeleted } from '../jobs/job-errors.ts';
import { JOB_FILE_HEADERS } from '../jobs/job-headers.ts';
import { ownedJobLayout } from '../jobs/owned-job.ts';
import { API_KEY_ERRORS, apiKeyAuth } from '../middleware/api-key-auth.ts';
import { apiKeySecurity, errorResponses } from '../openapi/index.ts';
import { JOB_ID_PARAMETER } from './v1_audio_jobs_id.ts';

/**
 * `GET /v1/audio/jobs/{id}/audio`: the job's file. Finished: served from R2, with Range. Still
 * rendering: streamed from its first byte as its chunks are done, in order, and held open for
 * the next, so a player can start at once.
 */
export const jobAudioRoute = new Hono<AppEnv>();

const jobAudioDocs = describeRoute({
  tags: ['Jobs'],
  operationId: 'getSpeechJobAudio',
  summary: "Get a speech job's audio",
  description:
    "A completed job: the whole file, with `Range` (206, `Accept-Ranges: bytes`). A queued or running job: 200, the file from its first byte as it renders (the chunks done, in order, then each next one as it is stored), ending when the job completes. Should the job fail or be cancelled meanwhile, the stream ends early: check the job's status when it ends (the edge errors the stream, but the Workers runtime may close it as if whole). Such a stream has no length, and a WAV's header then says so (its sizes are 0xFFFFFFFF). A running job answers `Range` from byte 0 only. A failed or cancelled job has no file: 409 `job_not_ready`.",
  security: apiKeySecurity('speech'),
  parameters: [JOB_ID_PARAMETER, { in: 'header', name: 'range', required: false, schema: { type: 'string' }, description: 'One `bytes=` range (completed jobs).' }],
  responses: {
    200: { description: 'The audio, whole or as it renders.', headers: JOB_FILE_HEADERS, content: { 'audio/*': { schema: { type: 'string', format: 'binary' } } } },
    206: { description: 'The range asked for.', headers: JOB_FILE_HEADERS, content: { 'audio/*': { schema: { type: 'string', format: 'binary' } } } },
    ...errorResponses(API_KEY_ERRORS, JOB_NOT_FOUND_ERRORS, JOB_AUDIO_ERRORS),
  },
});

jobAudioRoute.get('/v1/audio/jobs/:id/audio', jobAudioDocs, apiKeyAuth('speech'), async (c) => {
  const { id, stub, layout } = await ownedJobLayout(c);
  if (await stub.purged()) throw jobAudioDeleted(id);
  const { spec } = layout;
  const headers = new Headers({
    'content-type': FORMATS[spec.response_format].contentType,
    'content-disposition': `attachment; filename="${id}.${spec.response_format}"`,
    'cache-control': 'no-store',
  });
  if (layout.status === 'failed' || layout.status === 'cancelled') {
    throw new ApiError(409, 'invalid_request_error', 'job_not_ready', `Job ${id} ${layout.status === 'failed' ? 'failed' : 'was cancelled'}: it has no file.`);
  }
  if (layout.status !== 'completed') {
    const range = c.req.header('range');
    if (range && !/^bytes=0-$/.test(range.trim())) {
      throw new ApiError(409, 'invalid_request_error', 'job_not_ready', `Job ${id} is still rendering: its file has no length yet, so only a request from byte 0 can follow it.`);
    }
    return new Response(followFile(c.env, layout), { status: 200, headers });
  }

  const map = fileMap(layout, true);
  headers.set('accept-ranges', 'bytes');
  const range = parseRange(c.req.header('range'), map.size);
  if (range === 'unsatisfiable') {
    throw new ApiError(416, 'invalid_request_error', 'range_not_satisfiable', `The file has ${map.size} bytes.`, { headers: { 'content-range': `bytes */${map.size}` } });
  }
  if (range === null) return new Response(withLength(fileRange(c.env, layout, map, 0, map.size - 1), map.size), { status: 200, headers });
  headers.set('content-range', `bytes ${range.start}-${range.end}/${map.size}`);
  return new Response(withLength(fileRange(c.env, layout, map, range.start, range.end), range.end - range.start + 1), { status: 206, headers });
});

/**
 * A stream workerd sends with `Content-Length: length`: it ignores that header on a streamed body
 * (sending it chunked, so a player could not tell the file's size), but not a FixedLengthStream's.
 */
const withLength = (stream: ReadableStream<Uint8Array>, length: number) => stream.pipeThrough(new FixedLengthStream(length));
