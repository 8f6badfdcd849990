import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import type { Database } from "../../connection/client";
import { rows } from "../../connection/rows";
import { TENANT_COLUMN } from "../guard/findings";
import { classifyTables } from "./classify";
import type { CitusFinding } from "./findings";

/** packages/db/src: where the set_config scan looks (tests excluded). */
const sourceRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Unique indexes (primary keys and unique constraints included), with their columns. */
const uniqueQuery = sql`
  select t.relname as "table", i.relname as name, x.indisprimary as "primary",
         array(select a.attname::text from unnest(x.indkey) with ordinality k(attnum, n)
               join pg_attribute a on a.attrelid = x.indrelid and a.attnum = k.attnum
               order by k.n) as columns
  from pg_index x
  join pg_class t on t.oid = x.indrelid
  join pg_class i on i.oid = x.indexrelid
  join pg_namespace n on n.oid = t.relnamespace and n.nspname = 'public'
  where x.indisunique
  order by 1, 2`;

const policiesQuery = sql`
  select tablename as "table", policyname as name, roles::text[] as roles,
         coalesce(qual, '') || ' ' || coalesce(with_check, '') as expressions
  from pg_policies where schemaname = 'public'
  order by 1, 2`;

/** Functions of schema public that are the project's own (not an extension's). */
const functionsQuery = sql`
  select p.proname as name, p.prosrc as source, l.lanname as language
  from pg_proc p
  join pg_namespace n on n.oid = p.pronamespace and n.nspname = 'public'
  join pg_language l on l.oid = p.prolang
  where not exists (select 1 from pg_depend d
                    where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
  order by 1`;

/** Sequences owned by a column (serial, identity), with their type. */
const sequencesQuery = sql`
  select s.relname as name, t.relname as "table", format_type(q.seqtypid, null) as type
  from pg_class s
  join pg_sequence q on q.seqrelid = s.oid
  join pg_depend d on d.classid = 'pg_class'::regclass and d.objid = s.oid
                  and d.refclassid = 'pg_class'::regclass and d.deptype in ('a', 'i')
  join pg_class t on t.oid = d.refobjid
  join pg_namespace n on n.oid = t.relnamespace and n.nspname = 'public'
  order by 1`;

/** The subquery form of a policy comparison, as Postgres prints it. */
const INITPLAN = /\(\s*SELECT\s+current_setting\(/i;
/** set_config in app code: the setting's name, and the rest of the call. */
const SET_CONFIG = /set_config\(\s*'([^']+)'([^)]*)\)/g;
/**
 * The one set_config Citus needs: a unit's role, transaction-local. Citus opens worker
 * connections as the current user, so the role must not be replayed there (src/tenancy/setup.ts).
 */
const isLocalRole = (name: string, rest: string) => name === "role" && /,\s*true\s*$/.test(rest);

const list = (columns: readonly string[]) => columns.join(", ");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "__tests__" ? [] : sourceFiles(full);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [full] : [];
  });
}

/** set_config calls in the package's own source: settings a Citus worker would not see. */
export function setConfigFindings(root = sourceRoot): CitusFinding[] {
  const findings: CitusFinding[] = [];
  for (const file of sourceFiles(root)) {
    const text = readFileSync(file, "utf8");
    const settings = new Set(
      [...text.matchAll(SET_CONFIG)]
        .filter((match) => !isLocalRole(match[1] as string, match[2] as string))
        .map((match) => match[1] as string),
    );
    if (settings.size === 0) continue;
    const subject = path.relative(root, file);
    findings.push({
      check: "set-config",
      subject,
      message: `${subject} sets ${list([...settings])} with set_config: use SET LOCAL, which Citus propagates (citus.propagate_set_commands = 'local').`,
    });
  }
  return findings;
}

/**
 * What blocks distributing every tenant table by organization_id, read from the catalog of a
 * migrated database, plus the set_config calls of the package's source.
 */
export async function citusReport(db: Database): Promise<CitusFinding[]> {
  const [classification, unique, policies, functions, sequences] = await Promise.all([
    classifyTables(db),
    rows<{ table: string; name: string; primary: boolean; columns: string[] }>(db, uniqueQuery),
    rows<{ table: string; name: string; roles: string[]; expressions: string }>(db, policiesQuery),
    rows<{ name: string; source: string; language: string }>(db, functionsQuery),
    rows<{ name: string; table: string; type: string }>(db, sequencesQuery),
  ]);
  const { foreignKeys } = classification;
  const tenant = new Set(classification.tenant);
  const findings: CitusFinding[] = [];

  for (const key of unique) {
    if (!tenant.has(key.table) || key.columns.includes(TENANT_COLUMN)) continue;
    const kind = key.primary ? "primary key" : "unique index";
    findings.push({
      check: "key-without-tenant",
      subject: key.name,
      table: key.table,
      columns: key.columns,
      message: `${key.table}: ${kind} ${key.name} (${list(key.columns)}) lacks ${TENANT_COLUMN}: make it (${list([TENANT_COLUMN, ...key.columns])}).`,
    });
  }

  for (const fk of foreignKeys) {
    if (!tenant.has(fk.table) || !tenant.has(fk.target) || fk.columns.includes(TENANT_COLUMN)) {
      continue;
    }
    findings.push({
      check: "foreign-key-without-tenant",
      subject: fk.name,
      table: fk.table,
      columns: fk.columns,
      message: `${fk.table}: foreign key ${fk.name} (${list(fk.columns)}) -> ${fk.target} lacks ${TENANT_COLUMN}: drop it (a composite (${TENANT_COLUMN}, ...) key to ${fk.target} covers it) or add ${TENANT_COLUMN}.`,
    });
  }

  for (const fk of foreignKeys) {
    if (!tenant.has(fk.table) || !tenant.has(fk.target) || !["n", "d"].includes(fk.onDelete)) {
      continue;
    }
    findings.push({
      check: "foreign-key-set-null",
      subject: fk.name,
      table: fk.table,
      columns: fk.columns,
      message: `${fk.table}: foreign key ${fk.name} -> ${fk.target} is ON DELETE SET ${fk.onDelete === "n" ? "NULL" : "DEFAULT"}: make it NO ACTION or CASCADE (clear the column in the domain function that deletes the ${fk.target} row).`,
    });
  }

  for (const table of [...classification.reference].sort()) {
    findings.push({
      check: "reference-table",
      subject: table,
      table,
      message: `${table}: global, referenced by tenant tables: create_reference_table('${table}').`,
    });
  }

  const initplan = new Map<string, string[]>();
  for (const policy of policies) {
    if (INITPLAN.test(policy.expressions)) {
      initplan.set(policy.table, [...(initplan.get(policy.table) ?? []), policy.name]);
    }
  }
  for (const [table, names] of initplan) {
    findings.push({
      check: "initplan-policy",
      subject: table,
      table,
      message: `${table}: policies ${list(names)} compare with (SELECT current_setting(...)): compare with current_setting(...) directly.`,
    });
  }

  for (const role of classification.nologinPolicyRoles) {
    findings.push({
      check: "nologin-role",
      subject: role,
      message: `role ${role} is named by policies but cannot log in: on the cluster, give it LOGIN (no password; workers trust the coordinator).`,
    });
  }

  for (const fn of functions) {
    const read = [...tenant].filter((table) => new RegExp(`\\b${table}\\b`).test(fn.source));
    if (read.length === 0) continue;
    findings.push({
      check: "function-on-tenant-tables",
      subject: fn.name,
      message: `function ${fn.name} reads ${list(read.sort())}: it runs on the coordinator; distribute it by its organization argument where it has one.`,
    });
  }

  for (const fn of functions) {
    // PL/pgSQL runs each statement with its own text; an SQL function with its whole body.
    if (fn.language !== "sql" || !/\bset\s+local\b/i.test(fn.source)) continue;
    findings.push({
      check: "function-sets-local",
      subject: fn.name,
      message: `function ${fn.name} is LANGUAGE sql and runs SET LOCAL: Citus would replay its whole body on the workers; make it plpgsql (EXECUTE format('SET LOCAL ... = %L', ...)).`,
    });
  }

  for (const sequence of sequences) {
    if (!tenant.has(sequence.table) || sequence.type === "bigint") continue;
    findings.push({
      check: "sequence",
      subject: sequence.name,
      message: `${sequence.table}: sequence ${sequence.name} is ${sequence.type}: make the column bigint.`,
    });
  }

  return [...findings, ...setConfigFindings()];
}
