import { sql } from "drizzle-orm";
import type { Database, Transaction } from "../../connection/client";
import { rows } from "../../connection/rows";
import { TENANT_COLUMN } from "../guard/findings";

/** Tables of schema public (not partitions), and whether they carry organization_id. */
const tablesQuery = sql`
  select c.relname as "table",
         exists (select 1 from pg_attribute a
                 where a.attrelid = c.oid and a.attname = ${TENANT_COLUMN} and a.attnum > 0
                   and not a.attisdropped) as tenant
  from pg_class c
  join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'public'
  where c.relkind in ('r', 'p') and not c.relispartition
  order by 1`;

/** Foreign keys between tables of schema public, with their referencing columns. */
const foreignKeysQuery = sql`
  select f.conname as name, s.relname as "table", t.relname as target,
         f.confdeltype::text as "onDelete",
         array(select a.attname::text from unnest(f.conkey) with ordinality k(attnum, n)
               join pg_attribute a on a.attrelid = f.conrelid and a.attnum = k.attnum
               order by k.n) as columns
  from pg_constraint f
  join pg_class s on s.oid = f.conrelid
  join pg_class t on t.oid = f.confrelid
  join pg_namespace n on n.oid = s.relnamespace and n.nspname = 'public'
  where f.contype = 'f'
  order by 2, 1`;

/** NOLOGIN roles that policies name: Citus opens worker connections as them after SET ROLE. */
const policyRolesQuery = sql`
  select r.rolname as name, r.rolcanlogin as login
  from pg_roles r
  where r.rolname in (select unnest(roles)::text from pg_policies where schemaname = 'public')
  order by 1`;

interface ForeignKey {
  name: string;
  table: string;
  target: string;
  columns: string[];
  /** pg_constraint.confdeltype: a no action, r restrict, c cascade, n set null, d set default. */
  onDelete: string;
}

/**
 * The one classification of schema public's tables for Citus, shared by the readiness report
 * and the distribution step (src/migrator/distribute.ts):
 * - tenant: carries organization_id; distributed by it, colocated;
 * - reference: global and referenced by a tenant table (or by such a table, transitively);
 *   copied to every node, since a distributed table may only reference a reference table;
 * - local: every other global table; stays on the coordinator (auth and pricing data that
 *   tenant queries never join on a worker; a reference table would make each write 2PC).
 * Each list is in foreign-key order: a table comes after the tables it references.
 */
export interface TableClassification {
  tenant: string[];
  reference: string[];
  local: string[];
  foreignKeys: ForeignKey[];
  /** Roles named by policies that cannot log in. */
  nologinPolicyRoles: string[];
}

/** `tables` ordered so that each comes after those it references (cycles keep name order). */
function foreignKeyOrder(tables: readonly string[], foreignKeys: readonly ForeignKey[]): string[] {
  const ordered: string[] = [];
  const visiting = new Set<string>();
  const visit = (table: string) => {
    if (ordered.includes(table) || visiting.has(table)) return;
    visiting.add(table);
    for (const fk of foreignKeys) {
      if (fk.table === table && fk.target !== table && tables.includes(fk.target)) visit(fk.target);
    }
    ordered.push(table);
  };
  for (const table of [...tables].sort()) visit(table);
  return ordered;
}

export async function classifyTables(db: Database | Transaction): Promise<TableClassification> {
  const [tables, foreignKeys, roles] = await Promise.all([
    rows<{ table: string; tenant: boolean }>(db, tablesQuery),
    rows<ForeignKey & Record<string, unknown>>(db, foreignKeysQuery),
    rows<{ name: string; login: boolean }>(db, policyRolesQuery),
  ]);
  const tenant = new Set(tables.filter((t) => t.tenant).map((t) => t.table));

  // Global tables a tenant table references, and what those reference in turn.
  const reference = new Set<string>();
  const pending = foreignKeys.filter((fk) => tenant.has(fk.table) && !tenant.has(fk.target));
  while (pending.length > 0) {
    const fk = pending.pop() as (typeof pending)[number];
    if (reference.has(fk.target)) continue;
    reference.add(fk.target);
    pending.push(
      ...foreignKeys.filter((next) => next.table === fk.target && !tenant.has(next.target)),
    );
  }
  const local = tables
    .map((t) => t.table)
    .filter((table) => !tenant.has(table) && !reference.has(table));
  return {
    tenant: foreignKeyOrder([...tenant], foreignKeys),
    reference: foreignKeyOrder([...reference], foreignKeys),
    local: foreignKeyOrder(local, foreignKeys),
    foreignKeys,
    nologinPolicyRoles: roles.filter((r) => !r.login && r.name !== "public").map((r) => r.name),
  };
}
