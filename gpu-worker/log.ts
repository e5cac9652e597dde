/** Structured logs: one JSON object a line on stdout, for any log shipper to read. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type Logger = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;

export const jsonLogger =
  (base: Record<string, unknown> = {}): Logger =>
  (level, message, fields = {}) => {
    process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level, message, ...base, ...fields })}\n`);
  };
