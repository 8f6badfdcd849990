import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import postgres from "postgres";
import { createDatabase } from "../connection/client";
import { migrate } from "../migrator";
import { RUNTIME_ROLE } from "../tenancy/roles";
import { migrationsFingerprint } from "./fingerprint";
import type { TestDatabase } from "./types";

// Test databases on a Citus cluster (TEST_CITUS_URL: the coordinator, .ci/citus.sh). Citus keeps
// its metadata per database and a distributed database exists on every node under one name, so
// the migrated, distributed template is built once (CREATE DATABASE propagated to the workers,
// citus + nodes registered in it, `migrate()` distributing it) and each test file clones it
// on every node separately: the copies carry the same shard names and metadata, so together
// they form one more distributed database. Measured here: about 1 s per test file, against
// 15 s to build and distribute from scratch.

const TEMPLATE_PREFIX = "repo_test_citus_tpl_";
const DATABASE_PREFIX = "repo_test_citus_";
/** Same password convention as the server provider (src/testing/server.ts). */
const RUNTIME_TEST_PASSWORD = RUNTIME_ROLE;
// An arbitrary constant: serializes template builds on one cluster (int8 advisory lock key).
const TEMPLATE_LOCK_KEY = 7_263_840_113;

type Client = ReturnType<typeof postgres>;
// idleSeconds 0 for the connection holding the template lock: closed while idle, it would
// release the lock in the middle of a build (as in src/testing/server.ts).
const client = (url: string, idleSeconds = 2) =>
  postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 10, idle_timeout: idleSeconds });

function withNode(url: string, node: { host: string; port: number } | null, database: string) {
  const next = new URL(url);
  if (node) {
    next.hostname = node.host;
    next.port = String(node.port);
  }
  next.pathname = `/${database}`;
  return next.toString();
}

/** The coordinator first, then its workers, as registered in its postgres database. */
async function clusterNodes(url: string): Promise<string[]> {
  const admin = client(withNode(url, null, "postgres"));
  try {
    const workers = await admin<{ host: string; port: number }[]>`
      select nodename as host, nodeport as port from pg_dist_node
      where noderole = 'primary' and groupid <> 0 order by nodeid`;
    if (workers.length === 0) {
      throw new Error(
        `TEST_CITUS_URL ${new URL(url).host} has no worker registered in its postgres database: start the cluster with .ci/citus.sh.`,
      );
    }
    return [url, ...workers.map((worker) => withNode(url, worker, "postgres"))];
  } finally {
    await admin.end({ timeout: 5 });
  }
}

/** Runs `statement` in the postgres database of every node, one after the other. */
async function onEveryNode(nodes: readonly string[], statements: readonly string[]) {
  for (const node of nodes) {
    const admin = client(withNode(node, null, "postgres"));
    try {
      // Each node creates or drops its own copy: never propagated by the coordinator.
      await admin.unsafe("set citus.enable_create_database_propagation = off");
      await admin.unsafe("set client_min_messages = warning");
      for (const statement of statements) await admin.unsafe(statement);
    } finally {
      await admin.end({ timeout: 5 });
    }
  }
}

/** Closes `database` to new connections on every node and ends the open ones (Citus's daemon). */
async function freeze(nodes: readonly string[], database: string) {
  await onEveryNode(nodes, [
    // ALTER DATABASE is refused on a worker; the catalog row is the same switch.
    `update pg_database set datallowconn = false where datname = '${database}'`,
    `select pg_terminate_backend(pid) from pg_stat_activity where datname = '${database}' and pid <> pg_backend_pid()`,
  ]);
}

async function buildTemplate(url: string, nodes: readonly string[], name: string) {
  const building = `${name}_building`;
  const coordinator = new URL(url);
  await onEveryNode(nodes, [`drop database if exists "${building}" with (force)`]);
  await onEveryNode(nodes, [`create database "${building}"`]);
  for (const node of nodes) {
    const admin = client(withNode(node, null, building));
    try {
      await admin.unsafe("set client_min_messages = warning");
      await admin.unsafe("create extension if not exists citus");
    } finally {
      await admin.end({ timeout: 5 });
    }
  }
  const admin = client(withNode(url, null, building));
  try {
    await admin`select citus_set_coordinator_host(${coordinator.hostname}, ${Number(coordinator.port || 5432)})`;
    for (const node of nodes.slice(1)) {
      const worker = new URL(node);
      await admin`select citus_add_node(${worker.hostname}, ${Number(worker.port || 5432)})`;
    }
  } finally {
    await admin.end({ timeout: 5 });
  }
  const handle = createDatabase({ url: withNode(url, null, building), max: 1 });
  try {
    await migrate({ db: handle.db });
  } finally {
    await handle.close();
  }
  await freeze(nodes, building);
  await onEveryNode(nodes, [`alter database "${building}" rename to "${name}"`]);
}

/** The migrations and the distribution step's code: a change to either builds a new template. */
function templateFingerprint(): string {
  const hash = createHash("sha256").update(migrationsFingerprint());
  for (const file of ["../migrator/distribute.ts", "../tooling/citus/classify.ts"]) {
    hash.update(readFileSync(new URL(file, import.meta.url)));
  }
  return hash.digest("hex").slice(0, 12);
}

async function ensureTemplate(url: string, nodes: readonly string[]): Promise<string> {
  const name = `${TEMPLATE_PREFIX}${templateFingerprint()}`;
  const admin = client(withNode(url, null, "postgres"), 0);
  try {
    await admin`select pg_advisory_lock(${TEMPLATE_LOCK_KEY})`;
    const present = await countOnNodes(nodes, name);
    if (present < nodes.length) {
      const stale = await admin<{ datname: string }[]>`
        select datname from pg_database where datname like ${`${TEMPLATE_PREFIX}%`}`;
      for (const { datname } of stale) {
        await onEveryNode(nodes, [`drop database if exists "${datname}" with (force)`]);
      }
      await onEveryNode(nodes, [`drop database if exists "${name}" with (force)`]);
      await buildTemplate(url, nodes, name);
    }
    const [role] =
      await admin`select rolpassword is null as unset from pg_authid where rolname = ${RUNTIME_ROLE}`;
    if (role?.unset) {
      // Roles are per node: the coordinator's app_runtime is the one tests log in as.
      await admin.unsafe(`alter role ${RUNTIME_ROLE} password '${RUNTIME_TEST_PASSWORD}'`);
    }
    return name;
  } finally {
    await admin`select pg_advisory_unlock(${TEMPLATE_LOCK_KEY})`.catch(() => {});
    await admin.end({ timeout: 5 });
  }
}

async function countOnNodes(nodes: readonly string[], database: string): Promise<number> {
  let count = 0;
  for (const node of nodes) {
    const admin: Client = client(withNode(node, null, "postgres"));
    try {
      const [row] = await admin`select 1 from pg_database where datname = ${database}`;
      if (row) count += 1;
    } finally {
      await admin.end({ timeout: 5 });
    }
  }
  return count;
}

const clusters = new Map<string, Promise<{ nodes: string[]; template: string }>>();

/** One test file's database on the Citus cluster behind `url` (its coordinator). */
export async function createCitusTestDatabase(url: string): Promise<TestDatabase> {
  let cluster = clusters.get(url);
  if (!cluster) {
    cluster = clusterNodes(url).then(async (nodes) => ({
      nodes,
      template: await ensureTemplate(url, nodes),
    }));
    clusters.set(url, cluster);
  }
  const { nodes, template } = await cluster;
  const name = `${DATABASE_PREFIX}${process.pid}_${randomBytes(4).toString("hex")}`;
  await onEveryNode(nodes, [`create database "${name}" template "${template}" strategy file_copy`]);
  const databaseUrl = withNode(url, null, name);
  const appUrl = (() => {
    const next = new URL(databaseUrl);
    next.username = RUNTIME_ROLE;
    next.password = RUNTIME_TEST_PASSWORD;
    return next.toString();
  })();
  // Per-database settings (ALTER DATABASE ... SET) are not part of a copy: the distribution
  // step, a no-op for the tables, sets citus.propagate_set_commands on the clone again,
  // before any connection that must see it opens.
  const setup = createDatabase({ url: databaseUrl, max: 1 });
  try {
    await migrate({ db: setup.db });
  } finally {
    await setup.close();
  }
  const owner = createDatabase({ url: databaseUrl, max: 4, acquireTimeoutMs: 60_000 });
  const app = createDatabase({ url: appUrl, max: 4, acquireTimeoutMs: 60_000 });
  return {
    provider: "citus",
    db: owner.db,
    app: app.db,
    url: databaseUrl,
    appUrl,
    dispose: async () => {
      await Promise.all([owner.close(), app.close()]);
      await onEveryNode(nodes, [`drop database if exists "${name}" with (force)`]);
    },
  };
}

/**
 * `message` with Citus's shard names (document_chunk_102008, a constraint's name_102008) put
 * back to the names the schema declares: a worker reports the shard it ran on.
 */
export function withoutShardIds(message: string): string {
  return message.replace(/"([A-Za-z_][A-Za-z0-9_]*?)_\d{6,}"/g, '"$1"');
}

/** Citus's refusal of an UPDATE that changes a row's distribution column. */
export const CITUS_DISTRIBUTION_COLUMN_UPDATE =
  "modifying the partition value of rows is not allowed";
