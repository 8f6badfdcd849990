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
  text,
  timestamp,
  unique,
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

/** The columns every tenant table starts with: its id and tenantColumns. */
type TenantTableColumns<TColumns> = { id: ReturnType<typeof primaryId> } & typeof tenantColumns &
  TColumns;

/**
 * A tenant-scoped table, its name written once: id, tenantColumns, then `columns`; the four
 * tenantPolicies and RLS, then what `extra` returns (indexes, tenantKey, sameTenant, checks).
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
  const all = { id: primaryId(), ...tenantColumns, ...columns } as TenantTableColumns<TColumns>;
  return pgTable(name, all, (table) => [
    ...tenantPolicies(name, "organization_id"),
    ...extra(table),
  ]).enableRLS();
}

interface TenantRow {
  organizationId: AnyPgColumn;
  id: AnyPgColumn;
}

/**
 * Parent side of tenant-consistent references: a unique key on (organization_id, id) that
 * `sameTenant` foreign keys point at. Its index also serves RLS (organization_id leads).
 */
export function tenantKey(tableName: string, table: TenantRow) {
  return unique(`${tableName}_organization_id_id_key`).on(table.organizationId, table.id);
}

/**
 * Child side: (organization_id, column) -> parent (organization_id, id), so a row can only
 * reference a parent of its own organization. Foreign key checks ignore RLS: without this an
 * organization could attach rows to another's parent and probe which ids exist. It sits
 * beside the column's own foreign key, which keeps the ON DELETE behaviour (a NULL column
 * skips this check, so SET NULL still works).
 */
export function sameTenant(
  tableName: string,
  child: { organizationId: AnyPgColumn; column: AnyPgColumn },
  parent: TenantRow,
) {
  return foreignKey({
    name: `${tableName}_${child.column.name}_same_tenant_fk`,
    columns: [child.organizationId, child.column],
    foreignColumns: [parent.organizationId, parent.id],
  });
}
