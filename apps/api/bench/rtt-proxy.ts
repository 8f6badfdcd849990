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

  // Every chunk waits the same delay, so one queue in arrival order serves all connections.
  private readonly queue: { due: number; to: Socket; chunk: Buffer }[] = [];
  private draining = false;

  private delay(to: Socket, chunk: Buffer): void {
    this.queue.push({ due: performance.now() + this.delayMs, to, chunk });
    if (!this.draining) this.drain();
  }

  // Node's timers fire no sooner than 1 ms (a 0.5 ms timeout waits 1 ms): the last stretch
  // before a chunk is due is spent polling with setImmediate, which still reads every socket.
  private drain(): void {
    this.draining = false;
    const now = performance.now();
    while (this.queue.length > 0 && this.queue[0]!.due <= now) {
      const { to, chunk } = this.queue.shift()!;
      if (to.writable) to.write(chunk);
    }
    const next = this.queue[0];
    if (!next) return;
    this.draining = true;
    const wait = next.due - now;
    if (wait > 1.5) setTimeout(() => this.drain(), Math.floor(wait - 1));
    else setImmediate(() => this.drain());
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
      if (this.delayMs === 0 && this.queue.length === 0) to.write(chunk);
      else this.delay(to, chunk);
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
