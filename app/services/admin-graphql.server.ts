import { RetryLaterError } from "./jobs.server";

/**
 * A tiny seam over the library's Admin GraphQL client so services take `{graphql}` as a
 * dependency (the demo and tests pass the same client the library builds, answered by msw).
 *
 * `adminQuery` also owns what to do when Shopify says "not now":
 * - HTTP 429 (rate limit) and 503 (unavailable) — the request was not executed;
 * - a 200 whose GraphQL errors carry `extensions.code: "THROTTLED"` (the cost bucket is empty;
 *   `extensions.cost.throttleStatus` says how fast it refills).
 * A short wait (≤ `maxInlineWaitMs`) is waited here and the call repeated, up to `tries` calls.
 * When Shopify named the wait (Retry-After, cost refill) and it is longer, or the tries are used
 * up, it is thrown as `AdminApiRetryLaterError` (a `RetryLaterError`), which the job queue turns
 * into "run again at now + wait". Without a named wait, the last error is thrown as a retryable
 * `AdminApiError` and the job's exponential backoff applies. Other 5xx are not repeated here at
 * all (a mutation may have been applied): retryable `AdminApiError`, job backoff.
 *
 * Why not the library's `tries` option: @shopify/graphql-client (2.0.0 here) sleeps the
 * Retry-After value as milliseconds although it is seconds (Shopify/shopify-app-js#3364, fix
 * pending in #3367), so "Retry-After: 2.0" is retried after 2 ms, and when its retries run out
 * it throws HttpMaxRetriesError without the delay. It does not look at cost throttling at all.
 * With no retries the library throws typed errors instead (HttpThrottlingError with
 * `response.retryAfter` parsed in seconds, HttpInternalError, GraphqlQueryError with the body),
 * which is what this reads.
 */
export interface AdminGraphql {
  graphql(query: string, options?: { variables?: Record<string, unknown> }): Promise<Response>;
}

export class AdminApiError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "AdminApiError";
  }
}

/** Shopify asked us to come back later and said when (429 Retry-After, cost throttling). */
export class AdminApiRetryLaterError extends RetryLaterError {
  readonly retryable = true;
  constructor(message: string, retryAfterMs: number) {
    super(message, retryAfterMs);
    this.name = "AdminApiRetryLaterError";
  }
}

export interface AdminQueryOptions {
  /** Calls in all, the first included (default 3). */
  tries?: number;
  /** Waits up to this long in-process before repeating; longer waits are thrown (default 2 s). */
  maxInlineWaitMs?: number;
  /** Wait when Shopify did not say how long (a 503 without Retry-After), doubled each time (default 500 ms). */
  defaultWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const DEFAULTS = { tries: 3, maxInlineWaitMs: 2_000, defaultWaitMs: 500 };

/** What one call came back with, as far as retrying is concerned. */
type Outcome<T> =
  | { ok: true; data: T }
  | { ok: false; error: AdminApiError; retry: false }
  | { ok: false; error: AdminApiError; retry: true; waitMs: number | undefined; reason: string };

/** Runs one operation and returns `data`, turning GraphQL and user errors into AdminApiError. */
export async function adminQuery<T>(admin: AdminGraphql, query: string, variables?: Record<string, unknown>, options: AdminQueryOptions = {}): Promise<T> {
  const tries = Math.max(1, options.tries ?? DEFAULTS.tries);
  const maxInline = options.maxInlineWaitMs ?? DEFAULTS.maxInlineWaitMs;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let attempt = 1; ; attempt++) {
    const outcome = await callOnce<T>(admin, query, variables);
    if (outcome.ok) return outcome.data;
    if (!outcome.retry) throw outcome.error;
    // Shopify said how long (Retry-After, cost refill): honour it, here or through the job queue.
    if (outcome.waitMs !== undefined && (outcome.waitMs > maxInline || attempt >= tries)) {
      throw new AdminApiRetryLaterError(`Admin API ${outcome.reason}; retry in ${outcome.waitMs} ms`, outcome.waitMs);
    }
    // It did not: a few quick doublings, then the caller's (the job's) exponential backoff.
    const waitMs = outcome.waitMs ?? (options.defaultWaitMs ?? DEFAULTS.defaultWaitMs) * 2 ** (attempt - 1);
    if (attempt >= tries || waitMs > maxInline) throw outcome.error;
    await sleep(waitMs);
  }
}

async function callOnce<T>(admin: AdminGraphql, query: string, variables?: Record<string, unknown>): Promise<Outcome<T>> {
  let response: Response;
  try {
    response = await admin.graphql(query, variables ? { variables } : undefined);
  } catch (error) {
    return fromThrown(error);
  }
  if (!response.ok) return fromStatus(response.status, response.headers.get("retry-after"), await safeText(response));
  let body: GraphqlBody<T>;
  try {
    body = (await response.json()) as GraphqlBody<T>;
  } catch {
    return { ok: false, retry: false, error: new AdminApiError("Admin API returned a body that is not JSON", true) };
  }
  if (body.errors?.length) return fromGraphqlErrors(body.errors, body.extensions);
  if (!body.data) return { ok: false, retry: false, error: new AdminApiError("Admin API returned no data", true) };
  return { ok: true, data: body.data };
}

interface GraphqlError {
  message: string;
  extensions?: { code?: string };
}

interface CostExtensions {
  cost?: {
    requestedQueryCost?: number;
    throttleStatus?: { maximumAvailable?: number; currentlyAvailable?: number; restoreRate?: number };
  };
}

interface GraphqlBody<T> {
  data?: T;
  errors?: GraphqlError[];
  extensions?: CostExtensions;
}

function fromGraphqlErrors<T>(errors: GraphqlError[], extensions: CostExtensions | undefined): Outcome<T> {
  const message = `Admin API error: ${errors.map((e) => e.message).join("; ")}`;
  const throttled = errors.some((e) => e.extensions?.code === "THROTTLED" || /^throttled$/i.test(e.message));
  if (!throttled) return { ok: false, retry: false, error: new AdminApiError(message, false) };
  return { ok: false, retry: true, waitMs: costWaitMs(extensions), reason: "throttled (query cost)", error: new AdminApiError(message, true) };
}

/** How long until the bucket holds the requested cost: (requested − available) / restoreRate seconds. */
export function costWaitMs(extensions: CostExtensions | undefined): number | undefined {
  const cost = extensions?.cost;
  const status = cost?.throttleStatus;
  if (!cost || !status || !status.restoreRate || status.restoreRate <= 0) return undefined;
  const requested = cost.requestedQueryCost ?? 0;
  const available = status.currentlyAvailable ?? 0;
  return Math.max(0, Math.ceil(((requested - available) / status.restoreRate) * 1000));
}

/** Retry-After: seconds (Shopify sends "2.0") or an HTTP date. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value == null || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds * 1000));
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function fromStatus<T>(status: number, retryAfter: string | null | undefined, detail: string): Outcome<T> {
  const message = `Admin API request failed: HTTP ${status}${detail ? ` ${detail.slice(0, 200)}` : ""}`;
  if (status === 429 || status === 503) {
    return {
      ok: false,
      retry: true,
      waitMs: parseRetryAfter(retryAfter),
      reason: status === 429 ? "rate limited (429)" : "unavailable (503)",
      error: new AdminApiError(message, true),
    };
  }
  // Other 5xx: maybe applied; let the caller's (or the job's) backoff decide. 4xx: our bug.
  return { ok: false, retry: false, error: new AdminApiError(message, status >= 500) };
}

/**
 * The library's errors, read by shape (its classes are not exported by @shopify/shopify-app-remix):
 * HttpResponseError family `{response: {code, headers, retryAfter?}}`, GraphqlQueryError `{body}`;
 * `authenticate.admin`'s client throws a bare `Response` instead (it drops Retry-After).
 */
async function fromThrown<T>(error: unknown): Promise<Outcome<T>> {
  if (error instanceof Response) {
    return fromStatus(error.status, error.headers.get("retry-after"), await safeText(error));
  }
  const e = error as {
    message?: string;
    response?: { code?: unknown; retryAfter?: unknown; headers?: Record<string, string | string[]> };
    body?: { errors?: { graphQLErrors?: GraphqlError[] }; extensions?: CostExtensions };
  };
  const graphQLErrors = e?.body?.errors?.graphQLErrors;
  if (Array.isArray(graphQLErrors) && graphQLErrors.length) return fromGraphqlErrors(graphQLErrors, e.body?.extensions);
  const code = e?.response?.code;
  if (typeof code === "number") {
    const retryAfter = typeof e.response!.retryAfter === "number" ? String(e.response!.retryAfter) : headerValue(e.response!.headers, "retry-after");
    return fromStatus(code, retryAfter, "");
  }
  const message = error instanceof Error ? error.message : String(error);
  // Network errors and the like: worth another try later, not in a tight loop.
  return { ok: false, retry: false, error: new AdminApiError(`Admin API request failed: ${message}`, true, { cause: error }) };
}

function headerValue(headers: Record<string, string | string[]> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === name) return Array.isArray(v) ? v[0] : v;
  }
  return undefined;
}

async function safeText(response: Response): Promise<string> {
  try {
    return (await response.text()).replace(/\s+/g, " ").trim();
  } catch {
    return "";
  }
}
