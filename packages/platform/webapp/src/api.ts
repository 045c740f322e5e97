/**
 * REST calls of the page: the bearer token from the header's field (kept in localStorage) on every call, and one
 * error type that carries the status so views can tell "not allowed" and "not there yet" apart.
 */
const TOKEN_KEY = 'gangplank.token';

export function readToken(): string {
  return localStorage.getItem(TOKEN_KEY) ?? '';
}

export function saveToken(token: string): void {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function authHeaders(): Record<string, string> {
  const token = readToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}

async function messageOf(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { message?: unknown };
    if (typeof body.message === 'string' && body.message) return body.message;
  } catch {
    // not JSON: the status text says it
  }
  return response.statusText || `HTTP ${response.status}`;
}

/** fetch with the token; any non-2xx becomes an HttpError with the server's `message`. */
export async function send(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = { ...authHeaders(), ...(init.headers as Record<string, string> | undefined) };
  const response = await fetch(path, { ...init, headers });
  if (response.ok) return response;
  const message = await messageOf(response);
  if (response.status === 401)
    throw new HttpError(401, `Authentication required: enter a valid bearer token above (${message}).`);
  if (response.status === 403) throw new HttpError(403, `Not allowed: ${message}`);
  throw new HttpError(response.status, `${init.method ?? 'GET'} ${path}: ${response.status} ${message}`);
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return (await send(path, signal ? { signal } : {})).json() as Promise<T>;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
