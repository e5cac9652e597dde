import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { apiKeyAuth } from '../middleware/api-key-auth.ts';
import { WorkerPool } from '../pool/worker-pool.ts';

/** `GET /v1/voices`: every preset voice of every model (`?model=` and `?language=` filter). */
export const voicesRoute = new Hono<AppEnv>();

voicesRoute.get('/v1/voices', apiKeyAuth('speech', 'voices'), async (c) => {
  const models = await new WorkerPool(c.env.WORKER_URLS, c.env.WORKER_SECRET).models();
  const onlyModel = c.req.query('model');
  const onlyLanguage = c.req.query('language')?.toLowerCase();
  const data = [...models.values()]
    .filter(({ info }) => !onlyModel || info.id === onlyModel)
    .flatMap(({ info }) => info.voices.map((voice) => ({ ...voice, object: 'voice', type: 'preset', model: info.id })))
    .filter((voice) => !onlyLanguage || voice.language === onlyLanguage);
  return c.json({ object: 'list', data });
});
