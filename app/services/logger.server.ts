/**
 * Structured one-line JSON logs. Personal data stays out: callers pass ids, not emails or
 * addresses, and `redact` masks anything that looks like an email or a token.
 */
type Level = "debug" | "info" | "warn" | "error";
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const TOKEN = /\b(shpat|shpca|shppa|shpss)_[A-Za-z0-9]+/g;

export function redact(value: string): string {
  return value.replace(EMAIL, "[email]").replace(TOKEN, "[token]");
}

function write(level: Level, msg: string, meta?: Record<string, unknown>) {
  const min = (process.env.LOG_LEVEL as Level | undefined) ?? (process.env.NODE_ENV === "test" ? "warn" : "info");
  if (order[level] < order[min]) return;
  const line = redact(JSON.stringify({ t: new Date().toISOString(), level, msg, ...meta }));
  (level === "error" || level === "warn" ? process.stderr : process.stdout).write(line + "\n");
}

export const logger = {
  debug: (msg: string, meta?: Record<string, unknown>) => write("debug", msg, meta),
  info: (msg: string, meta?: Record<string, unknown>) => write("info", msg, meta),
  warn: (msg: string, meta?: Record<string, unknown>) => write("warn", msg, meta),
  error: (msg: string, meta?: Record<string, unknown>) => write("error", msg, meta),
};
export type Logger = typeof logger;
