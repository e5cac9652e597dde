/**
 * Gives a table of an account's Durable Object a column that objects created before it lack:
 * `CREATE TABLE IF NOT EXISTS` leaves an older table as it was.
 */
export function addColumnIfMissing(sql: SqlStorage, table: string, column: string, definition: string): void {
  const columns = sql.exec<{ name: string }>(`PRAGMA table_info(${table})`).toArray();
  if (!columns.some(({ name }) => name === column)) sql.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
}
