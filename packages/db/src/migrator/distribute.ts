import { sql } from "drizzle-orm";
import type { Transaction } from "../connection/client";
import { rows } from "../connection/rows";
import { classifyTables } from "../tooling/citus/classify";
import { TENANT_COLUMN } from "../tooling/guard/findings";

/**
 * What the distribution step did on a Citus coordinator (src/migrator/migrate.ts runs it
 * after the pending migrations, in the same transaction, under the same lock). On a database
 * without the citus extension (PGlite, plain Postgres) `citus` is false and nothing ran.
 */
export interface DistributionResult {
  readonly citus: boolean;
  /** Global tables referenced by tenant tables, made reference tables by this run. */
  readonly referenceTables: readonly string[];
  /** Tenant tables distributed by organization_id by this run, colocated, in FK order. */
  readonly distributedTables: readonly string[];
  /** Global tables left on the coordinator (all of them, not only this run's). */
  readonly localTables: readonly string[];
  /** NOLOGIN roles given LOGIN by this run (no password: see docs/scaling.md, "Roles"). */
  readonly loginRoles: readonly string[];
  /** Whether this run set citus.propagate_set_commands = 'local' on the database. */
  readonly propagateSetCommands: boolean;
}

const NOT_CITUS: DistributionResult = {
  citus: false,
  referenceTables: [],
  distributedTables: [],
  localTables: [],
  loginRoles: [],
  propagateSetCommands: false,
};

/** The setting that makes Citus send a unit's SET LOCAL (tenant, user) to the workers. */
export const PROPAGATE_SET_COMMANDS = "citus.propagate_set_commands";

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** How Citus holds each table of schema public today. */
const placementQuery = sql`
  select c.relname as "table",
         case when p.partmethod = 'h' then 'distributed'
              when p.repmodel = 't' then 'reference'
              else 'citus-local' end as kind
  from pg_dist_partition p
  join pg_class c on c.oid = p.logicalrelid
  join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'public'`;

/**
 * Distributes what is not distributed yet: reference tables first (FK order), then every
 * tenant table by organization_id, colocated with the tenant tables already distributed;
 * gives LOGIN to the NOLOGIN roles policies name (Citus opens worker connections as the
 * current role after SET ROLE); sets citus.propagate_set_commands = 'local' on the database.
 * Idempotent: a second run finds nothing to do. A no-op without the citus extension.
 */
export async function distributeIn(
  tx: Transaction,
  log: (line: string) => void = () => {},
): Promise<DistributionResult> {
  const [extension] = await rows<{ citus: boolean; coordinator: boolean }>(
    tx,
    sql`select exists (select 1 from pg_extension where extname = 'citus') as citus`,
  );
  if (!extension?.citus) return NOT_CITUS;

  const [role] = await rows<{ coordinator: boolean }>(
    tx,
    sql`select citus_is_coordinator() as coordinator`,
  );
  if (!role?.coordinator) {
    throw new Error(
      "This Citus node is not the coordinator (citus_is_coordinator() is false): run `pnpm db:migrate` against the coordinator's URL.",
    );
  }

  const classification = await classifyTables(tx);
  const placed = new Map(
    (await rows<{ table: string; kind: string }>(tx, placementQuery)).map((p) => [p.table, p.kind]),
  );
  // One connection per worker for the whole step: parallel shard DDL after this
  // transaction's earlier statements is refused otherwise.
  await tx.execute(sql`set local citus.multi_shard_modify_mode = 'sequential'`);

  const referenceTables: string[] = [];
  for (const table of classification.reference) {
    if (placed.get(table) === "reference") continue;
    log(`Citus: create_reference_table('${table}')`);
    await tx.execute(
      sql`select create_reference_table(format('public.%I', ${table}::text)::regclass)`,
    );
    referenceTables.push(table);
  }

  // Citus distributes a table only when no local table references it and it references no
  // local one, whatever the order: the foreign keys between tenant tables not distributed yet
  // are dropped here and added back once both sides are distributed (same transaction).
  const pendingTenant = new Set(
    classification.tenant.filter((table) => placed.get(table) !== "distributed"),
  );
  const tenantSet = new Set(classification.tenant);
  const heldBack = (
    await rows<{ table: string; target: string; name: string; definition: string }>(
      tx,
      sql`select c.relname as "table", t.relname as target, f.conname as name,
                 pg_get_constraintdef(f.oid) as definition
          from pg_constraint f
          join pg_class c on c.oid = f.conrelid
          join pg_class t on t.oid = f.confrelid
          join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'public'
          where f.contype = 'f'
          order by 1, 3`,
    )
  ).filter(
    (fk) =>
      tenantSet.has(fk.table) &&
      tenantSet.has(fk.target) &&
      (pendingTenant.has(fk.table) || pendingTenant.has(fk.target)),
  );
  for (const fk of heldBack) {
    await tx.execute(
      sql.raw(`alter table public.${quoteIdent(fk.table)} drop constraint ${quoteIdent(fk.name)}`),
    );
  }

  const distributedTables: string[] = [];
  let anchor = classification.tenant.find((table) => placed.get(table) === "distributed");
  for (const table of classification.tenant) {
    if (placed.get(table) === "distributed") continue;
    const colocateWith = anchor ? `public.${quoteIdent(anchor)}` : "none";
    log(
      `Citus: create_distributed_table('${table}', '${TENANT_COLUMN}', colocate_with => '${colocateWith}')`,
    );
    await tx.execute(
      sql`select create_distributed_table(format('public.%I', ${table}::text)::regclass, ${TENANT_COLUMN}, colocate_with => ${colocateWith})`,
    );
    distributedTables.push(table);
    anchor ??= table;
  }

  for (const fk of heldBack) {
    await tx.execute(
      sql.raw(
        `alter table public.${quoteIdent(fk.table)} add constraint ${quoteIdent(fk.name)} ${fk.definition}`,
      ),
    );
  }

  const loginRoles: string[] = [];
  for (const name of classification.nologinPolicyRoles) {
    log(`Citus: alter role ${name} login (no password; workers accept it from cluster nodes only)`);
    await tx.execute(sql.raw(`alter role ${quoteIdent(name)} login`));
    loginRoles.push(name);
  }

  const [setting] = await rows<{ present: boolean; database: string }>(
    tx,
    sql`select current_database() as database,
               exists (select 1 from pg_db_role_setting s
                       join pg_database d on d.oid = s.setdatabase
                       where d.datname = current_database() and s.setrole = 0
                         and ${`${PROPAGATE_SET_COMMANDS}=local`} = any (s.setconfig)) as present`,
  );
  const propagateSetCommands = !setting?.present;
  if (propagateSetCommands) {
    const database = quoteIdent(setting?.database ?? "");
    log(`Citus: alter database ${database} set ${PROPAGATE_SET_COMMANDS} = 'local'`);
    await tx.execute(sql.raw(`alter database ${database} set ${PROPAGATE_SET_COMMANDS} = 'local'`));
  }

  return {
    citus: true,
    referenceTables,
    distributedTables,
    localTables: classification.local,
    loginRoles,
    propagateSetCommands,
  };
}
