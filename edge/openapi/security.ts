import type { OpenAPIV3_1 } from 'openapi-types';
import { SIGNATURE_HEADERS } from '../../shared/protocol/signing.ts';
import type { TokenScope } from '../accounts/client-token-types.ts';
import type { KeyScope } from '../storage/api-keys.ts';

/** How callers prove who they are: the document's `components.securitySchemes`. */
export const SECURITY_SCHEMES = {
  ApiKey: {
    type: 'http',
    scheme: 'bearer',
    description:
      'An API key (`tts_…`) as `Authorization: Bearer <key>`, issued by `POST /admin/accounts/{id}/keys`. Each operation names the scopes of which the key needs one: `speech`, `voices`, `usage`, `tokens`.',
  },
  ClientToken: {
    type: 'http',
    scheme: 'bearer',
    description:
      'A short-lived client token (`tkn_…`) as `Authorization: Bearer <token>`, minted by `POST /v1/tokens` for one app install or one web page, so that the API key stays on a server. Each operation that takes one names the token scope it needs: `speech`, `realtime`, `voices:read`. The realtime socket also takes it as `?token=`.',
  },
  AdminToken: {
    type: 'http',
    scheme: 'bearer',
    description: 'The `ADMIN_TOKEN` secret as `Authorization: Bearer <token>`.',
  },
  SocketTicket: {
    type: 'apiKey',
    in: 'query',
    name: 'ticket',
    description: 'For browsers, which cannot set headers on a WebSocket: a single-use ticket from `POST /v1/audio/speech/stream/tickets`, valid for 60 s, as `?ticket=`. The API key never appears in the URL.',
  },
  WorkerSignature: {
    type: 'apiKey',
    in: 'header',
    name: SIGNATURE_HEADERS.signature,
    description: `HMAC-SHA256 with the shared \`WORKER_SECRET\` over the method, path, \`${SIGNATURE_HEADERS.timestamp}\` (ms since the epoch, within 30 s of the edge's clock) and the SHA-256 of the body, in hex. Each signature is accepted once (shared/protocol/signing.ts).`,
  },
} satisfies Record<string, OpenAPIV3_1.SecuritySchemeObject>;

type Requirement = { [Scheme in keyof typeof SECURITY_SCHEMES]?: string[] };

/** An API key with any one of `scopes` (OpenAPI 3.1 lets a bearer requirement list them as roles). */
export const apiKeySecurity = (...scopes: KeyScope[]): Requirement[] => scopes.map((scope) => ({ ApiKey: [scope] }));
/** A client token with `scope`. */
export const clientTokenSecurity = (scope: TokenScope): Requirement[] => [{ ClientToken: [scope] }];
/** The realtime socket: an API key with the `speech` scope, a ticket one issued, or a client token with `realtime`. */
export const SOCKET_SECURITY: Requirement[] = [...apiKeySecurity('speech'), { SocketTicket: [] }, ...clientTokenSecurity('realtime')];
export const ADMIN_SECURITY: Requirement[] = [{ AdminToken: [] }];
export const WORKER_SIGNATURE_SECURITY: Requirement[] = [{ WorkerSignature: [] }];
