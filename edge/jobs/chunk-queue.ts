import type { Env } from '../env.ts';
import type { ChunkMessage } from './job-types.ts';
import { renderChunk } from './render-chunk.ts';

/**
 * The consumer of the job-chunk queue (wrangler.toml): each message is one chunk to render. The
 * job's object decides retries, so a message is acked once its attempt told the object how it
 * went; only an attempt that could not even do that (the object unreachable) is retried by the
 * queue, and the object's claim makes a second delivery harmless.
 */
export async function consumeChunks(batch: MessageBatch<ChunkMessage>, env: Env): Promise<void> {
  await Promise.all(
    batch.messages.map(async (message) => {
      try {
        await renderChunk(env, message.body);
        message.ack();
      } catch (error) {
        console.error(JSON.stringify({ level: 'error', message: 'job chunk message failed', job_id: message.body.job_id, index: message.body.index, error: String(error) }));
        message.retry({ delaySeconds: 5 });
      }
    }),
  );
}
