/** Accounts: who owns keys and pays for usage. D1 is their system of record. */
export interface Account {
  id: string;
  name: string;
  created_at: string;
}

export interface AccountStore {
  create(name: string): Promise<Account>;
  get(id: string): Promise<Account | null>;
}

export class D1AccountStore implements AccountStore {
  private readonly db: D1Database;
  constructor(db: D1Database) {
    this.db = db;
  }

  async create(name: string): Promise<Account> {
    const account: Account = { id: `acct_${crypto.randomUUID().replaceAll('-', '')}`, name, created_at: new Date().toISOString() };
    await this.db
      .prepare('INSERT INTO accounts (id, name, created_at) VALUES (?1, ?2, ?3)')
      .bind(account.id, account.name, account.created_at)
      .run();
    return account;
  }

  get(id: string): Promise<Account | null> {
    return this.db.prepare('SELECT id, name, created_at FROM accounts WHERE id = ?1').bind(id).first<Account>();
  }
}
