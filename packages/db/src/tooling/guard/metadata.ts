import { is, type SQL } from "drizzle-orm";
import {
  getTableConfig,
  IndexedColumn,
  PgColumn,
  PgDialect,
  type PgPolicy,
  PgRole,
  type PgTable,
} from "drizzle-orm/pg-core";
import { TENANT_SETTING } from "../../schema/base";
import {
  bypassPolicyFinding,
  coverageFindings,
  foreignKeyFinding,
  type GuardFinding,
  type GuardOptions,
  policyFinding,
  TENANT_COLUMN,
  tableFinding,
} from "./findings";

type TableConfig = ReturnType<typeof getTableConfig>;

const dialect = new PgDialect();

/** What tenantPolicies renders, for any column: `"<column>" = current_setting(..., true)`. */
const COMPARISON = new RegExp(
  `"(\\w+)" = current_setting\\('${TENANT_SETTING.replaceAll(".", "\\.")}', true\\)`,
);

/** A tenant table is one with an organization_id column (tenantColumns). */
export function isTenantTable(table: PgTable): boolean {
  return getTableConfig(table).columns.some((column) => column.name === TENANT_COLUMN);
}

/** Names of the columns that lead an index, a unique constraint or a primary key. */
function leadingColumns(config: TableConfig): Set<string> {
  const leading = new Set<string>();
  for (const { config: index } of config.indexes) {
    const first = index.columns[0];
    if (is(first, IndexedColumn) && first.name) leading.add(first.name);
    if (is(first, PgColumn)) leading.add(first.name);
  }
  for (const constraint of [...config.uniqueConstraints, ...config.primaryKeys]) {
    const first = constraint.columns[0];
    if (first) leading.add(first.name);
  }
  for (const column of config.columns) {
    if (column.primary || column.isUnique) leading.add(column.name);
  }
  return leading;
}

/** Columns second in an index, unique constraint or primary key that organization_id leads. */
function followingTenantColumns(config: TableConfig): Set<string> {
  const following = new Set<string>();
  const add = (columns: readonly unknown[]) => {
    const [first, second] = columns.map((c) =>
      is(c, IndexedColumn) || is(c, PgColumn) ? c.name : undefined,
    );
    if (first === TENANT_COLUMN && second) following.add(second);
  };
  for (const { config: index } of config.indexes) add(index.columns);
  for (const constraint of [...config.uniqueConstraints, ...config.primaryKeys]) {
    add(constraint.columns);
  }
  return following;
}

function roleNames(to: PgPolicy["to"]): string[] {
  if (to === undefined) return ["public"];
  if (Array.isArray(to)) return to.flatMap(roleNames);
  return [is(to, PgRole) ? to.name : String(to)];
}

/** The column each body compares with the tenant setting (undefined: none). */
function comparedColumn(body: SQL): string | undefined {
  return COMPARISON.exec(dialect.sqlToQuery(body).sql)?.[1];
}

const grantsTenantRole = (policy: PgPolicy) =>
  roleNames(policy.to).some((r) => r === "authenticated" || r === "public");

/** Policies that grant `authenticated` rows: permissive ones for it or for public. */
function tenantPolicyShapes(config: TableConfig) {
  return config.policies
    .filter((policy) => policy.as !== "restrictive")
    .filter(grantsTenantRole)
    .map((policy) => ({
      command: policy.for ?? "all",
      comparedColumns: [policy.using, policy.withCheck]
        .filter((body): body is SQL => body !== undefined)
        .map(comparedColumn),
    }));
}

function guardTable(table: PgTable, options: GuardOptions): GuardFinding[] {
  const config = getTableConfig(table);
  const name = config.name;
  const tenant = config.columns.some((column) => column.name === TENANT_COLUMN);
  const findings: GuardFinding[] = [];
  const leading = leadingColumns(config);
  if (tenant) {
    if (!config.enableRLS) findings.push(tableFinding("rls-disabled", name, "schema"));
    if (config.policies.length === 0) {
      findings.push(tableFinding("missing-policies", name, "schema"));
    } else {
      const policies = policyFinding(name, "schema", tenantPolicyShapes(config));
      if (policies) findings.push(policies);
    }
    if (!leading.has(TENANT_COLUMN)) {
      findings.push(tableFinding("missing-organization-index", name, "schema"));
    }
  }
  // A table built with .enableRLS() can list a policy twice: one finding per name.
  const bypassing = new Map(
    config.policies
      .filter((policy) => policy.as !== "restrictive" && !grantsTenantRole(policy))
      .map((policy) => [policy.name, policy]),
  );
  for (const policy of bypassing.values()) {
    const finding = bypassPolicyFinding(name, "schema", policy.name, roleNames(policy.to), options);
    if (finding) findings.push(finding);
  }
  const following = followingTenantColumns(config);
  for (const foreignKey of config.foreignKeys) {
    // A foreign key on organization_id alone is served by the organization_id index (rule 4);
    // a same-tenant one (organization_id, x) by an index leading with x or (organization_id, x).
    const all = foreignKey.reference().columns.map((column) => column.name);
    const columns = all.filter((column) => column !== TENANT_COLUMN);
    const served = (column: string) =>
      leading.has(column) || (all.includes(TENANT_COLUMN) && following.has(column));
    if (columns.length > 0 && !columns.some(served)) {
      findings.push(foreignKeyFinding(name, "schema", foreignKey.getName(), columns));
    }
  }
  findings.push(...coverageFindings(name, tenant, options));
  return findings;
}

/**
 * The schema guard over drizzle's table metadata: every mistake of the rules (see GuardRule;
 * SECURITY DEFINER functions only in the catalog) on any of `tables`, in table order. An empty array means the tables pass.
 */
export function guardTables(tables: readonly PgTable[], options: GuardOptions): GuardFinding[] {
  return tables.flatMap((table) => guardTable(table, options));
}
