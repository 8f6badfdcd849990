import { createRoute, z } from "@hono/zod-openapi";
import { usageSummary } from "@repo/db";
import { bearer, commonErrors, json, router } from "../openapi";

const ModelUsage = z
  .object({
    modelId: z.string(),
    provider: z.string(),
    model: z.string(),
    displayName: z.string(),
    requests: z.number().int(),
    inputTokens: z.number().int(),
    outputTokens: z.number().int(),
    costUsd: z.string().openapi({ description: "Decimal text, exact.", example: "0.0125" }),
  })
  .openapi("ModelUsage");

const usageRoute = createRoute({
  method: "get",
  path: "/usage/summary",
  tags: ["AI usage"],
  summary: "The organization's AI usage per model, most expensive first",
  security: bearer,
  responses: {
    200: json(z.object({ data: z.array(ModelUsage) }), "One row per model."),
    ...commonErrors,
  },
});

export const aiRoutes = router().openapi(usageRoute, async (c) =>
  c.json({ data: await c.var.tenant((tx) => usageSummary(tx)) }, 200),
);
