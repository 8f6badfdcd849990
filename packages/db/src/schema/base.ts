import { type BuildExtraConfigColumns, sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  foreignKey,
  jsonb,
  type PgColumnBuilderBase,
  type PgTableExtraConfigValue,
  pgPolicy,
  pgRole,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from "drizzle-orm/pg-core";

/**
 * The role every tenant query runs as (inside withTenantContext). Created by migration
 * 0000 (NOLOGIN, NOBYPASSRLS), so drizzle-kit must not try to create it: `.existing()`.
 */
export const authenticatedRole = pgRole("authenticated").existing();

/** The setting tenant policies compare against; set per transaction, never per session. */
export const TENANT_SETTING = "app.current_organization_id";

/** The acting user of a tenant unit (auditing, user-level policies); blank when none. */
export const USER_SETTING = "app.current_user_id";

const timestamps = {
  createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" })
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date()),
};

/**
 * A text primary key (Better Auth ids are not uuids, so every id column is text). Rows we
 * create get a random uuid; rows from Better Auth bring their own id.
 */
export const primaryId = () =>
  text("id")
    .primaryKey()
    .$defaultFn(() => crypto.randomUUID());

/** Columns of a global (non-tenant) table. */
export const baseColumns = { ...timestamps };

/**
 * The tenant. It lives here, beside tenantColumns whose foreign key points at it, so that
 * schema files never import each other in a cycle; its relations are in auth.ts.
 * Global: an organization row is the tenant itself (see packages/db/CLAUDE.md).
 */
export const organization = pgTable("organization", {
  id: primaryId(),
  name: text("name").notNull(),
  slug: text("slug").notNull().unique(),
  logo: text("logo"),
  metadata: jsonb("metadata").$type<Record<string, unknown>>(),
  ...baseColumns,
});

/**
 * Columns of a tenant-scoped table. Deleting an organization deletes its data: a tenant row
 * never outlives its tenant.
 */
export const tenantColumns = {
  organizationId: text("organization_id")
    .notNull()
    .references(() => organization.id, { onDelete: "cascade" }),
  ...timestamps,
};

/**
 * The four CRUD policies of a tenant table, for the `authenticated` role. The column is
 * required (no default) because a wrong default is a silent breach. current_setting is
 * compared directly, not through a sub-select (an InitPlan): Citus refuses a sub-select in a
 * policy, and current_setting is STABLE, so it is still an index condition. An unset or blank
 * setting matches no row (NULL or '' equals no organization id), so a missing context fails
 * closed.
 */
export function tenantPolicies(tableName: string, column: string) {
  const matchesTenant = sql`${sql.identifier(column)} = current_setting(${sql.raw(`'${TENANT_SETTING}'`)}, true)`;
  return [
    pgPolicy(`${tableName}_tenant_select`, {
      as: "permissive",
      for: "select",
      to: authenticatedRole,
      using: matchesTenant,
    }),
    pgPolicy(`${tableName}_tenant_insert`, {
      as: "permissive",
      for: "insert",
      to: authenticatedRole,
      withCheck: matchesTenant,
    }),
    pgPolicy(`${tableName}_tenant_update`, {
      as: "permissive",
      for: "update",
      to: authenticatedRole,
      using: matchesTenant,
      withCheck: matchesTenant,
    }),
    pgPolicy(`${tableName}_tenant_delete`, {
      as: "permissive",
      for: "delete",
      to: authenticatedRole,
      using: matchesTenant,
    }),
  ];
}

/**
 * A tenant table's id: like primaryId, but the primary key is (organization_id, id), declared
 * by tenantTable, because a Citus distributed table's keys must include organization_id.
 */
const tenantId = () =>
  text("id")
    .notNull()
    .$defaultFn(() => crypto.randomUUID());

/** The columns every tenant table starts with: its id and tenantColumns. */
type TenantTableColumns<TColumns> = { id: ReturnType<typeof tenantId> } & typeof tenantColumns &
  TColumns;

/**
 * A tenant-scoped table, its name written once: id, tenantColumns, then `columns`; the
 * primary key (organization_id, id), which sameTenant foreign keys point at and whose index
 * serves RLS; the four tenantPolicies and RLS, then what `extra` returns (indexes, sameTenant,
 * checks). Unique indexes in `extra` lead with organization_id too (Citus).
 */
export function tenantTable<
  TName extends string,
  TColumns extends Record<string, PgColumnBuilderBase>,
>(
  name: TName,
  columns: TColumns,
  extra: (
    table: BuildExtraConfigColumns<TName, TenantTableColumns<TColumns>, "pg">,
  ) => PgTableExtraConfigValue[] = () => [],
) {
  const all = { id: tenantId(), ...tenantColumns, ...columns } as TenantTableColumns<TColumns>;
  return pgTable(name, all, (table) => [
    primaryKey({ name: `${name}_pkey`, columns: [table.organizationId, table.id] }),
    ...tenantPolicies(name, "organization_id"),
    ...extra(table),
  ]).enableRLS();
}

interface TenantRow {
  organizationId: AnyPgColumn;
  id: AnyPgColumn;
}

/**
 * What deleting the parent does to the child row. "set null" clears the child's column only
 * (`ON DELETE SET NULL (column)`, Postgres 15+), never its organization_id.
 */
type SameTenantOnDelete = "cascade" | "set null";

/**
 * A reference from one tenant table to another: (organization_id, column) -> parent's primary
 * key (organization_id, id), so a row can only reference a parent of its own organization.
 * Foreign key checks ignore RLS: a reference by id alone would let an organization attach rows
 * to another's parent and probe which ids exist; Citus also requires organization_id on both
 * sides. It is the column's only foreign key, and carries the ON DELETE behaviour.
 */
export function sameTenant(
  tableName: string,
  child: { organizationId: AnyPgColumn; column: AnyPgColumn },
  parent: TenantRow,
  onDelete: SameTenantOnDelete,
) {
  const key = foreignKey({
    name: `${tableName}_${child.column.name}_same_tenant_fk`,
    columns: [child.organizationId, child.column],
    foreignColumns: [parent.organizationId, parent.id],
  });
  // drizzle writes onDelete verbatim after ON DELETE; its type has no column list.
  return key.onDelete(
    (onDelete === "set null" ? `set null ("${child.column.name}")` : onDelete) as
      | "set null"
      | "cascade",
  );
}
