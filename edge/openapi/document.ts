import type { GenerateSpecOptions } from 'hono-openapi';
import { version } from '../../package.json';
import { SECURITY_SCHEMES } from './security.ts';

/** The document's tags; each operation names one. */
const TAGS = {
  Speech: 'Text in, a stream of audio out.',
  Voices: "Preset voices, and the account's own: cloned from a clip or designed from a description.",
  Models: 'The models the worker pool serves, and the OpenAI names that stand for them.',
  Usage: "The account's usage from the ledger, and its credits.",
  Admin: 'Accounts, keys, credits and the worker pool, behind the admin token.',
  Internal: 'Called by gpu-workers, not by clients.',
} as const;

/**
 * What hono-openapi adds to the operations it collects from the routes' `describeRoute`: the
 * document's top level. No `servers`: the API is described relative to where it is served.
 */
export const OPENAPI_OPTIONS: Partial<GenerateSpecOptions> = {
  documentation: {
    info: {
      title: 'open-tts API',
      version,
      description: [
        'A streaming text-to-speech API, OpenAI-compatible where OpenAI has the concept: `POST /v1/audio/speech` streams audio as the model makes it.',
        'Every error is JSON, `{ "error": { "type", "code", "message", "param"? } }`; each operation lists the codes it can answer by status. Every response carries `x-request-id`.',
      ].join('\n\n'),
    },
    tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
    components: { securitySchemes: SECURITY_SCHEMES },
  },
  // Each operation documents its own 400s; hono-openapi's generic one has another shape.
  defaultValidationErrorResponse: false,
};
