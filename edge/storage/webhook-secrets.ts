/**
 * Each account's webhook signing secret, in D1: made on first use (reading it, or the first
 * webhook sent), replaced at once by a rotation. Read from D1 every time it signs, never cached,
 * so that after a rotation no delivery is signed with the old secret.
 */
import { generateWebhookSecret } from '../jobs/webhooks/signing.ts';

export interface WebhookSecret {
  secret: string;
  created_at: string;
}

export interface WebhookSecretStore {
  /** The account's secret, made now if it has none. */
  getOrCreate(accountId: string): Promise<WebhookSecret>;
  /** A new secret in place of the old one, which signs nothing more. */
  rotate(accountId: string): Promise<WebhookSecret>;
}

export class D1WebhookSecrets implements WebhookSecretStore {
  private readonly db: D1Database;
  constructor(db: D1Database) {
    this.db = db;
  }

  async getOrCreate(accountId: string): Promise<WebhookSecret> {
    const existing = await this.read(accountId);
    if (existing) return existing;
    // Two first uses at once both insert; the one that lands second keeps the first's secret.
    await this.db
      .prepare('INSERT INTO webhook_secrets (account_id, secret, created_at) VALUES (?1, ?2, ?3) ON CONFLICT (account_id) DO NOTHING')
      .bind(accountId, generateWebhookSecret(), new Date().toISOString())
      .run();
    const created = await this.read(accountId);
    if (!created) throw new Error(`the webhook secret of ${accountId} was not stored`);
    return created;
  }

  private read(accountId: string): Promise<WebhookSecret | null> {
    return this.db.prepare('SELECT secret, created_at FROM webhook_secrets WHERE account_id = ?1').bind(accountId).first<WebhookSecret>();
  }

  async rotate(accountId: string): Promise<WebhookSecret> {
    const row = await this.db
      .prepare(
        'INSERT INTO webhook_secrets (account_id, secret, created_at) VALUES (?1, ?2, ?3) ON CONFLICT (account_id) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at RETURNING secret, created_at',
      )
      .bind(accountId, generateWebhookSecret(), new Date().toISOString())
      .first<WebhookSecret>();
    if (!row) throw new Error(`the webhook secret of ${accountId} was not stored`);
    return row;
  }
}
