import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { createMcpApp } from "./app";

export interface RunningMcpServer {
  /** The MCP endpoint, e.g. http://127.0.0.1:3001/mcp */
  readonly url: string;
  readonly port: number;
  /** Stops accepting, gives requests in flight `graceMs`, then closes every connection. */
  close(graceMs?: number): Promise<void>;
}

/** Serves the MCP app over HTTP and resolves once it listens. */
export async function startMcpServer(
  app: ReturnType<typeof createMcpApp>,
  options: { port: number; hostname: string },
): Promise<RunningMcpServer> {
  const server = serve({
    fetch: app.fetch,
    port: options.port,
    hostname: options.hostname,
  }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject).once("listening", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.hostname.includes(":") ? `[${options.hostname}]` : options.hostname;
  return {
    url: `http://${host}:${port}/mcp`,
    port,
    close: async (graceMs = 5_000) => {
      const force = setTimeout(() => server.closeAllConnections(), graceMs);
      force.unref();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await closed;
      clearTimeout(force);
    },
  };
}
