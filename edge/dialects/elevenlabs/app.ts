import { Hono } from 'hono';
import type { AppEnv } from '../../env.ts';
import { elevenLabsModelsRoute } from './routes/v1_models.ts';
import { elevenLabsSingleUseTokenRoute } from './routes/v1_single_use_token.ts';
import { elevenLabsTextToSpeechRoute } from './routes/v1_text_to_speech.ts';
import { elevenLabsTextToSpeechStreamRoute } from './routes/v1_text_to_speech_stream.ts';
import { elevenLabsStreamInputRoute } from './routes/v1_text_to_speech_stream_input.ts';
import { elevenLabsMultiStreamInputRoute } from './routes/v1_text_to_speech_multi_stream_input.ts';
import { elevenLabsTextToSpeechStreamWithTimestampsRoute } from './routes/v1_text_to_speech_stream_with_timestamps.ts';
import { elevenLabsTextToSpeechWithTimestampsRoute } from './routes/v1_text_to_speech_with_timestamps.ts';
import { elevenLabsTextToVoiceRoute } from './routes/v1_text_to_voice.ts';
import { elevenLabsUserRoute } from './routes/v1_user.ts';
import { elevenLabsVoicesRoute } from './routes/v1_voices.ts';
import { elevenLabsAddVoiceRoute } from './routes/v1_voices_add.ts';
import { elevenLabsVoiceByIdRoute } from './routes/v1_voices_id.ts';
import { elevenLabsVoiceSearchRoute } from './routes/v2_voices.ts';

/**
 * ElevenLabs' API as a dialect over the same speech core (docs/elevenlabs.md): mounted under
 * `/elevenlabs` (edge/app.ts), where ElevenLabs' own paths follow. Each route maps its request onto
 * the core the OpenAI-shaped routes use and shapes the answer; nothing here speaks on its own.
 */
export const elevenLabsApp = new Hono<AppEnv>()
  .route('/', elevenLabsModelsRoute)
  .route('/', elevenLabsTextToSpeechRoute)
  .route('/', elevenLabsTextToSpeechStreamRoute)
  .route('/', elevenLabsTextToSpeechWithTimestampsRoute)
  .route('/', elevenLabsTextToSpeechStreamWithTimestampsRoute)
  .route('/', elevenLabsVoicesRoute)
  .route('/', elevenLabsVoiceSearchRoute)
  .route('/', elevenLabsAddVoiceRoute)
  .route('/', elevenLabsVoiceByIdRoute)
  .route('/', elevenLabsTextToVoiceRoute)
  .route('/', elevenLabsUserRoute)
  .route('/', elevenLabsSingleUseTokenRoute)
  .route('/', elevenLabsStreamInputRoute)
  .route('/', elevenLabsMultiStreamInputRoute);
