import { documentHeaders } from '../openapi/headers.ts';

/** The job routes' own response headers, documented (and so exposed to pages: middleware/public-api-cors.ts). */
export const JOB_CREATED_HEADERS = documentHeaders({ location: 'The job: `/v1/audio/jobs/{id}`.' });

export const JOB_FILE_HEADERS = documentHeaders({
  'accept-ranges': '`bytes` on a completed job: its file takes `Range`.',
  'content-range': 'On a 206: the bytes sent and the file\'s size, `bytes 0-1023/48000`.',
  'content-disposition': 'A download named after the job: `attachment; filename="job_….mp3"`.',
});
