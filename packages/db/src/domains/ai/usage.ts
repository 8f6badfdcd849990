import { count, desc, eq, sql, sum } from "drizzle-orm";
import type { Transaction } from "../../connection/client";
import { aiModel, aiUsage } from "../../schema";

/**
 * The organization's AI usage per model (requests, tokens, cost), most expensive first, in
 * one statement. RLS limits ai_usage to the unit's organization; ai_model is shared
 * reference data.
 */
export function usageSummary(tx: Transaction) {
  return tx
    .select({
      modelId: aiUsage.modelId,
      provider: aiModel.provider,
      model: aiModel.name,
      displayName: aiModel.displayName,
      requests: count(),
      inputTokens: sum(aiUsage.inputTokens).mapWith(Number),
      outputTokens: sum(aiUsage.outputTokens).mapWith(Number),
      costUsd: sql<string>`coalesce(sum(${aiUsage.costUsd}), 0)::text`,
    })
    .from(aiUsage)
    .innerJoin(aiModel, eq(aiModel.id, aiUsage.modelId))
    .groupBy(aiUsage.modelId, aiModel.provider, aiModel.name, aiModel.displayName)
    .orderBy(desc(sql`sum(${aiUsage.costUsd})`), aiUsage.modelId);
}
