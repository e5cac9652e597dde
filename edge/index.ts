import type { Env } from './env.ts';
import { app } from './app.ts';
import { sweepAudioCache } from './cache/scheduled-sweep.ts';
import { consumeChunks } from './jobs/chunk-queue.ts';
import type { ChunkMessage } from './jobs/job-types.ts';

export { AccountDO } from './accounts/account-do.ts';
export { JobDO } from './jobs/job-do.ts';
export { PoolDO } from './pool/pool-do.ts';

/** HTTP requests go to the Hono app; the job-chunk queue's messages to their renderer; the minute's cron to the audio cache's sweep. */
export default {
  fetch: app.fetch,
  queue: consumeChunks,
  scheduled: async (_controller, env) => {
    await sweepAudioCache(env);
  },
} satisfies ExportedHandler<Env, ChunkMessage>;
