import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import { errorCatalogue, SOCKET_SECURITY } from '../../../openapi/index.ts';
import { elevenLabsErrorResponses } from '../errors.ts';
import type { SocketKind } from './socket-bridge.ts';
import { SOCKET_OUTPUT_FORMATS } from './socket-options.ts';

/** The OpenAPI operation of ElevenLabs' two speech sockets (the messages are in docs/elevenlabs.md). */

const ACCEPTED = 'Accepted and not used.';
const SocketQuerySchema = z.object({
  model_id: z.string().optional().describe("An ElevenLabs model id (mapped to a served model by `ELEVENLABS_MODELS`), or a served model's id. Default: a model that speaks the voice."),
  output_format: z
    .enum(SOCKET_OUTPUT_FORMATS)
    .optional()
    .describe('`codec_rate[_kbps]`, as on HTTP, of the formats whose chunks join into one stream (PCM, G.711, MP3). Default `mp3_44100_128`.'),
  language_code: z.string().optional().describe('The language of the text (ISO 639-1); absent: detected from each chunk.'),
  inactivity_timeout: z.string().optional().describe('Seconds (1-180, default 20) with nothing said and nothing to speak before the socket closes with an `idle_timeout` error.'),
  auto_mode: z.string().optional().describe('`true`: text without a sentence end is spoken after 50 ms, not after a second (for text sent in whole phrases).'),
  sync_alignment: z.string().optional().describe(`${ACCEPTED} Every audio message carries the alignment of the characters whose words start in it.`),
  enable_logging: z.string().optional().describe(`${ACCEPTED} The server keeps no text and no audio either way (its ledger keeps counts).`),
  enable_ssml_parsing: z.string().optional().describe(ACCEPTED),
  apply_text_normalization: z.string().optional().describe(ACCEPTED),
  seed: z.string().optional().describe(ACCEPTED),
  authorization: z.string().optional().describe('The key or client token (`Bearer` optional), where headers cannot be set.'),
  single_use_token: z.string().optional().describe('A client token, e.g. from `POST /elevenlabs/v1/single-use-token/tts_websocket`.'),
});

const PARAMETERS = [
  { in: 'path' as const, name: 'voice_id', required: true, schema: { type: 'string' as const }, description: "A preset id, or one of the account's own voices (`voice_…`)." },
  ...Object.entries(z.toJSONSchema(SocketQuerySchema).properties ?? {}).map(([name, schema]) => ({
    in: 'query' as const,
    name,
    required: false,
    schema: schema as object,
    description: (schema as { description?: string }).description,
  })),
];

const UPGRADE_ERRORS = errorCatalogue({ 426: ['upgrade_required'] });

const DESCRIPTIONS: Record<SocketKind, { operationId: string; summary: string; description: string }> = {
  'stream-input': {
    operationId: 'elevenLabsStreamInput',
    summary: 'Speak text as it is written, over a WebSocket (ElevenLabs)',
    description:
      'ElevenLabs\' `stream-input` socket over our realtime session (same chunking, read-ahead, failover, limits and per-chunk billing as `GET /v1/audio/speech/stream`). First message `{ "text": " ", "voice_settings"?, "generation_config"?: { "chunk_length_schedule" }, "xi_api_key"? }`; then `{ "text", "flush"? }`; `{ "text": "" }` ends: the rest is spoken, then `{ "isFinal": true }` and the socket closes. Audio comes as `{ "audio": <base64>, "isFinal": false, "alignment", "normalizedAlignment" }` with `chars`, `charStartTimesMs`, `charDurationsMs`. The key goes in the `xi-api-key` header, `Authorization`, the first message, or a client token as `?single_use_token=`; a refusal (our codes, e.g. `invalid_api_key`, `insufficient_credits`) is `{ "message", "error", "code": <close code> }`, then the close. docs/elevenlabs.md.',
  },
  'multi-stream-input': {
    operationId: 'elevenLabsMultiStreamInput',
    summary: 'Speak several contexts over one WebSocket (ElevenLabs)',
    description:
      'ElevenLabs\' `multi-stream-input` socket over our realtime session, a context per `context_id`: `{ "text", "context_id", "flush"? }` (the first for an id opens it), `{ "context_id", "close_context": true }` (the rest is spoken, then its `{ "isFinal": true, "contextId" }`), `{ "text": "", "context_id" }` keeps it alive, `{ "close_socket": true }` ends every context, then the socket. Audio messages carry `contextId`. Auth and errors as on `stream-input`; an error ending one context carries its `contextId` and is followed by its `isFinal`. docs/elevenlabs.md.',
  },
};

export const elevenLabsSocketDocs = (kind: SocketKind) =>
  describeRoute({
    tags: ['ElevenLabs'],
    ...DESCRIPTIONS[kind],
    security: SOCKET_SECURITY,
    parameters: PARAMETERS,
    responses: {
      // As at ElevenLabs, every refusal but a missing Upgrade (the key's, the query's, admission's)
      // comes over the socket: { message, error: <our code>, code: <close code> }, then the close.
      101: { description: 'Switching to the WebSocket protocol. Refusals (a wrong key, an output_format, credits, limits) come as an error message, then a close.' },
      ...elevenLabsErrorResponses(UPGRADE_ERRORS),
    },
  });
