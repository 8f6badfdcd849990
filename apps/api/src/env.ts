import { z } from "zod";

// The API's own settings (the database ones are read and validated by @repo/db). Parsed on
// first use, after @repo/db has loaded the root .env file.
const envSchema = z.object({
  /** Port of the HTTP server; 0 picks a free one. */
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  /** Interface to listen on: loopback by default; 0.0.0.0 (or ::) in a container. */
  HOST: z.string().trim().min(1).default("127.0.0.1"),
});

export type ApiEnv = z.infer<typeof envSchema>;

/** Invalid API settings: every problem in one message. */
class ApiEnvError extends Error {
  override readonly name = "ApiEnvError";
}

function parseApiEnv(source: NodeJS.ProcessEnv): ApiEnv {
  const result = envSchema.safeParse(source);
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (issue) => `  ${issue.path.join(".")}: ${issue.message}`,
  );
  throw new ApiEnvError(`Invalid API configuration:\n${problems.join("\n")}`);
}

let cached: ApiEnv | undefined;

/** The validated API settings, parsed once. */
export function apiEnv(): ApiEnv {
  cached ??= parseApiEnv(process.env);
  return cached;
}
