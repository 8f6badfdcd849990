// Child process of bench/noisy-neighbor.bench.ts: keeps one tenant's searches and uploads in
// flight (autocannon) from the first message until "stop", then reports what got through.
import autocannon from "autocannon";

interface Load {
  base: string;
  token: string;
  searches: number;
  uploads: number;
  query: string;
  document: string;
}

const load = await new Promise<Load>((resolve) =>
  process.once("message", (m) => resolve(m as Load)),
);
const headers = { authorization: `Bearer ${load.token}` };
const searches = autocannon({
  url: `${load.base}/v1/search?q=${encodeURIComponent(load.query)}&limit=20`,
  headers,
  connections: load.searches,
  duration: 3_600,
});
const uploads = autocannon({
  url: `${load.base}/v1/documents`,
  method: "POST",
  headers: { ...headers, "content-type": "application/json" },
  body: JSON.stringify({ title: "upload", content: load.document }),
  connections: load.uploads,
  duration: 3_600,
});
const stoppable = (instance: unknown) =>
  instance as { stop(): void } & PromiseLike<autocannon.Result>;

process.once("message", async () => {
  stoppable(searches).stop();
  stoppable(uploads).stop();
  const [s, u] = await Promise.all([searches, uploads]);
  process.send?.({
    searches: s["2xx"],
    uploads: u["2xx"],
    refused: s.non2xx + u.non2xx,
    errors: s.errors + u.errors + s.timeouts + u.timeouts,
  });
});
