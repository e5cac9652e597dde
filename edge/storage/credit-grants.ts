/** Credits added or removed through the admin API: the audit trail of balance changes. */
export class D1CreditGrants {
  private readonly db: D1Database;
  constructor(db: D1Database) {
    this.db = db;
  }

  async record(accountId: string, amount: number, balanceAfter: number, reason: string | null): Promise<string> {
    const id = `cred_${crypto.randomUUID().replaceAll('-', '')}`;
    await this.db
      .prepare('INSERT INTO credit_grants (id, account_id, amount, balance_after, reason, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)')
      .bind(id, accountId, amount, balanceAfter, reason, new Date().toISOString())
      .run();
    return id;
  }
}
