import { z } from "zod";

// The MCP server's own settings (the database ones are read and validated by @repo/db).
const envSchema = z.object({
  /** Port of the HTTP server; 0 picks a free one. */
  MCP_PORT: z.coerce.number().int().min(0).max(65_535).default(3001),
  /** Interface to listen on: loopback by default; 0.0.0.0 (or ::) in a container. */
  MCP_HOST: z.string().trim().min(1).default("127.0.0.1"),
});

/** The validated MCP settings, or exits naming every problem. */
export function mcpEnv(source: NodeJS.ProcessEnv = process.env): z.infer<typeof envSchema> {
  const result = envSchema.safeParse(source);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
  console.error(`Invalid MCP configuration: ${problems.join("; ")}`);
  process.exit(1);
}
