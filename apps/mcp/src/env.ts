import { defineEnv } from "@repo/db";
import { z } from "zod";

// The MCP server's own settings; the database ones are @repo/db's. Entry points load .env
// first (loadEnvFile); parsed on first use.
const envSchema = z.object({
  /** Port of the HTTP server; 0 picks a free one. */
  MCP_PORT: z.coerce.number().int().min(0).max(65_535).default(3001),
  /** Interface to listen on: loopback by default; 0.0.0.0 (or ::) in a container. */
  MCP_HOST: z.string().trim().min(1).default("127.0.0.1"),
  /** stdio only: the personal access token the process acts with. */
  MCP_TOKEN: z.string().optional(),
  /** stdio only: the organization, when the token's user belongs to several. */
  MCP_ORGANIZATION_ID: z
    .string()
    .trim()
    .optional()
    .transform((value) => value || undefined),
});

/** The validated MCP settings, parsed once. */
export const mcpEnv = defineEnv(envSchema, "MCP configuration");
