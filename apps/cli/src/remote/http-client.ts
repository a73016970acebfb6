import { RemoteHttpError, RemoteUnreachableError } from "./remote-errors.js";
import type { ResolvedRemote } from "./resolve-remote.js";

type Query = Record<string, string | number | string[] | undefined>;

export interface RequestOptions {
  query?: Query;
  json?: unknown;
  body?: string | ReadableStream<Uint8Array>;
  headers?: Record<string, string>;
  /** give up when no answer (headers) arrives in time; default: none (streams may take long) */
  timeoutMs?: number;
}

/** How long a plain JSON call may take before the CLI gives up. */
export const DEFAULT_TIMEOUT_MS = 60_000;

const REASONS: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host not found",
  ETIMEDOUT: "timed out",
  ECONNRESET: "connection reset",
  EHOSTUNREACH: "host unreachable",
};

/** The orchestrator's HTTP API, with errors that say what to do. */
export class RemoteClient {
  readonly url: string;
  private readonly token: string;

  constructor(
    remote: Pick<ResolvedRemote, "url" | "token">,
    private readonly timeoutMs = DEFAULT_TIMEOUT_MS,
  ) {
    this.url = remote.url;
    this.token = remote.token;
  }

  /** Sends a request; non-2xx answers become RemoteHttpError. */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const headers = new Headers(options.headers);
    headers.set("authorization", `Bearer ${this.token}`);
    let body = options.body;
    if (options.json !== undefined) {
      headers.set("content-type", "application/json");
      body = JSON.stringify(options.json);
    }
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}${queryString(options.query)}`, {
        method,
        headers,
        ...(options.timeoutMs ? { signal: AbortSignal.timeout(options.timeoutMs) } : {}),
        ...(body !== undefined ? { body } : {}),
        ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
      } as RequestInit);
    } catch (error) {
      if ((error as Error).name === "TimeoutError")
        throw new RemoteUnreachableError(
          `no answer from ${this.url} within ${(options.timeoutMs ?? 0) / 1000}s — is the orchestrator overloaded or stuck? try again`,
        );
      throw this.unreachable(error);
    }
    if (!response.ok) throw await httpError(method, path, response);
    return response;
  }

  async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.request(method, path, { timeoutMs: this.timeoutMs, ...options });
    return (await response.json()) as T;
  }

  get<T>(path: string, query?: Query): Promise<T> {
    return this.json<T>("GET", path, query ? { query } : {});
  }

  private unreachable(error: unknown): RemoteUnreachableError {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const code = cause?.code ?? "";
    const reason = REASONS[code] ?? cause?.message ?? (error as Error).message;
    return new RemoteUnreachableError(
      `cannot reach ${this.url} (${reason}) — is the orchestrator running? check \`statecast login\``,
    );
  }
}

function queryString(query: Query | undefined): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) params.append(key, String(one));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

async function httpError(method: string, path: string, response: Response) {
  const text = await response.text().catch(() => "");
  let body: { message?: unknown; error?: unknown; details?: unknown } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // not JSON: the status line says enough
  }
  const message = typeof body.message === "string" ? body.message : response.statusText;
  const code = typeof body.error === "string" ? body.error : String(response.status);
  const details = Array.isArray(body.details)
    ? (body.details as { path: string; message: string }[])
    : [];
  if (response.status === 401)
    return new RemoteHttpError("token rejected — run `statecast login`", 401, code);
  if (response.status === 403)
    return new RemoteHttpError(`not allowed: ${message}`, 403, code, details);
  return new RemoteHttpError(
    `${method} ${path}: ${response.status} ${message}`,
    response.status,
    code,
    details,
  );
}
