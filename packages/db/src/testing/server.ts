import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { createDatabase } from "../connection/client";
import { env } from "../connection/env";
import { migrate } from "../migrator";
import { RUNTIME_ROLE } from "../tenancy/roles";
import { migrationsFingerprint } from "./fingerprint";
import type { TestDatabase, TestDatabaseProvider } from "./types";

const TEMPLATE_PREFIX = "repo_test_tpl_";
/**
 * Tests log in as the runtime role apps use (migration 0003). Migrations give it no password;
 * password-authenticated test servers (Docker) need one, so a test server gets this one.
 */
const RUNTIME_TEST_PASSWORD = RUNTIME_ROLE;
const DATABASE_PREFIX = "repo_test_";
// Serializes template builds across test workers and concurrent runs on one server.
// An arbitrary constant: 'repo' test template, as an int8 advisory lock key.
const TEMPLATE_LOCK_KEY = 7_263_840_112;

function withDatabase(
  url: string,
  database: string,
  login?: { user: string; password: string },
): string {
  const next = new URL(url);
  next.pathname = `/${database}`;
  if (login) {
    next.username = login.user;
    next.password = login.password;
  }
  return next.toString();
}

/** `url` with the pooler's host and port, when there is one. */
function throughPooler(url: string, pooler: string | undefined): string {
  if (!pooler) return url;
  const next = new URL(url);
  const via = new URL(pooler);
  next.hostname = via.hostname;
  next.port = via.port;
  return next.toString();
}

// idleTimeout 0 keeps the connection open: ensureTemplate's advisory lock lives on it, and a
// connection closed while the template migrates (slow under load) would release the lock early.
function adminClient(url: string, idleTimeoutSeconds = 2) {
  return postgres(url, {
    max: 1,
    onnotice: () => {},
    connect_timeout: 10,
    idle_timeout: idleTimeoutSeconds,
  });
}

// One admin connection per server for this process's clones and drops (it closes when idle).
const admins = new Map<string, ReturnType<typeof adminClient>>();
function sharedAdmin(url: string) {
  let admin = admins.get(url);
  if (!admin) {
    admin = adminClient(url);
    admins.set(url, admin);
  }
  return admin;
}

/**
 * FILE_COPY (Postgres 15+) copies the template's files instead of WAL-logging every block:
 * the faster clone for a small template. Older servers only have the file copy anyway.
 */
async function cloneStrategy(admin: ReturnType<typeof adminClient>): Promise<string> {
  const [row] = await admin`select current_setting('server_version_num')::int as version`;
  return (row?.version ?? 0) >= 150000 ? " strategy file_copy" : "";
}

/**
 * Makes sure a migrated template database for the current migrations exists (built under an
 * advisory lock, published by rename so nobody clones a half-built one) and returns its name.
 */
async function ensureTemplate(url: string): Promise<string> {
  const template = `${TEMPLATE_PREFIX}${migrationsFingerprint()}`;
  const admin = adminClient(url, 0);
  try {
    await admin`select pg_advisory_lock(${TEMPLATE_LOCK_KEY})`;
    const [existing] = await admin`select 1 from pg_database where datname = ${template}`;
    if (existing) {
      await ensureRuntimePassword(admin);
      return template;
    }

    // Templates of other migrations are stale: drop them when nobody is cloning them.
    const stale =
      await admin`select datname from pg_database where datname like ${`${TEMPLATE_PREFIX}%`}`;
    for (const { datname } of stale) {
      await admin`drop database if exists ${admin(datname)}`.catch(() => {});
    }

    const building = `${template}_building`;
    await admin`drop database if exists ${admin(building)}`;
    await admin`create database ${admin(building)}`;
    const handle = createDatabase({ url: withDatabase(url, building), max: 1 });
    try {
      await migrate({ db: handle.db });
    } finally {
      await handle.close();
    }
    await ensureRuntimePassword(admin);
    await admin`alter database ${admin(building)} rename to ${admin(template)}`;
    return template;
  } finally {
    await admin`select pg_advisory_unlock(${TEMPLATE_LOCK_KEY})`.catch(() => {});
    await admin.end({ timeout: 5 });
  }
}

async function ensureRuntimePassword(admin: ReturnType<typeof adminClient>) {
  const [role] =
    await admin`select rolpassword is null as unset from pg_authid where rolname = ${RUNTIME_ROLE}`;
  if (role?.unset)
    await admin.unsafe(`alter role ${RUNTIME_ROLE} password '${RUNTIME_TEST_PASSWORD}'`);
}

const templates = new Map<string, Promise<string>>();
const strategies = new Map<string, string>();

/** A fresh database cloned from the migrated template: one CREATE DATABASE, no migrations. */
export async function createServerTestDatabase(
  url: string,
  provider: TestDatabaseProvider = "server",
): Promise<TestDatabase> {
  let template = templates.get(url);
  if (!template) {
    template = ensureTemplate(url);
    templates.set(url, template);
  }
  const templateName = await template;
  const name = `${DATABASE_PREFIX}${process.pid}_${randomBytes(4).toString("hex")}`;
  const admin = sharedAdmin(url);
  strategies.set(url, strategies.get(url) ?? (await cloneStrategy(admin)));
  // Both names are ours (prefix + hex), so the statement can be plain text.
  await admin.unsafe(`create database "${name}" template "${templateName}"${strategies.get(url)}`);
  const databaseUrl = withDatabase(url, name);
  const { TEST_POOLER_URL, DB_PREPARED_STATEMENTS } = env();
  const appUrl = withDatabase(throughPooler(url, TEST_POOLER_URL), name, {
    user: RUNTIME_ROLE,
    password: RUNTIME_TEST_PASSWORD,
  });
  // Tests share a loaded machine (turbo runs packages side by side): a new connection can take
  // seconds to open there, which is not what a test measures. Tests of the bound set their own.
  const { TEST_NEON_WS_PROXY } = env();
  // With TEST_NEON_WS_PROXY, both connections go through Neon's serverless driver.
  const neon = TEST_NEON_WS_PROXY
    ? { driver: "neon-serverless" as const, wsProxy: TEST_NEON_WS_PROXY }
    : undefined;
  const owner = createDatabase(
    neon
      ? { ...neon, url: databaseUrl, max: 4 }
      : { url: databaseUrl, max: 4, acquireTimeoutMs: 60_000 },
  );
  const app = createDatabase(
    neon
      ? { ...neon, url: appUrl, max: 4 }
      : { url: appUrl, max: 4, prepare: DB_PREPARED_STATEMENTS, acquireTimeoutMs: 60_000 },
  );
  return {
    provider,
    db: owner.db,
    app: app.db,
    url: databaseUrl,
    appUrl,
    dispose: async () => {
      await Promise.all([owner.close(), app.close()]);
      await admin`drop database if exists ${admin(name)} with (force)`;
    },
  };
}
