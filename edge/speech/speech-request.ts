import type { Context } from 'hono';
import { resolveBitrate, resolveSampleRate } from '../../shared/audio/formats.ts';
import { type ResponseFormat, SpeechRequestSchema, type SpeechRequest } from '../../shared/schemas/speech.ts';
import { edgeConfig } from '../config/edge-config.ts';
import type { AppEnv, Env } from '../env.ts';
import { MAX_BODY_BYTES } from '../http/body-limit.ts';
import { readJsonBody } from '../http/json-body.ts';
import { readInputScript } from '../pronunciation/request-script.ts';
import type { SpeechScript } from '../pronunciation/script.ts';
import { unsupportedBitrate, unsupportedSampleRate } from './errors.ts';

/** A speech request that passed every check that needs no worker, with its defaults applied. */
export interface CheckedSpeechRequest {
  request: SpeechRequest;
  format: ResponseFormat;
  sampleRate: number;
  /** Bits per second the request asked for, one the format offers at `sampleRate`; absent: the format's default. */
  bitrate: number | undefined;
  /** What it costs: Unicode code points of `input` (of its text, for SSML). */
  characters: number;
  /** What the input says: plain text, or SSML read (before any dictionary is applied). */
  script: SpeechScript;
}

function check(request: SpeechRequest, env: Env): CheckedSpeechRequest {
  const script = readInputScript(request);
  const format = request.response_format ?? edgeConfig(env).defaultResponseFormat;
  const rate = resolveSampleRate(format, request.sample_rate);
  if ('error' in rate) throw unsupportedSampleRate(rate.error);
  const bitrate = resolveBitrate(format, rate.rate, request.bitrate);
  if ('error' in bitrate) throw unsupportedBitrate(bitrate.error);
  return { request, format, sampleRate: rate.rate, bitrate: request.bitrate, characters: script.characters, script };
}

/**
 * How a route reads its request as the core's `SpeechRequest`: the OpenAI-shaped body as it is,
 * or a dialect's request mapped onto it (edge/dialects/), which the same checks then apply to.
 */
export type SpeechRequestReader = (c: Context<AppEnv>) => Promise<SpeechRequest>;

/** `POST /v1/audio/speech`'s JSON body (`SpeechRequestSchema`). */
export const readSpeechBody: SpeechRequestReader = (c) => readJsonBody(c, SpeechRequestSchema, MAX_BODY_BYTES.speech);

// The body is read and checked once per request: by the limits middleware, which needs its size,
// and the handler then takes the same result.
const checked = new WeakMap<Request, Promise<CheckedSpeechRequest>>();

/** The request, read by the route's reader (`speechRequestReader`, set by speechEndpoint; default the JSON body) and checked, once. */
export function readSpeechRequest(c: Context<AppEnv>): Promise<CheckedSpeechRequest> {
  let result = checked.get(c.req.raw);
  if (!result) {
    const read = c.get('speechRequestReader') ?? readSpeechBody;
    result = read(c).then((request) => check(request, c.env));
    checked.set(c.req.raw, result);
  }
  return result;
}
