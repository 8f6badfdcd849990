// A TCP proxy for bench:rtt: forwards to Postgres, adds a one-way delay to every chunk in
// both directions, and counts round trips — a burst of client data answered by the server.
import { createConnection, createServer, type Server, type Socket } from "node:net";

export class RoundTripProxy {
  /** Round trips since the last reset, over every connection. */
  roundTrips = 0;
  /** Added to each chunk, each way (ms). */
  delayMs = 0;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly target: { host: string; port: number }) {}

  /** Starts listening on a free loopback port; resolves with it. */
  listen(): Promise<number> {
    const server = createServer((client) => this.pipe(client));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port));
    });
  }

  reset(): void {
    this.roundTrips = 0;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private pipe(client: Socket): void {
    const server = createConnection(this.target);
    client.setNoDelay(true);
    server.setNoDelay(true);
    this.sockets.add(client).add(server);
    // A new round trip starts when the client speaks after the server last did.
    let awaitingReply = false;
    const forward = (to: Socket) => (chunk: Buffer) => {
      if (this.delayMs === 0) to.write(chunk);
      else setTimeout(() => to.writable && to.write(chunk), this.delayMs);
    };
    const toServer = forward(server);
    const toClient = forward(client);
    client.on("data", (chunk: Buffer) => {
      if (!awaitingReply) this.roundTrips++;
      awaitingReply = true;
      toServer(chunk);
    });
    server.on("data", (chunk: Buffer) => {
      awaitingReply = false;
      toClient(chunk);
    });
    const end = () => {
      client.destroy();
      server.destroy();
      this.sockets.delete(client);
      this.sockets.delete(server);
    };
    client.on("close", end).on("error", end);
    server.on("close", end).on("error", end);
  }
}
