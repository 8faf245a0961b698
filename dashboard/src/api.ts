// The one way the dashboard talks to partnernet: the public GraphQL API at /graphql, with the
// caller's own key, so every view shows exactly what that key may see (redacted actors
// absent, small counts suppressed). No other endpoint, no other host.

const KEY_STORAGE = 'partnernet.key';

/** The API key of this browser session ('' when anonymous). Kept in sessionStorage only. */
export function apiKey(): string {
  return sessionStorage.getItem(KEY_STORAGE) ?? '';
}

export function setApiKey(key: string): void {
  if (key) sessionStorage.setItem(KEY_STORAGE, key);
  else sessionStorage.removeItem(KEY_STORAGE);
}

/** A GraphQL error as the API words it, with its code (FORBIDDEN, BAD_USER_INPUT, ...). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/** Run one operation; resolves to its `data`, rejects with the first error. */
export async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    Accept: 'application/graphql-response+json, application/json',
  };
  const key = apiKey();
  if (key) headers.Authorization = `Bearer ${key}`;
  const response = await fetch('/graphql', {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
  });
  let body: { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`The server answered ${response.status} without JSON.`, undefined);
  }
  if (body.errors?.length) {
    const first = body.errors[0];
    throw new ApiError(first.message, first.extensions?.code);
  }
  if (body.data === undefined || body.data === null) {
    throw new ApiError(`The server answered ${response.status} without data.`, undefined);
  }
  return body.data;
}

/** The same query opened in GraphiQL (served at /graphql), for an analyst to take further. */
export function graphiqlLink(query: string, variables: Record<string, unknown> = {}): string {
  const params = new URLSearchParams({ query: query.trim() });
  if (Object.keys(variables).length) params.set('variables', JSON.stringify(variables, null, 2));
  return `/graphql?${params.toString()}`;
}
