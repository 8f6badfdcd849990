/**
 * What the Citus readiness report can say, in the order the migration path in docs/scaling.md
 * takes them. A blocker is a defect of the schema, migrations or code shared by every engine:
 * it stops `create_distributed_table(table, 'organization_id')` or makes tenant units fail on
 * a cluster. A step is not a defect: the distribution command does it on the cluster only
 * (reference tables, LOGIN for the roles units SET ROLE to), or it is advice.
 */
export const CITUS_CHECKS = {
  "key-without-tenant": {
    blocker: true,
    title: "Keys without organization_id",
    why: "a distributed table's primary key and unique constraints must include the distribution column",
  },
  "foreign-key-without-tenant": {
    blocker: true,
    title: "Foreign keys between tenant tables without organization_id",
    why: "a foreign key between distributed tables must include the distribution column on both sides",
  },
  "reference-table": {
    blocker: false,
    title: "Global tables that become reference tables",
    why: "a distributed table may only reference a reference table (copied to every node) or a colocated one",
  },
  "initplan-policy": {
    blocker: true,
    title: "Policies in the (SELECT current_setting(...)) form",
    why: 'Citus refuses the subquery form in a policy: "unexpected non-SELECT command in SubLink"',
  },
  "set-config": {
    blocker: true,
    title: "Settings set with set_config",
    why: "set_config is not propagated to the workers: a tenant setting set so leaves every worker query with 0 rows, a planner setting (hnsw.ef_search) silently does not apply there; SET LOCAL is propagated (the role is the exception: workers are reached as the current user already)",
  },
  "nologin-role": {
    // A step, not a blocker: LOGIN is given on the cluster only, where pg_hba trusts these
    // roles from the coordinator alone; elsewhere they stay NOLOGIN (catalog.test.ts).
    blocker: false,
    title: "NOLOGIN roles taken with SET ROLE",
    why: "after SET ROLE, Citus opens its worker connections as that role, which must be allowed to log in: the distribution command gives it LOGIN on the cluster only",
  },
  "function-on-tenant-tables": {
    blocker: false,
    title: "Functions that read tenant tables",
    why: "they run on the coordinator, each statement routed (to every shard when it does not filter on organization_id) unless distributed with create_distributed_function",
  },
  "foreign-key-set-null": {
    blocker: true,
    title: "Foreign keys between tenant tables with ON DELETE SET NULL or SET DEFAULT",
    why: 'Citus refuses them once organization_id is part of the key: "SET NULL or SET DEFAULT is not supported in ON DELETE operation when distribution key is included in the foreign key constraint"',
  },
  "function-sets-local": {
    blocker: true,
    title: "SQL functions that run SET LOCAL",
    why: "Citus replays a SET LOCAL on every worker connection as the text it was issued with: a client message's whole text, an SQL function's whole body (run again there, as the current role); PL/pgSQL issues each statement with its own text",
  },
  sequence: {
    blocker: true,
    title: "Sequences narrower than bigint on tenant tables",
    why: "workers can only draw from bigint sequences of a distributed table",
  },
} as const;

type CitusCheck = keyof typeof CITUS_CHECKS;

export interface CitusFinding {
  check: CitusCheck;
  /** What it is about: a table, a constraint, a policy, a role, a function or a file. */
  subject: string;
  /** One line: what is there and what the migration does about it. */
  message: string;
  /** For keys and foreign keys: the table and the constraint's columns, in order. */
  table?: string;
  columns?: string[];
}

export const isBlocker = (finding: CitusFinding) => CITUS_CHECKS[finding.check].blocker;
