export type Json = Record<string, unknown>;

export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The orchestrator's HTTP API as an admin, for the demo (what the CLI does, without the CLI). */
export class DemoApi {
  constructor(
    readonly url: string,
    private readonly token: string,
  ) {}

  async call<T = Json>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    let payload: string | Buffer | undefined;
    if (Buffer.isBuffer(body)) {
      headers["content-type"] = "application/octet-stream";
      payload = body;
    } else if (body !== undefined) {
      headers["content-type"] = "application/json";
      payload = JSON.stringify(body);
    }
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers,
      ...(payload === undefined ? {} : { body: payload }),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    if (!res.ok) {
      // The API's error bodies carry no secrets; keep them short in a one-line message.
      throw new ApiError(res.status, `${method} ${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
    }
    return (text ? JSON.parse(text) : {}) as T;
  }

  get<T = Json>(path: string): Promise<T> {
    return this.call<T>("GET", path);
  }
}
