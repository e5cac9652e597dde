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
import { inlineTagScript } from '../pronunciation/inline-tags.ts';
import { inputFormatOf, readSsmlDocument } from '../pronunciation/request-script.ts';
import type { SpeechScript } from '../pronunciation/script.ts';

/** The longest text a job takes, in characters (Unicode code points). */
export const MAX_JOB_CHARACTERS = 1_000_000;
/** An SSML job's document, markup included (its text is held to MAX_JOB_CHARACTERS). */
const MAX_JOB_MARKUP_CHARACTERS = 4 * MAX_JOB_CHARACTERS;
const MAX_METADATA_KEYS = 16;
const MAX_METADATA_VALUE = 512;


/** `POST /v1/audio/jobs`'s JSON body; a multipart body has the same fields, with the text as a `file` part. */
export const CreateJobSchema = SpeechRequestSchema.pick({
  model: true,
  voice: true,
  instructions: true,
  sample_rate: true,
  bitrate: true,
  speed: true,
  language: true,
  seed: true,
  input_format: true,
  pronunciation_dictionaries: true,
}).extend({
  input: z
    .string()
    .describe(
      `The text: 1 to ${MAX_JOB_CHARACTERS.toLocaleString('en')} characters (Unicode code points), or an SSML document (\`input_format\`) whose text is. Or send a multipart body with the text as a \`file\` part (text/plain, text/markdown or application/ssml+xml).`,
    ),
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
  400: ['empty_input', 'unsupported_sample_rate', 'unsupported_bitrate', 'unsupported_file_type', 'invalid_form', 'invalid_ssml'],
  413: ['input_too_long'],
});

/** A job request that passed every check that needs no worker nor account, with its defaults applied. */
export interface CheckedJobRequest {
  request: CreateJobRequest;
  /** The text to speak (a Markdown file's words), or the SSML document. */
  text: string;
  /** What is billed: code points of the text (of SSML's text, not its markup). */
  characters: number;
  /** An SSML document's script, or plain text's with inline tags (read and checked here); undefined for plain text. */
  script: SpeechScript | undefined;
  format: JobFormat;
  sampleRate: number;
  bitrate: number | undefined;
}

/** Reads a JSON or multipart job request and checks its text, format, rate and bitrate. */
export async function readJobRequest(c: Context<AppEnv>): Promise<CheckedJobRequest> {
  const multipart = /^multipart\/form-data/i.test(c.req.header('content-type') ?? '');
  const request = multipart ? await readMultipartJob(c.req.raw) : await readJsonBody(c, CreateJobSchema, MAX_BODY_BYTES.job);
  // SSML, or plain text with ElevenLabs' inline break and phoneme tags (unless it says `text`), is split as a script.
  const script =
    inputFormatOf(request) === 'ssml'
      ? readSsmlDocument(request.input, request.language, MAX_JOB_MARKUP_CHARACTERS)
      : request.input_format === undefined
        ? inlineTagScript(request.input)
        : undefined;
  const characters = script?.characters ?? [...request.input].length;
  if (request.input.trim().length === 0 || (script && !script.items.some((item) => item.kind === 'text'))) throw emptyInput();
  if (characters > MAX_JOB_CHARACTERS) {
    throw new ApiError(413, 'invalid_request_error', 'input_too_long', `input has ${characters} characters; a job takes at most ${MAX_JOB_CHARACTERS}. Split the text into several jobs.`, { param: 'input' });
  }
  const format = request.response_format;
  const rate = resolveSampleRate(format, request.sample_rate);
  if ('error' in rate) throw unsupportedSampleRate(rate.error);
  const bitrate = resolveBitrate(format, rate.rate, request.bitrate);
  if ('error' in bitrate) throw unsupportedBitrate(bitrate.error);
  return { request, text: request.input, characters, script, format, sampleRate: rate.rate, bitrate: request.bitrate };
}

const TEXT_TYPES: Record<string, (text: string) => string> = {
  'text/plain': (text) => text,
  'text/markdown': markdownText,
  'text/x-markdown': markdownText,
  'application/ssml+xml': (text) => text,
};
const SSML_TYPE = 'application/ssml+xml';

/** A multipart job: the text as a `file` part (plain text or Markdown, by its type or name), the other fields as text fields (numbers and JSON parsed). */
async function readMultipartJob(request: Request): Promise<CreateJobRequest> {
  const form = await readMultipartForm(request, 'POST /v1/audio/jobs with a file');
  const [file] = form.files('file');
  if (!file) throw invalidRequest('invalid_form', 'A multipart job needs its text as a `file` part (or send JSON with `input`).', 'file');
  const byName = /\.(md|markdown)$/i.test(file.name) ? 'text/markdown' : /\.ssml$/i.test(file.name) ? SSML_TYPE : undefined;
  const named = file.type.split(';')[0]!.trim().toLowerCase();
  // Browsers send an unknown extension as application/octet-stream: the name says more.
  const type = (named && named !== 'application/octet-stream' ? named : undefined) ?? byName ?? 'text/plain';
  const toText = TEXT_TYPES[type] ?? (byName ? TEXT_TYPES[byName] : undefined);
  if (!toText) throw invalidRequest('unsupported_file_type', `A job's file must be text/plain, text/markdown or application/ssml+xml, not ${type}.`, 'file');
  const fields: Record<string, unknown> = { input: toText(await file.text()) };
  if (type === SSML_TYPE || byName === SSML_TYPE) fields.input_format = 'ssml';
  for (const name of ['model', 'voice', 'instructions', 'response_format', 'language', 'webhook_url', 'input_format'] as const) {
    const value = form.text(name);
    if (value !== undefined) fields[name] = value;
  }
  for (const name of ['sample_rate', 'bitrate', 'speed', 'seed'] as const) {
    const value = form.text(name);
    if (value !== undefined) fields[name] = Number(value);
  }
  const dictionaries = form.text('pronunciation_dictionaries');
  if (dictionaries !== undefined) {
    try {
      fields.pronunciation_dictionaries = JSON.parse(dictionaries);
    } catch {
      throw invalidRequest('invalid_parameter', 'pronunciation_dictionaries: must be a JSON array of {id, version?}.', 'pronunciation_dictionaries');
    }
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
