import type { Context } from 'hono';
import { z } from 'zod';
import { ApiError, invalidRequest } from '../../shared/errors.ts';
import { resolveBitrate, resolveSampleRate } from '../../shared/audio/formats.ts';
import { SpeechRequestSchema } from '../../shared/schemas/speech.ts';
import type { AppEnv } from '../env.ts';
import { MAX_BODY_BYTES } from '../http/body-limit.ts';
import { readJsonBody } from '../http/json-body.ts';
import { readMultipartForm } from '../http/multipart-form.ts';
import { errorCatalogue } from '../openapi/error-catalogue.ts';
import { emptyInput, unsupportedBitrate, unsupportedSampleRate } from '../speech/errors.ts';
import { JOB_FORMATS } from './joining/index.ts';
import type { JobFormat } from './job-types.ts';
import { markdownText } from './markdown-text.ts';

/** The longest text a job takes, in characters (Unicode code points). */
export const MAX_JOB_CHARACTERS = 1_000_000;
const MAX_METADATA_KEYS = 16;
const MAX_METADATA_VALUE = 512;


/** `POST /v1/audio/jobs`'s JSON body; a multipart body has the same fields, with the text as a `file` part. */
export const CreateJobSchema = SpeechRequestSchema.pick({ model: true, voice: true, instructions: true, sample_rate: true, bitrate: true, speed: true, language: true, seed: true }).extend({
  input: z.string().describe(`The text: 1 to ${MAX_JOB_CHARACTERS.toLocaleString('en')} characters (Unicode code points). Or send a multipart body with the text as a \`file\` part (text/plain or text/markdown).`),
  response_format: z.enum(JOB_FORMATS as [JobFormat, ...JobFormat[]]).default('mp3').describe('The format of the joined file (the formats whose chunks join: edge/jobs/joining/). Default `mp3`.'),
  webhook_url: z.string().max(2048).optional().describe('Called with a signed POST when the job completes or fails (docs/jobs.md, "Webhooks").'),
  metadata: z
    .record(z.string().max(64), z.string().max(MAX_METADATA_VALUE))
    .refine((value) => Object.keys(value).length <= MAX_METADATA_KEYS, { error: `at most ${MAX_METADATA_KEYS} keys` })
    .optional()
    .describe(`Your own key-value pairs (at most ${MAX_METADATA_KEYS}, values up to ${MAX_METADATA_VALUE} characters), returned with the job and its webhook.`),
});
export type CreateJobRequest = z.infer<typeof CreateJobSchema>;

export const JOB_REQUEST_ERRORS = errorCatalogue({
  400: ['empty_input', 'unsupported_sample_rate', 'unsupported_bitrate', 'unsupported_file_type', 'invalid_form'],
  413: ['input_too_long'],
});

/** A job request that passed every check that needs no worker nor account, with its defaults applied. */
export interface CheckedJobRequest {
  request: CreateJobRequest;
  /** The text to speak (a Markdown file's words). */
  text: string;
  characters: number;
  format: JobFormat;
  sampleRate: number;
  bitrate: number | undefined;
}

/** Reads a JSON or multipart job request and checks its text, format, rate and bitrate. */
export async function readJobRequest(c: Context<AppEnv>): Promise<CheckedJobRequest> {
  const multipart = /^multipart\/form-data/i.test(c.req.header('content-type') ?? '');
  const request = multipart ? await readMultipartJob(c.req.raw) : await readJsonBody(c, CreateJobSchema, MAX_BODY_BYTES.job);
  const characters = [...request.input].length;
  if (request.input.trim().length === 0) throw emptyInput();
  if (characters > MAX_JOB_CHARACTERS) {
    throw new ApiError(413, 'invalid_request_error', 'input_too_long', `input has ${characters} characters; a job takes at most ${MAX_JOB_CHARACTERS}. Split the text into several jobs.`, { param: 'input' });
  }
  const format = request.response_format;
  const rate = resolveSampleRate(format, request.sample_rate);
  if ('error' in rate) throw unsupportedSampleRate(rate.error);
  const bitrate = resolveBitrate(format, rate.rate, request.bitrate);
  if ('error' in bitrate) throw unsupportedBitrate(bitrate.error);
  return { request, text: request.input, characters, format, sampleRate: rate.rate, bitrate: request.bitrate };
}

const TEXT_TYPES: Record<string, (text: string) => string> = {
  'text/plain': (text) => text,
  'text/markdown': markdownText,
  'text/x-markdown': markdownText,
};

/** A multipart job: the text as a `file` part (plain text or Markdown, by its type or name), the other fields as text fields (numbers and JSON parsed). */
async function readMultipartJob(request: Request): Promise<CreateJobRequest> {
  const form = await readMultipartForm(request, 'POST /v1/audio/jobs with a file');
  const [file] = form.files('file');
  if (!file) throw invalidRequest('invalid_form', 'A multipart job needs its text as a `file` part (or send JSON with `input`).', 'file');
  const type = file.type.split(';')[0]!.trim().toLowerCase() || (/\.(md|markdown)$/i.test(file.name) ? 'text/markdown' : 'text/plain');
  const toText = TEXT_TYPES[type] ?? (/\.(md|markdown)$/i.test(file.name) ? markdownText : undefined);
  if (!toText) {
    const ssml = type.includes('ssml') || /\.ssml$/i.test(file.name);
    throw invalidRequest(
      'unsupported_file_type',
      ssml ? 'SSML files are not taken yet (pronunciation control comes with SSML support); send plain text or Markdown.' : `A job's file must be text/plain or text/markdown, not ${type}.`,
      'file',
    );
  }
  const fields: Record<string, unknown> = { input: toText(await file.text()) };
  for (const name of ['model', 'voice', 'instructions', 'response_format', 'language', 'webhook_url'] as const) {
    const value = form.text(name);
    if (value !== undefined) fields[name] = value;
  }
  for (const name of ['sample_rate', 'bitrate', 'speed', 'seed'] as const) {
    const value = form.text(name);
    if (value !== undefined) fields[name] = Number(value);
  }
  const metadata = form.text('metadata');
  if (metadata !== undefined) {
    try {
      fields.metadata = JSON.parse(metadata);
    } catch {
      throw invalidRequest('invalid_parameter', 'metadata: must be a JSON object of strings.', 'metadata');
    }
  }
  const parsed = CreateJobSchema.safeParse(fields);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const param = issue.path.join('.') || undefined;
    throw invalidRequest('invalid_parameter', param ? `${param}: ${issue.message}` : issue.message, param);
  }
  return parsed.data;
}
