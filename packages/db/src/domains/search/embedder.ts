import { EMBEDDING_DIMENSIONS } from "../../schema/search";

/** Turns texts into unit vectors of `dimensions` numbers. Apps replace it with a real model. */
export interface Embedder {
  readonly dimensions: number;
  embed(texts: readonly string[]): Promise<number[][]>;
}

/** FNV-1a, 32 bit: a tiny, stable hash; the vectors must be identical on every machine. */
function fnv1a(text: string, seed: number): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

const WORD = /[\p{L}\p{N}]+/gu;

/**
 * A deterministic, dependency-free embedder for seeds and tests: feature hashing of lower-cased
 * words and word bigrams into `dimensions` signed buckets, L2-normalised. Texts that share words
 * point the same way, so cosine similarity behaves like a (crude) semantic one. Written by hand
 * because what it must be (tiny, offline, bit-for-bit reproducible) is what model libraries are not.
 */
export class HashingEmbedder implements Embedder {
  constructor(readonly dimensions: number = EMBEDDING_DIMENSIONS) {}

  embedOne(text: string): number[] {
    const vector = new Array<number>(this.dimensions).fill(0);
    const words = text.toLowerCase().match(WORD) ?? [];
    const features: [string, number][] = words.map((word) => [word, 1]);
    for (let i = 1; i < words.length; i++) features.push([`${words[i - 1]} ${words[i]}`, 0.5]);
    for (const [feature, weight] of features) {
      const bucket = fnv1a(feature, 0) % this.dimensions;
      const sign = fnv1a(feature, 1) & 1 ? 1 : -1;
      vector[bucket] = (vector[bucket] ?? 0) + sign * weight;
    }
    const norm = Math.hypot(...vector);
    // An empty text still needs a unit vector: cosine distance to a zero vector is undefined.
    if (norm === 0) {
      vector[0] = 1;
      return vector;
    }
    return vector.map((value) => value / norm);
  }

  async embed(texts: readonly string[]): Promise<number[][]> {
    return texts.map((text) => this.embedOne(text));
  }
}
