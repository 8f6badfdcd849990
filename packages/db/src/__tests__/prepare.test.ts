import { afterAll, describe, expect, it } from "vitest";
import {
  createPreparerPool,
  halfvecLiteral,
  PreparationBusyError,
  prepareChunks,
} from "../domains/documents";
import { HashingEmbedder } from "../domains/search";

// Document preparation (chunk + embed) off the event loop: the worker threads must give
// exactly what the calling thread gives, and a full queue must refuse, not pile up.
const pool = createPreparerPool({ threads: 1, maxQueue: 1 });
afterAll(() => pool.close());

const document = Array.from(
  { length: 300 },
  (_, i) => `Paragraph ${i}: lithium batteries degrade with heat. Sodium cells cost less.`,
).join("\n\n");

describe("document preparation", () => {
  it("can run in a worker thread with the same chunks and embeddings as inline", async () => {
    const inWorker = await pool.prepare(document);
    expect(inWorker).toEqual(await prepareChunks(document, new HashingEmbedder()));
    expect(inWorker.length).toBeGreaterThan(10);
    expect(inWorker[0]?.tokenCount).toBeGreaterThan(0);
  });

  it("cannot queue more documents than its bound: the rest are refused at once", async () => {
    const attempts = await Promise.allSettled(
      Array.from({ length: 6 }, () => pool.prepare(document)),
    );
    const refused = attempts.filter(
      (a) => a.status === "rejected" && a.reason instanceof PreparationBusyError,
    );
    expect(refused.length).toBeGreaterThan(0);
    expect(attempts.filter((a) => a.status === "fulfilled").length).toBeGreaterThan(0);
  });

  it("writes halfvec literals with float16's precision", () => {
    expect(halfvecLiteral([0.123456789, -1e-7, 0, 1])).toBe("[0.12346,-1e-7,0,1]");
  });
});
