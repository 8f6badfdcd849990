import { defineEnv } from "@repo/db";
import { z } from "zod";

// The API's own settings; the database ones are @repo/db's. Entry points load .env first
// (loadEnvFile); parsed on first use.
const envSchema = z.object({
  /** Port of the HTTP server; 0 picks a free one. */
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  /** Interface to listen on: loopback by default; 0.0.0.0 (or ::) in a container. */
  HOST: z.string().trim().min(1).default("127.0.0.1"),
  /** pino level: trace, debug, info, warn, error, fatal or silent. */
  LOG_LEVEL: z.string().trim().min(1).default("info"),
});

/** The validated API settings, parsed once. */
export const apiEnv = defineEnv(envSchema, "API configuration");
