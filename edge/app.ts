import { Hono } from 'hono';
import { elevenLabsApp } from './dialects/elevenlabs/app.ts';
import { ELEVENLABS_PREFIX, elevenLabsCors, elevenLabsDialect } from './dialects/elevenlabs/dialect.ts';
import type { AppEnv } from './env.ts';
import { drainRefusedBody } from './middleware/drain-refused-body.ts';
import { notFound, onError } from './middleware/errors.ts';
import { publicApiCors } from './middleware/public-api-cors.ts';
import { requestId } from './middleware/request-id.ts';
import { requestLog } from './middleware/request-log.ts';
import { speechEvents } from './middleware/speech-events.ts';
import { validConfig } from './middleware/valid-config.ts';
import { adminAccountsRoute } from './routes/admin_accounts.ts';
import { adminCreditsRoute } from './routes/admin_credits.ts';
import { adminKeysRoute } from './routes/admin_keys.ts';
import { adminPoolRoute } from './routes/admin_pool.ts';
import { adminAudioCacheRoute } from './routes/admin_audio_cache.ts';
import { apiDocsRoute } from './routes/docs.ts';
import { poolHeartbeatRoute } from './routes/internal_pool_heartbeat.ts';
import { listJobsRoute } from './routes/v1_audio_jobs.ts';
import { createJobRoute } from './routes/v1_audio_jobs_create.ts';
import { jobByIdRoute } from './routes/v1_audio_jobs_id.ts';
import { jobAudioRoute } from './routes/v1_audio_jobs_id_audio.ts';
import { jobEventsRoute } from './routes/v1_audio_jobs_id_events.ts';
import { jobSubtitlesRoute } from './routes/v1_audio_jobs_id_subtitles.ts';
import { jobTimestampsRoute } from './routes/v1_audio_jobs_id_timestamps.ts';
import { speechRoute } from './routes/v1_audio_speech.ts';
import { speechStreamRoute } from './routes/v1_audio_speech_stream.ts';
import { speechStreamTicketsRoute } from './routes/v1_audio_speech_stream_tickets.ts';
import { speechWithTimestampsRoute } from './routes/v1_audio_speech_with_timestamps.ts';
import { modelsRoute } from './routes/v1_models.ts';
import { listDictionariesRoute } from './routes/v1_pronunciation_dictionaries.ts';
import { createDictionaryRoute } from './routes/v1_pronunciation_dictionaries_create.ts';
import { dictionaryByIdRoute } from './routes/v1_pronunciation_dictionaries_id.ts';
import { dictionaryDownloadRoute } from './routes/v1_pronunciation_dictionaries_id_download.ts';
import { dictionaryRulesRoute } from './routes/v1_pronunciation_dictionaries_id_rules.ts';
import { createTokenRoute } from './routes/v1_tokens_create.ts';
import { tokenByIdRoute } from './routes/v1_tokens_id.ts';
import { usageRoute } from './routes/v1_usage.ts';
import { voicesRoute } from './routes/v1_voices.ts';
import { createVoiceRoute } from './routes/v1_voices_create.ts';
import { designVoiceRoute } from './routes/v1_voices_design.ts';
import { voiceByIdRoute } from './routes/v1_voices_id.ts';
import { webhookSecretRoute } from './routes/v1_webhooks_secret.ts';

/** The edge API: one route group per file under routes/, cross-cutting concerns as middleware. */
export const app = new Hono<AppEnv>()
  .use(requestId)
  .use(requestLog)
  // Before everything that may refuse a request: its refusals leave in the dialect's shape.
  .use(`${ELEVENLABS_PREFIX}/*`, elevenLabsDialect)
  // Before everything that may refuse a request, so that a page on another origin reads the refusal.
  .use('/v1/*', publicApiCors)
  .use(`${ELEVENLABS_PREFIX}/*`, elevenLabsCors)
  .use(drainRefusedBody)
  .use(validConfig)
  // Middleware, not a handler: it runs ahead of the speech route's own chain, refusals included.
  .post('/v1/audio/speech', speechEvents)
  .post('/v1/audio/speech/with-timestamps', speechEvents)
  .route('/', speechRoute)
  .route('/', speechStreamRoute)
  .route('/', speechStreamTicketsRoute)
  .route('/', speechWithTimestampsRoute)
  .route('/', createJobRoute)
  .route('/', listJobsRoute)
  .route('/', jobByIdRoute)
  .route('/', jobAudioRoute)
  .route('/', jobTimestampsRoute)
  .route('/', jobEventsRoute)
  .route('/', jobSubtitlesRoute)
  .route('/', modelsRoute)
  .route('/', voicesRoute)
  .route('/', createVoiceRoute)
  .route('/', designVoiceRoute)
  .route('/', voiceByIdRoute)
  .route('/', listDictionariesRoute)
  .route('/', createDictionaryRoute)
  .route('/', dictionaryByIdRoute)
  .route('/', dictionaryDownloadRoute)
  .route('/', dictionaryRulesRoute)
  .route('/', usageRoute)
  .route('/', createTokenRoute)
  .route('/', tokenByIdRoute)
  .route('/', webhookSecretRoute)
  .route('/', adminAccountsRoute)
  .route('/', adminKeysRoute)
  .route('/', adminCreditsRoute)
  .route('/', adminPoolRoute)
  .route('/', adminAudioCacheRoute)
  .route('/', poolHeartbeatRoute)
  .route(ELEVENLABS_PREFIX, elevenLabsApp);

// The API reference; the OpenAPI document it renders is built with the playground (openapi/document.ts).
app.route('/', apiDocsRoute);
app.onError(onError);
app.notFound(notFound);
