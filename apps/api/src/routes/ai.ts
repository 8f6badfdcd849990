import { count, desc, eq, schema, sql, sum } from "@repo/db";
import { Hono } from "hono";
import type { AppEnv } from "../context";

const { aiModel, aiUsage } = schema;

export const aiRoutes = new Hono<AppEnv>().get("/usage/summary", async (c) => {
  const costUsd = sql<string>`coalesce(sum(${aiUsage.costUsd}), 0)::text`;
  // RLS limits ai_usage to the caller's organization; ai_model is shared reference data.
  const models = await c.var.tenant((tx) =>
    tx
      .select({
        modelId: aiUsage.modelId,
        provider: aiModel.provider,
        model: aiModel.name,
        displayName: aiModel.displayName,
        requests: count(),
        inputTokens: sum(aiUsage.inputTokens).mapWith(Number),
        outputTokens: sum(aiUsage.outputTokens).mapWith(Number),
        costUsd,
      })
      .from(aiUsage)
      .innerJoin(aiModel, eq(aiModel.id, aiUsage.modelId))
      .groupBy(aiUsage.modelId, aiModel.provider, aiModel.name, aiModel.displayName)
      .orderBy(desc(sql`sum(${aiUsage.costUsd})`), aiUsage.modelId),
  );
  return c.json({ data: models });
});
