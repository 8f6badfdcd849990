/** The column that makes a table tenant-scoped (tenantColumns). */
export const TENANT_COLUMN = "organization_id";

/** The commands a tenant table needs a policy for (tenantPolicies makes one each). */
const COMMANDS = ["select", "insert", "update", "delete"] as const;

export type GuardRule =
  | "rls-disabled"
  | "missing-policies"
  | "policy-wrong-column"
  | "missing-organization-index"
  | "unindexed-foreign-key"
  | "missing-seed-rows"
  | "undocumented-global-table"
  | "unaudited-rls-bypass";

/** One mistake on one table (or function); the message names it and says the fix. */
export interface GuardFinding {
  rule: GuardRule;
  /** The table, or for a SECURITY DEFINER function its name. */
  table: string;
  message: string;
}

export interface GuardOptions {
  /** SQL names of the tables with rows in the isolation seed (ISOLATION_SEED). */
  seededTables: ReadonlySet<string>;
  /** The "Non-Tenant Tables" list of packages/db/CLAUDE.md: table name -> reason. */
  nonTenantTables: ReadonlyMap<string, string>;
  /**
   * The "RLS Bypasses" list of packages/db/CLAUDE.md: SECURITY DEFINER function or policy
   * (for a role other than authenticated) name -> reason.
   */
  rlsBypasses: ReadonlyMap<string, string>;
  /** Names of the functions with an isolation probe (ISOLATION_PROBES). */
  probedFunctions: ReadonlySet<string>;
}

/** Where a finding was seen: drizzle's table metadata, or the catalog of a migrated database. */
type GuardSource = "schema" | "catalog";

const REGENERATE = "then `pnpm db:generate` and review the migration";

const camel = (column: string) => column.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());

const where = (source: GuardSource) => (source === "schema" ? "" : " in the migrated database");

const policiesFix = (table: string, source: GuardSource, verb = "Add") =>
  `Declare the table with tenantTable("${table}", ...) (src/schema/base.ts), or ${verb.toLowerCase()} ...tenantPolicies("${table}", "${TENANT_COLUMN}") in its extra-config callback` +
  (source === "schema" ? "." : `, ${REGENERATE} (four CREATE POLICY with bodies).`);

/** Rules 1, 2 and 4: a tenant table without RLS, without policies, without its index. */
export function tableFinding(
  rule: "rls-disabled" | "missing-policies" | "missing-organization-index",
  table: string,
  source: GuardSource,
): GuardFinding {
  const message = {
    "rls-disabled": `RLS is not enabled${where(source)}. Chain .enableRLS() on the table${source === "schema" ? "" : `, ${REGENERATE} (ALTER TABLE ... ENABLE ROW LEVEL SECURITY)`}.`,
    "missing-policies": `has tenantColumns (organization_id) but no RLS policies${where(source)}. ${policiesFix(table, source)}`,
    "missing-organization-index": `has no index whose first column is organization_id${where(source)}, and RLS filters every query on it. Add index("${table}_organizationId_idx").on(table.organizationId), or lead an existing index or tenantKey with it.`,
  }[rule];
  return { rule, table, message: `${table}: ${message}` };
}

/** Rule 5: a foreign key none of whose columns (organization_id aside) leads an index. */
export function foreignKeyFinding(
  table: string,
  source: GuardSource,
  foreignKey: string,
  columns: readonly string[],
): GuardFinding {
  const first = camel(columns[0]!);
  return {
    rule: "unindexed-foreign-key",
    table,
    message: `${table}: foreign key ${foreignKey} (${columns.join(", ")}) has no index whose first column is ${columns.join(" or ")}${where(source)}; deleting a parent row and joins scan the table. Add index("${table}_${first}_idx").on(table.${first}) (or lead an existing index with it).`,
  };
}

/**
 * The policy rule (3) from what either source knows about a table's policies: the commands
 * each permissive policy for `authenticated` (or public) covers, and for each of its bodies
 * the column it compares with the tenant setting (undefined when it compares none).
 */
export function policyFinding(
  table: string,
  source: GuardSource,
  policies: readonly { command: string; comparedColumns: readonly (string | undefined)[] }[],
): GuardFinding | undefined {
  const wrong = new Set<string>();
  const covered = new Set<string>();
  for (const policy of policies) {
    const bad = policy.comparedColumns.filter((column) => column !== TENANT_COLUMN);
    for (const column of bad) wrong.add(column === undefined ? "no column" : `"${column}"`);
    if (policy.comparedColumns.length === 0) wrong.add("nothing (no USING or WITH CHECK)");
    if (bad.length > 0 || policy.comparedColumns.length === 0) continue;
    const command = policy.command.toLowerCase();
    for (const c of command === "all" ? COMMANDS : [command]) covered.add(c);
  }
  const missing = COMMANDS.filter((c) => !covered.has(c));
  if (wrong.size === 0 && missing.length === 0) return undefined;
  const problems = [
    ...(wrong.size > 0
      ? [
          `tenant policies compare ${[...wrong].join(", ")} instead of "${TENANT_COLUMN}" with app.current_organization_id`,
        ]
      : []),
    ...(missing.length > 0
      ? [`no correct policy for authenticated covers ${missing.join(", ")}`]
      : []),
  ];
  return {
    rule: "policy-wrong-column",
    table,
    message: `${table}: ${problems.join("; ")}${where(source)}. ${policiesFix(table, source, "Use")}`,
  };
}

/** Rules 6 and 7: a tenant table needs isolation seed rows, a global table a documented reason. */
export function coverageFindings(
  table: string,
  tenant: boolean,
  options: GuardOptions,
): GuardFinding[] {
  if (tenant) {
    return options.seededTables.has(table)
      ? []
      : [
          {
            rule: "missing-seed-rows",
            table,
            message: `${table}: add seed rows for ${table} in src/testing/isolation-seed.ts (ISOLATION_SEED); the isolation matrix needs rows in at least two organizations.`,
          },
        ];
  }
  const reason = options.nonTenantTables.get(table);
  if (reason?.trim()) return [];
  const problem =
    reason === undefined
      ? 'is a global table (no organization_id) missing from the "Non-Tenant Tables" list'
      : 'is listed under "Non-Tenant Tables" without a reason';
  return [
    {
      rule: "undocumented-global-table",
      table,
      message: `${table}: ${problem}. Add "- \`${table}\`: <why it is not tenant-scoped>" to the "## Non-Tenant Tables" list of packages/db/CLAUDE.md (and narrow its grants), or make it tenant-scoped with ...tenantColumns.`,
    },
  ];
}

const BYPASS_LIST = '"## RLS Bypasses" list of packages/db/CLAUDE.md';

/**
 * Rule 8, policies: a policy that gives rows of a table to a role other than `authenticated`
 * reads past the tenant policies, so it must be one of the audited bypasses.
 */
export function bypassPolicyFinding(
  table: string,
  source: GuardSource,
  policy: string,
  roles: readonly string[],
  options: GuardOptions,
): GuardFinding | undefined {
  if (options.rlsBypasses.get(policy)?.trim()) return undefined;
  return {
    rule: "unaudited-rls-bypass",
    table,
    message: `${table}: policy ${policy} gives rows to ${roles.join(", ")}, past the tenant policies${where(source)}, and is not in the ${BYPASS_LIST}. Add "- \`${policy}\`: <who relies on it and why>" there, or drop the policy.`,
  };
}

/** What the catalog says about a SECURITY DEFINER function of schema public. */
export interface DefinerFunction {
  /** Its name (the key of the RLS Bypasses list and of ISOLATION_PROBES). */
  name: string;
  /** Its signature, for the message: name(argument types). */
  signature: string;
  /** proconfig sets search_path. */
  pinnedSearchPath: boolean;
  /** PUBLIC may execute it (the default until REVOKE ... FROM PUBLIC). */
  publicExecute: boolean;
  /** `authenticated` may execute it (tenant code). */
  tenantExecute: boolean;
}

/**
 * Rule 8, functions: a SECURITY DEFINER function runs as its owner, past RLS. It must be
 * listed with its reason, pin search_path, not be executable by PUBLIC, and, when tenant code
 * may call it, have an isolation probe.
 */
export function definerFunctionFinding(
  fn: DefinerFunction,
  options: GuardOptions,
): GuardFinding | undefined {
  const problems: string[] = [];
  if (!options.rlsBypasses.get(fn.name)?.trim()) {
    problems.push(`add "- \`${fn.name}\`: <why it bypasses RLS>" to the ${BYPASS_LIST}`);
  }
  if (!fn.pinnedSearchPath) problems.push("add SET search_path = public, pg_temp to it");
  if (fn.publicExecute) {
    problems.push(
      `REVOKE ALL ON FUNCTION ${fn.signature} FROM PUBLIC and GRANT EXECUTE to the one role that needs it`,
    );
  }
  if (fn.tenantExecute && !options.probedFunctions.has(fn.name)) {
    problems.push(
      "authenticated may execute it: add an isolation probe for it in src/testing/isolation-seed.ts (ISOLATION_PROBES)",
    );
  }
  if (problems.length === 0) return undefined;
  return {
    rule: "unaudited-rls-bypass",
    table: fn.name,
    message: `${fn.name}: SECURITY DEFINER function ${fn.signature} runs as its owner, past RLS, in the migrated database. Fix: ${problems.join("; ")}.`,
  };
}
