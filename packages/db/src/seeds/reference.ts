import { sql } from "drizzle-orm";
import type { Database } from "../connection/client";
import { aiModel, aiModelPricing } from "../schema/ai";

/** Models of the common providers, with a fixed id each: reference data for every environment. */
const MODELS = [
  {
    provider: "openai",
    name: "gpt-4o",
    displayName: "GPT-4o",
    contextWindow: 128_000,
    input: "2.50",
    output: "10.00",
  },
  {
    provider: "openai",
    name: "gpt-4o-mini",
    displayName: "GPT-4o mini",
    contextWindow: 128_000,
    input: "0.15",
    output: "0.60",
  },
  {
    provider: "openai",
    name: "text-embedding-3-small",
    displayName: "Embedding 3 small",
    contextWindow: 8_191,
    input: "0.02",
    output: "0",
    embeddingDimensions: 1536,
  },
  {
    provider: "anthropic",
    name: "claude-sonnet-4",
    displayName: "Claude Sonnet 4",
    contextWindow: 200_000,
    input: "3.00",
    output: "15.00",
  },
  {
    provider: "anthropic",
    name: "claude-haiku-3-5",
    displayName: "Claude Haiku 3.5",
    contextWindow: 200_000,
    input: "0.80",
    output: "4.00",
  },
  {
    provider: "google",
    name: "gemini-2.5-pro",
    displayName: "Gemini 2.5 Pro",
    contextWindow: 1_000_000,
    input: "1.25",
    output: "10.00",
  },
  {
    provider: "google",
    name: "gemini-2.5-flash",
    displayName: "Gemini 2.5 Flash",
    contextWindow: 1_000_000,
    input: "0.30",
    output: "2.50",
  },
  {
    provider: "mistral",
    name: "mistral-large",
    displayName: "Mistral Large",
    contextWindow: 128_000,
    input: "2.00",
    output: "6.00",
  },
  {
    provider: "cohere",
    name: "embed-v4",
    displayName: "Cohere Embed v4",
    contextWindow: 128_000,
    input: "0.12",
    output: "0",
    embeddingDimensions: 1536,
  },
] as const;

export const modelId = (provider: string, name: string) => `model_${provider}_${name}`;
const PRICES_FROM = new Date("2025-01-01T00:00:00Z");

/**
 * Upserts the reference data: a rerun converges every row to these values, so updating a price
 * here and seeding again is how reference data changes (production included).
 */
export async function seedReference(db: Database): Promise<Record<string, number>> {
  const models = MODELS.map((m) => ({
    id: modelId(m.provider, m.name),
    provider: m.provider,
    name: m.name,
    displayName: m.displayName,
    contextWindow: m.contextWindow,
    embeddingDimensions: "embeddingDimensions" in m ? m.embeddingDimensions : null,
    createdAt: PRICES_FROM,
    updatedAt: PRICES_FROM,
  }));
  await db
    .insert(aiModel)
    .values(models)
    .onConflictDoUpdate({
      target: aiModel.id,
      set: {
        displayName: sql`excluded.display_name`,
        contextWindow: sql`excluded.context_window`,
        embeddingDimensions: sql`excluded.embedding_dimensions`,
        updatedAt: sql`excluded.updated_at`,
      },
      // Only rows whose values changed: an identical rerun writes nothing.
      setWhere: sql`(${aiModel.displayName}, ${aiModel.contextWindow}, ${aiModel.embeddingDimensions})
        is distinct from (excluded.display_name, excluded.context_window, excluded.embedding_dimensions)`,
    });
  const prices = MODELS.map((m) => ({
    id: `pricing_${m.provider}_${m.name}_2025`,
    modelId: modelId(m.provider, m.name),
    inputUsdPerMillion: m.input,
    outputUsdPerMillion: m.output,
    effectiveFrom: PRICES_FROM,
    createdAt: PRICES_FROM,
    updatedAt: PRICES_FROM,
  }));
  await db
    .insert(aiModelPricing)
    .values(prices)
    .onConflictDoUpdate({
      target: aiModelPricing.id,
      set: {
        inputUsdPerMillion: sql`excluded.input_usd_per_million`,
        outputUsdPerMillion: sql`excluded.output_usd_per_million`,
        updatedAt: sql`excluded.updated_at`,
      },
      setWhere: sql`(${aiModelPricing.inputUsdPerMillion}, ${aiModelPricing.outputUsdPerMillion})
        is distinct from (excluded.input_usd_per_million, excluded.output_usd_per_million)`,
    });
  return { ai_model: models.length, ai_model_pricing: prices.length };
}
