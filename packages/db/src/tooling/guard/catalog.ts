import { sql } from "drizzle-orm";
import type { Database } from "../../connection/client";
import { rows } from "../../connection/rows";
import { TENANT_SETTING } from "../../schema/base";
import {
  bypassPolicyFinding,
  coverageFindings,
  type DefinerFunction,
  definerFunctionFinding,
  foreignKeyFinding,
  type GuardFinding,
  type GuardOptions,
  policyFinding,
  TENANT_COLUMN,
  tableFinding,
} from "./findings";

/**
 * How Postgres prints a tenant comparison (pg_get_expr), for any column:
 * `(organization_id = current_setting('app.current_organization_id'::text, true))`. The
 * sub-select form `= ( SELECT current_setting(...) ...` is not one: Citus refuses it.
 */
const COMPARISON = new RegExp(
  `(?<![\\w.])"?(\\w+)"?\\s*=\\s*current_setting\\('${TENANT_SETTING.replaceAll(".", "\\.")}'(?:::text)?,\\s*true\\)`,
  "i",
);

interface CatalogTable extends Record<string, unknown> {
  table: string;
  tenant: boolean;
  rls: boolean;
  policies: number;
  organization_index: boolean;
}

interface CatalogPolicy extends Record<string, unknown> {
  table: string;
  command: string;
  qual: string | null;
  with_check: string | null;
}

interface CatalogForeignKey extends Record<string, unknown> {
  table: string;
  name: string;
  /** Its columns other than organization_id (null: organization_id alone). */
  columns: string | null;
  indexed: boolean;
}

/** Ordinary and partitioned tables of schema public (not partitions), with what rules 1-4 need. */
const tablesQuery = sql`
  select c.relname as "table", c.relrowsecurity as rls,
         exists (select 1 from pg_attribute a
                 where a.attrelid = c.oid and a.attname = ${TENANT_COLUMN} and a.attnum > 0
                   and not a.attisdropped) as tenant,
         (select count(*)::int from pg_policy p where p.polrelid = c.oid) as policies,
         exists (select 1 from pg_index i
                 join pg_attribute a on a.attrelid = i.indrelid and a.attnum = i.indkey[0]
                 where i.indrelid = c.oid and a.attname = ${TENANT_COLUMN}) as organization_index
  from pg_class c
  join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'public'
  where c.relkind in ('r', 'p') and not c.relispartition
  order by c.relname`;

/** Permissive policies that grant `authenticated` rows (its own or public's). */
const policiesQuery = sql`
  select tablename as "table", cmd as command, qual, with_check
  from pg_policies
  where schemaname = 'public' and permissive = 'PERMISSIVE'
    and ('authenticated' = any(roles) or 'public' = any(roles))`;

interface CatalogBypassPolicy extends Record<string, unknown> {
  table: string;
  name: string;
  roles: string[];
}

/** Permissive policies for roles other than `authenticated` (and public). */
const bypassPoliciesQuery = sql`
  select tablename as "table", policyname as name, roles
  from pg_policies
  where schemaname = 'public' and permissive = 'PERMISSIVE'
    and not ('authenticated' = any(roles) or 'public' = any(roles))
  order by tablename, policyname`;

/** SECURITY DEFINER functions of schema public (not an extension's). */
const definerFunctionsQuery = sql`
  select p.proname as name,
         format('%s(%s)', p.proname, pg_get_function_identity_arguments(p.oid)) as signature,
         exists (select 1 from unnest(p.proconfig) c where c like 'search_path=%') as "pinnedSearchPath",
         (p.proacl is null
           or exists (select 1 from aclexplode(p.proacl) a
                      where a.grantee = 0 and a.privilege_type = 'EXECUTE')) as "publicExecute",
         has_function_privilege('authenticated', p.oid, 'EXECUTE') as "tenantExecute"
  from pg_proc p
  join pg_namespace n on n.oid = p.pronamespace and n.nspname = 'public'
  where p.prosecdef
    and not exists (select 1 from pg_depend d
                    where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
  order by p.proname, signature`;

/**
 * Foreign keys, and whether one of their columns (organization_id aside) leads an index, or,
 * for a same-tenant key, follows organization_id at the head of one.
 */
const foreignKeysQuery = sql`
  select c.relname as "table", con.conname as name,
         (select string_agg(a.attname, ', ' order by k.ord)
          from unnest(con.conkey) with ordinality as k(attnum, ord)
          join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum
          where a.attname <> ${TENANT_COLUMN}) as columns,
         exists (select 1 from pg_index i
                 join pg_attribute a on a.attrelid = i.indrelid and a.attnum = i.indkey[0]
                 where i.indrelid = con.conrelid and a.attnum = any(con.conkey)
                   and a.attname <> ${TENANT_COLUMN})
         or exists (select 1 from pg_index i
                    join pg_attribute t on t.attrelid = i.indrelid and t.attnum = i.indkey[0]
                    join pg_attribute a on a.attrelid = i.indrelid and a.attnum = i.indkey[1]
                    where i.indrelid = con.conrelid and t.attname = ${TENANT_COLUMN}
                      and t.attnum = any(con.conkey) and a.attnum = any(con.conkey)) as indexed
  from pg_constraint con
  join pg_class c on c.oid = con.conrelid
  join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'public'
  where con.contype = 'f'
  order by c.relname, con.conname`;

/** The column a policy body compares with the tenant setting (undefined: none). */
function comparedColumn(body: string): string | undefined {
  return COMPARISON.exec(body)?.[1];
}

/**
 * The schema guard over the catalog of a migrated database (schema public): rules 1-5 from
 * pg_class, pg_policies, pg_index and pg_constraint, which is what the migrations really
 * did; rules 6-7 from `options` against the catalog's table names; rule 8 from pg_policies
 * and pg_proc against the RLS Bypasses list and the isolation probes. Run it as the owner.
 */
export async function guardCatalog(db: Database, options: GuardOptions): Promise<GuardFinding[]> {
  const tables = await rows<CatalogTable>(db, tablesQuery);
  const policies = await rows<CatalogPolicy>(db, policiesQuery);
  const foreignKeys = await rows<CatalogForeignKey>(db, foreignKeysQuery);
  const bypassPolicies = await rows<CatalogBypassPolicy>(db, bypassPoliciesQuery);
  const definers = await rows<DefinerFunction & Record<string, unknown>>(db, definerFunctionsQuery);
  const tableFindings = tables.flatMap((table) => {
    const name = table.table;
    const findings: GuardFinding[] = [];
    if (table.tenant) {
      if (!table.rls) findings.push(tableFinding("rls-disabled", name, "catalog"));
      if (table.policies === 0) {
        findings.push(tableFinding("missing-policies", name, "catalog"));
      } else {
        const shapes = policies
          .filter((policy) => policy.table === name)
          .map((policy) => ({
            command: policy.command,
            comparedColumns: [policy.qual, policy.with_check]
              .filter((body): body is string => body !== null)
              .map(comparedColumn),
          }));
        const finding = policyFinding(name, "catalog", shapes);
        if (finding) findings.push(finding);
      }
      if (!table.organization_index) {
        findings.push(tableFinding("missing-organization-index", name, "catalog"));
      }
    }
    for (const foreignKey of foreignKeys) {
      if (foreignKey.table !== name || foreignKey.columns === null || foreignKey.indexed) continue;
      findings.push(
        foreignKeyFinding(name, "catalog", foreignKey.name, foreignKey.columns.split(", ")),
      );
    }
    findings.push(...coverageFindings(name, table.tenant, options));
    for (const policy of bypassPolicies.filter((p) => p.table === name)) {
      const finding = bypassPolicyFinding(name, "catalog", policy.name, policy.roles, options);
      if (finding) findings.push(finding);
    }
    return findings;
  });
  const functionFindings = definers
    .map((fn) => definerFunctionFinding(fn, options))
    .filter((finding): finding is GuardFinding => finding !== undefined);
  return [...tableFindings, ...functionFindings];
}
