/**
 * A tiny seam over the library's Admin GraphQL client so services take `{graphql}` as a
 * dependency (the demo and tests pass the same client the library builds, answered by msw).
 */
export interface AdminGraphql {
  graphql(query: string, options?: { variables?: Record<string, unknown> }): Promise<Response>;
}

export class AdminApiError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = "AdminApiError";
  }
}

/** Runs one operation and returns `data`, turning GraphQL and user errors into AdminApiError. */
export async function adminQuery<T>(
  admin: AdminGraphql,
  query: string,
  variables?: Record<string, unknown>,
): Promise<T> {
  let response: Response;
  try {
    response = await admin.graphql(query, variables ? { variables } : undefined);
  } catch (error) {
    // The library throws on HTTP errors (after its own retries for 429/5xx).
    const message = error instanceof Error ? error.message : String(error);
    throw new AdminApiError(`Admin API request failed: ${message}`, true);
  }
  const body = (await response.json()) as { data?: T; errors?: Array<{ message: string }> };
  if (body.errors?.length) {
    const throttled = body.errors.some((e) => /throttled/i.test(e.message));
    throw new AdminApiError(`Admin API error: ${body.errors.map((e) => e.message).join("; ")}`, throttled);
  }
  if (!body.data) throw new AdminApiError("Admin API returned no data", true);
  return body.data;
}
