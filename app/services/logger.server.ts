/**
 * Structured one-line JSON logs. Secrets and personal data stay out, whatever the caller passes:
 * - values under sensitive keys (tokens, secrets, passwords, authorization, cookies, emails,
 *   phones, addresses, names, a whole `customer`) become "[redacted]", at any depth;
 * - free text (messages, error strings, anything left) has emails, phone numbers in
 *   international form, Shopify tokens, JWTs, Bearer values, URL credentials, secret-looking
 *   query parameters and the app's own secrets (SHOPIFY_API_SECRET, SMTP and database
 *   passwords) masked;
 * - cycles, BigInts, Errors and deep objects serialise safely, so logging never throws.
 * Callers should still pass ids rather than payloads; this is the safety net (docs/decisions/080-security.md).
 */
type Level = "debug" | "info" | "warn" | "error";
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export const REDACTED = "[redacted]";

/** Normalised (lower case, no "_" or "-") key fragments whose values are never logged. */
const SENSITIVE_PARTS = [
  "token",
  "secret",
  "password",
  "passwd",
  "authorization",
  "cookie",
  "apikey",
  "hmac",
  "signature",
  "email",
  "phone",
  "address",
  "firstname",
  "lastname",
  "fullname",
  "creditcard",
];
/** Whole keys (normalised) that hold personal data without a telling fragment. */
const SENSITIVE_KEYS = new Set(["customer", "customers", "billing", "shipping", "ip", "browserip", "clientip", "zip", "postcode", "birthday"]);

function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/[_\-\s]/g, "");
}

export function isSensitiveKey(key: string): boolean {
  const k = normaliseKey(key);
  return SENSITIVE_KEYS.has(k) || SENSITIVE_PARTS.some((part) => k.includes(part));
}

const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@:'"]+:[^\s/@'"]+@/gi;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const SHOPIFY_TOKEN = /\bshp[a-z]{2}_[A-Za-z0-9]+/g;
const JWT = /\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi;
const SECRET_PARAM = /([?&;](?:key|token|id_token|access_token|session|signature|hmac|s|code|password|secret)=)[^&\s"'#]+/gi;
const PHONE = /\+\d[\d\s().-]{6,}\d/g;

/** Values of the app's own secrets, so a stray one is caught even where no pattern fits. */
let secretsCache: { key: string; values: string[] } | undefined;
function knownSecrets(): string[] {
  const key = `${process.env.SHOPIFY_API_SECRET}\n${process.env.SMTP_URL}\n${process.env.DATABASE_URL}`;
  if (secretsCache?.key !== key) secretsCache = { key, values: readSecrets() };
  return secretsCache.values;
}

function readSecrets(): string[] {
  const out: string[] = [];
  const secret = process.env.SHOPIFY_API_SECRET;
  if (secret && secret.length >= 8) out.push(secret);
  for (const name of ["SMTP_URL", "DATABASE_URL"]) {
    const raw = process.env[name];
    if (!raw) continue;
    try {
      const password = decodeURIComponent(new URL(raw).password);
      if (password.length >= 4) out.push(password);
    } catch {
      // not a URL: nothing to extract
    }
  }
  return out;
}

/** Masks credentials and the app's own secrets in free text. */
export function redactSecrets(value: string): string {
  let text = value;
  for (const secret of knownSecrets()) text = text.split(secret).join("[secret]");
  return text
    .replace(URL_CREDENTIALS, `$1${REDACTED}@`)
    .replace(BEARER, `$1 ${REDACTED}`)
    .replace(JWT, "[jwt]")
    .replace(SHOPIFY_TOKEN, "[token]")
    .replace(SECRET_PARAM, `$1${REDACTED}`);
}

/** Masks secrets and personal data (emails, international phone numbers) in free text. */
export function redact(value: string): string {
  return redactSecrets(value).replace(EMAIL, "[email]").replace(PHONE, "[phone]");
}

/** Keys whose values look like emails but are not personal (RFC 5322 Message-IDs): secrets are still masked. */
const NOT_PERSONAL = new Set(["messageid", "transportid"]);

const MAX_DEPTH = 6;
const MAX_KEYS = 50;

/**
 * A JSON-safe copy of `value`: values under sensitive keys redacted, every string (keys too)
 * through `redact`. Booleans and null under a sensitive key stay: they carry no data.
 */
export function scrub(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet(), key = ""): unknown {
  if (value === null || value === undefined) return value;
  switch (typeof value) {
    case "string":
      return NOT_PERSONAL.has(normaliseKey(key)) ? redactSecrets(value) : redact(value);
    case "number":
    case "boolean":
      return value;
    case "bigint":
      return value.toString();
    case "function":
    case "symbol":
      return undefined;
  }
  const obj = value as object;
  if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? null : obj.toISOString();
  if (seen.has(obj)) return "[circular]";
  if (depth >= MAX_DEPTH) return "[depth]";
  seen.add(obj);
  try {
    if (obj instanceof Error) {
      const e = obj as Error & { code?: unknown; responseCode?: unknown };
      return {
        name: e.name,
        message: redact(e.message),
        ...(e.code !== undefined ? { code: scrub(e.code, depth + 1, seen) } : {}),
        ...(e.responseCode !== undefined ? { responseCode: scrub(e.responseCode, depth + 1, seen) } : {}),
      };
    }
    if (obj instanceof Headers) return scrub(Object.fromEntries(obj.entries()), depth, seen);
    if (obj instanceof URL) return obj.toString();
    if (obj instanceof Map) return scrub(Object.fromEntries(obj), depth, seen);
    if (obj instanceof Set) return scrub([...obj], depth, seen);
    const toJSON = (obj as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") {
      const json: unknown = toJSON.call(obj);
      if (json !== obj) return scrub(json, depth + 1, seen);
    }
    if (Array.isArray(obj)) return obj.slice(0, MAX_KEYS).map((v) => scrub(v, depth + 1, seen, key));
    const out: Record<string, unknown> = {};
    const entries = Object.entries(obj);
    for (const [k, v] of entries.slice(0, MAX_KEYS)) {
      out[redact(k)] = isSensitiveKey(k) && v !== null && v !== undefined && typeof v !== "boolean" ? REDACTED : scrub(v, depth + 1, seen, k);
    }
    if (entries.length > MAX_KEYS) out["…"] = `${entries.length - MAX_KEYS} more keys`;
    return out;
  } finally {
    seen.delete(obj);
  }
}

/** One log line: the scrubbed record as JSON, then a last pass for credentials. Never throws. */
export function formatLine(level: Level, msg: string, meta?: Record<string, unknown>, now = new Date()): string {
  let body: string;
  try {
    const record: Record<string, unknown> = { t: now.toISOString(), level, msg: redact(String(msg)) };
    // A meta key never overwrites the line's own fields.
    for (const [k, v] of Object.entries(scrub(meta ?? {}) as Record<string, unknown>)) record[k in record ? `_${k}` : k] = v;
    body = JSON.stringify(record);
  } catch (error) {
    body = JSON.stringify({ t: now.toISOString(), level, msg: redact(String(msg)), logError: redact(error instanceof Error ? error.message : String(error)) });
  }
  return redactSecrets(body);
}

function write(level: Level, msg: string, meta?: Record<string, unknown>) {
  const min = (process.env.LOG_LEVEL as Level | undefined) ?? (process.env.NODE_ENV === "test" ? "warn" : "info");
  if (order[level] < (order[min] ?? order.info)) return;
  const line = formatLine(level, msg, meta);
  (level === "error" || level === "warn" ? process.stderr : process.stdout).write(line + "\n");
}

export const logger = {
  debug: (msg: string, meta?: Record<string, unknown>) => write("debug", msg, meta),
  info: (msg: string, meta?: Record<string, unknown>) => write("info", msg, meta),
  warn: (msg: string, meta?: Record<string, unknown>) => write("warn", msg, meta),
  error: (msg: string, meta?: Record<string, unknown>) => write("error", msg, meta),
};
export type Logger = typeof logger;
