import { describe, expect, it } from "vitest";
import { HashingEmbedder } from "../domains/search/embedder";
import { EMBEDDING_DIMENSIONS } from "../schema/search";

const cosine = (a: number[], b: number[]) =>
  a.reduce((sum, value, i) => sum + value * (b[i] ?? 0), 0);

describe("HashingEmbedder", () => {
  const embedder = new HashingEmbedder();

  it("can embed into unit vectors of the schema's dimensions", async () => {
    const [vector] = await embedder.embed(["Vector search with HNSW"]);
    expect(vector).toHaveLength(EMBEDDING_DIMENSIONS);
    expect(Math.hypot(...vector!)).toBeCloseTo(1, 6);
  });

  it("cannot differ between runs: the same text gives the same vector", async () => {
    const [a] = await embedder.embed(["Tenant isolation with row-level security"]);
    const [b] = await new HashingEmbedder().embed(["Tenant isolation with row-level security"]);
    expect(a).toEqual(b);
  });

  it("can place texts that share words nearer than unrelated texts", async () => {
    const [query, related, unrelated] = await embedder.embed([
      "postgres row level security policies",
      "row level security policies in postgres databases",
      "baking sourdough bread at home",
    ]);
    expect(cosine(query!, related!)).toBeGreaterThan(0.5);
    expect(cosine(query!, related!)).toBeGreaterThan(cosine(query!, unrelated!) + 0.4);
  });

  it("can embed an empty text as a unit vector", async () => {
    const [vector] = await embedder.embed([""]);
    expect(Math.hypot(...vector!)).toBe(1);
  });
});
