import type { Env } from '../../env.ts';
import { D1WebhookSecrets } from '../../storage/webhook-secrets.ts';

/**
 * The secret to sign an account's next webhook attempt with (made if it has none). Call it for
 * every attempt, retries included: a rotation between two attempts must take effect at once.
 */
export async function webhookSecretFor(env: Pick<Env, 'DB'>, accountId: string): Promise<string> {
  return (await new D1WebhookSecrets(env.DB).getOrCreate(accountId)).secret;
}
