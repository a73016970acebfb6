import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { RemoteClient } from "./http-client.js";
import { RemoteHttpError, RemoteUnreachableError } from "./remote-errors.js";

/** A loopback HTTP server answering with `handler`; closed after each test. */
let server: Server | undefined;
async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

describe("RemoteClient errors", () => {
  it("gives up on a server that never answers, saying so", async () => {
    const url = await serve(() => {
      // accept and say nothing
    });
    const client = new RemoteClient({ url, token: "t" }, 200);
    const call = client.get("/v1/whoami");
    await expect(call).rejects.toThrow(RemoteUnreachableError);
    await expect(call).rejects.toThrow(`no answer from ${url} within 0.2s`);
  });

  it("sends the bearer token and query, and maps error bodies to status, code and details", async () => {
    let seen: { auth?: string; url?: string } = {};
    const url = await serve((req, res) => {
      seen = { auth: req.headers.authorization, url: req.url };
      res.writeHead(422, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          statusCode: 422,
          error: "unprocessable",
          message: "missing objects: abc",
          details: [{ path: "state.x", message: "object abc has not been uploaded" }],
        }),
      );
    });
    const error = await new RemoteClient({ url, token: "s3cret" })
      .get("/v1/things", { type: ["A", "B"], limit: 2, skip: undefined })
      .catch((e: unknown) => e);
    expect(seen).toEqual({ auth: "Bearer s3cret", url: "/v1/things?type=A&type=B&limit=2" });
    expect(error).toBeInstanceOf(RemoteHttpError);
    expect(error).toMatchObject({
      message: "GET /v1/things: 422 missing objects: abc",
      status: 422,
      code: "unprocessable",
      details: [{ path: "state.x", message: "object abc has not been uploaded" }],
    });
  });

  it("survives a non-JSON error body", async () => {
    const url = await serve((_req, res) => {
      res.writeHead(502, "Bad Gateway");
      res.end("<html>proxy error</html>");
    });
    await expect(new RemoteClient({ url, token: "t" }).get("/v1/x")).rejects.toThrow(
      "GET /v1/x: 502 Bad Gateway",
    );
  });
});
