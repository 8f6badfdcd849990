import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { App } from "./app";

export interface RunningServer {
  /** e.g. http://127.0.0.1:3000 */
  readonly url: string;
  readonly port: number;
  /** Stops accepting, lets requests in flight finish (at most `graceMs`), then resolves. */
  close(graceMs?: number): Promise<void>;
}

/**
 * How long an idle keep-alive connection stays open. Longer than the idle timeouts of load
 * balancers (60 s is common) and of HTTP clients (undici: 4 s), so the other side closes it
 * first: a server that closes first races the client's next request on that connection,
 * which then fails with ECONNRESET (seen when the event loop stalled past Node's 5 s default).
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/** Serves `app` over HTTP/1.1 and resolves once it listens. */
export function startServer(
  app: App,
  options: { port: number; hostname: string },
): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = serve({
      fetch: app.fetch,
      port: options.port,
      hostname: options.hostname,
    }) as Server;
    server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
    // Node's advice: headersTimeout above keepAliveTimeout, or a request that starts on an
    // idle connection near its end can be cut off.
    server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
    server.once("error", reject);
    server.once("listening", () => {
      server.off("error", reject);
      const { port } = server.address() as AddressInfo;
      const host = options.hostname.includes(":") ? `[${options.hostname}]` : options.hostname;
      resolve({
        url: `http://${host}:${port}`,
        port,
        close: (graceMs = 5_000) =>
          new Promise<void>((done, fail) => {
            const force = setTimeout(() => server.closeAllConnections(), graceMs);
            force.unref();
            server.close((error) => {
              clearTimeout(force);
              if (error) fail(error);
              else done();
            });
            server.closeIdleConnections();
          }),
      });
    });
  });
}
