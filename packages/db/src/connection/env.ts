import path from "node:path";
import { config as loadDotenv } from "dotenv";
import { z } from "zod";
import { defaultEmbeddedDataDir, repoRoot } from "./paths";

// The one module that reads settings, for this package and the apps (defineEnv). Entry points
// call loadEnvFile() first: importing a module never reads .env.

/** Every setting some schema of this process declares: what a misspelt key is compared with. */
const knownKeys = new Set<string>();
/** Prefixes only this project's settings use: an unknown key with one is reported even far from any. */
const ownPrefixes =
  /^(DATABASE_|APP_DATABASE_|DB_|PGLITE_|TEST_DATABASE_|TEST_POOLER_|TEST_CITUS_)/;

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** One line per key that looks like a setting of ours but is none, with the likely intended one. */
export function unknownSettings(keys: Iterable<string>): string[] {
  const lines: string[] = [];
  for (const key of keys) {
    if (knownKeys.has(key)) continue;
    const nearest = [...knownKeys]
      .map((known) => ({ known, distance: editDistance(key, known) }))
      .sort((a, b) => a.distance - b.distance)[0];
    if (nearest && nearest.distance <= Math.max(2, Math.floor(key.length / 5)))
      lines.push(`Unknown setting ${key}: did you mean ${nearest.known}?`);
    else if (ownPrefixes.test(key))
      lines.push(`Unknown setting ${key}: no such setting (see .env.example).`);
  }
  return lines;
}

/**
 * Loads the root .env file into process.env (values from the shell win) and warns, one line
 * each, about keys there or in the shell that look like settings of ours but are none.
 */
export function loadEnvFile(file = path.join(repoRoot, ".env")): void {
  const loaded = loadDotenv({ path: file, quiet: true }).parsed ?? {};
  const candidates = new Set([
    ...Object.keys(loaded),
    ...Object.keys(process.env).filter((key) => ownPrefixes.test(key)),
  ]);
  for (const line of unknownSettings(candidates)) console.warn(line);
}

/** A configuration error: every invalid variable in one message. */
export class EnvError extends Error {
  override readonly name = "EnvError";
}

/**
 * A validated, parsed-once view of process.env through `schema`; `label` names it in errors.
 * Its keys count as known to loadEnvFile's misspelling check.
 */
export function defineEnv<T extends z.ZodObject>(schema: T, label: string): () => z.infer<T> {
  for (const key of Object.keys(schema.shape)) knownKeys.add(key);
  let cached: z.infer<T> | undefined;
  return () => {
    cached ??= parseWith(schema, label, process.env);
    return cached;
  };
}

function parseWith<T extends z.ZodObject>(
  schema: T,
  label: string,
  source: NodeJS.ProcessEnv,
): z.infer<T> {
  const result = schema.safeParse(source);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
  throw new EnvError(
    `Invalid ${label} (fix it in your shell or in ${path.join(repoRoot, ".env")}): ${problems.join("; ")}`,
  );
}

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
  /**
   * A Citus coordinator (.ci/citus.sh) whose superuser may create databases on every node:
   * when set, test databases are distributed clones on that cluster (src/testing/citus.ts).
   */
  TEST_CITUS_URL: optionalUrl,
  /**
   * Runs the "Adding a table" walk-through on a throwaway copy of the repo (new-table.test.ts):
   * minutes of work, so ci:check sets it and a plain `pnpm test` skips it.
   */
  TEST_NEW_TABLE: booleanFlag(false),
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
  /** Searches and document ingestions one organization may run at once (createHeavyWorkGate). */
  DB_TENANT_HEAVY_CONCURRENCY: positiveInt(1),
  /** Bound on one `pnpm db:migrate` run, retries included. */
  DB_MIGRATION_TIMEOUT_SECONDS: positiveInt(300),
  /** Longest wait for another runner's migration lock. */
  DB_MIGRATION_LOCK_TIMEOUT_SECONDS: positiveInt(60),
  /** Set false behind a transaction-mode pooler (PgBouncer, Supavisor): it cannot keep prepared statements. */
  DB_PREPARED_STATEMENTS: booleanFlag(true),
});

export type Env = z.infer<typeof envSchema>;

export function parseEnv(source: NodeJS.ProcessEnv): Env {
  return parseWith(envSchema, "database configuration", source);
}

/** The validated database settings, parsed once. */
export const env = defineEnv(envSchema, "database configuration");
