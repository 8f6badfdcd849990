import path from "node:path";
import { config as loadDotenv } from "dotenv";
import { z } from "zod";
import { defaultEmbeddedDataDir, repoRoot } from "./paths";

// The one place that reads process.env. Values from the shell win over the root .env file.
loadDotenv({ path: path.join(repoRoot, ".env"), quiet: true });

const postgresUrl = z
  .string()
  .trim()
  .refine((value) => /^postgres(ql)?:\/\//.test(value), {
    message: "must be a postgres:// or postgresql:// URL",
  });

const optionalUrl = z.preprocess((v) => (v === "" ? undefined : v), postgresUrl.optional());

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const booleanFlag = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0"])
    .default(fallback ? "true" : "false")
    .transform((v) => v === "true" || v === "1");

const envSchema = z.object({
  /** Owner connection (migrations, seeds). Unset: the embedded PGlite database. */
  DATABASE_URL: optionalUrl,
  /**
   * What apps connect with: the runtime role (app_runtime), which only works through
   * withTenantContext. Unset: DATABASE_URL with the runtime role as a startup parameter, or
   * the embedded database seen through that role.
   */
  APP_DATABASE_URL: optionalUrl,
  /**
   * A streaming replica of DATABASE_URL's server (same databases, same roles), for read-only
   * tenant units (withTenantContext(..., { readOnly: true })). Unset: they run on the primary.
   */
  DATABASE_REPLICA_URL: optionalUrl,
  /** The replica as app_runtime (like APP_DATABASE_URL). Unset: DATABASE_REPLICA_URL as that role. */
  APP_DATABASE_REPLICA_URL: optionalUrl,
  /** Where the embedded database keeps its files. */
  PGLITE_DATA_DIR: z.string().trim().min(1).default(defaultEmbeddedDataDir),
  /** A server whose superuser may create databases: tests clone one database per test file. */
  TEST_DATABASE_URL: optionalUrl,
  /**
   * A pooler in front of TEST_DATABASE_URL's server (host and port only): test databases'
   * app connections (app_runtime) go through it, the owner's stay direct.
   */
  TEST_POOLER_URL: optionalUrl,
  /** A streaming replica of TEST_DATABASE_URL's server: the replica tests run when it is set. */
  TEST_REPLICA_URL: optionalUrl,
  /** Set by the Docker global setup so reports say where the server came from. */
  TEST_DATABASE_PROVIDER: z.enum(["server", "docker"]).default("server"),
  /**
   * How server URLs are reached: postgres.js over TCP (default, pipelined tenant units), or
   * Neon's serverless driver over WebSockets (neon-serverless: for runtimes without TCP).
   */
  DB_DRIVER: z.enum(["postgres", "neon-serverless"]).default("postgres"),
  /** neon-serverless through a WebSocket-to-TCP proxy (host:port, unencrypted), e.g. websockify. */
  NEON_WS_PROXY: z.string().trim().min(1).optional(),
  /** Test databases' connections through neon-serverless and this WebSocket proxy (host:port). */
  TEST_NEON_WS_PROXY: z.string().trim().min(1).optional(),
  DB_POOL_MAX: positiveInt(10),
  DB_IDLE_TIMEOUT_SECONDS: positiveInt(20),
  DB_CONNECT_TIMEOUT_SECONDS: positiveInt(10),
  /** A pooled connection is replaced after this long (bounds its prepared-statement cache). */
  DB_MAX_LIFETIME_SECONDS: positiveInt(1800),
  /** Longest wait for a free pooled connection before a unit fails with 503. */
  DB_ACQUIRE_TIMEOUT_MS: positiveInt(5000),
  /** Tenant units one organization may run at once (default: a quarter of the pool). */
  DB_TENANT_CONCURRENCY: z.coerce.number().int().positive().optional(),
  /** Bound on one `pnpm db:migrate` run, retries included. */
  DB_MIGRATION_TIMEOUT_SECONDS: positiveInt(300),
  /** Longest wait for another runner's migration lock. */
  DB_MIGRATION_LOCK_TIMEOUT_SECONDS: positiveInt(60),
  /** Set false behind a transaction-mode pooler (PgBouncer, Supavisor): it cannot keep prepared statements. */
  DB_PREPARED_STATEMENTS: booleanFlag(true),
});

export type Env = z.infer<typeof envSchema>;

/** A configuration error: every invalid variable in one message. */
export class EnvError extends Error {
  override readonly name = "EnvError";
}

export function parseEnv(source: NodeJS.ProcessEnv): Env {
  const result = envSchema.safeParse(source);
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (issue) => `  ${issue.path.join(".")}: ${issue.message}`,
  );
  throw new EnvError(
    `Invalid database configuration (fix these in your shell or in ${path.join(repoRoot, ".env")}):\n${problems.join("\n")}`,
  );
}

let cached: Env | undefined;

/** The validated environment, parsed once. */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
