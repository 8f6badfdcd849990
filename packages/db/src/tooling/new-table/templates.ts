// The code `pnpm db:new-table` writes, one function per file it edits. Placeholder columns
// (title, body) make the table usable at once; the developer edits them and their seed values.

/** What the templates need to know about the new table and its parent. */
export interface NewTable {
  name: string;
  exportName: string;
  typeName: string;
  /** Short name used for ids and relation keys (research_note in research -> note). */
  short: string;
  global: boolean;
  parent?: {
    name: string;
    exportName: string;
    /** The child's column: plan_id, and its key planId. */
    column: string;
    key: string;
    /** The child's relation to it: plan. */
    relation: string;
  };
  /** base.ts's sameTenant takes the ON DELETE action (the column then has no own reference). */
  sameTenantCarriesOnDelete: boolean;
  /** tenantTable's primary key leads with organization_id: no separate organization index. */
  primaryKeyLeadsWithTenant: boolean;
}

const header = (table: NewTable) =>
  `/**\n * ${table.name}: ${table.global ? "global (packages/db/CLAUDE.md, Non-Tenant Tables)" : "tenant-scoped"}${
    table.parent ? `, a child of ${table.parent.name} (deleted with it)` : ""
  }.\n * Scaffolded by \`pnpm db:new-table\`: edit its columns.\n */`;

function parentColumn(table: NewTable): string {
  const parent = table.parent;
  if (!parent) return "";
  const ownReference = table.global || !table.sameTenantCarriesOnDelete;
  return `    ${parent.key}: text("${parent.column}").notNull()${
    ownReference ? `.references(() => ${parent.exportName}.id, { onDelete: "cascade" })` : ""
  },\n`;
}

const placeholderColumns = `    title: text("title").notNull(),\n    body: text("body"),\n`;

/** The table and its row types, for the end of src/schema/<domain>.ts. */
export function schemaBlock(table: NewTable): string {
  const { name, exportName, typeName, parent } = table;
  const extra: string[] = [];
  if (!table.global && parent) {
    extra.push(
      `    sameTenant(\n      "${name}",\n      { organizationId: table.organizationId, column: table.${parent.key} },\n      ${parent.exportName},${
        table.sameTenantCarriesOnDelete ? `\n      "cascade",` : ""
      }\n    ),`,
    );
  }
  if (!table.global && !table.primaryKeyLeadsWithTenant) {
    extra.push(`    index("${name}_organizationId_idx").on(table.organizationId),`);
  }
  if (parent) extra.push(`    index("${name}_${parent.key}_idx").on(table.${parent.key}),`);
  const extraArg = extra.length > 0 ? `  (table) => [\n${extra.join("\n")}\n  ],\n` : "";
  const definition = table.global
    ? `export const ${exportName} = pgTable(\n  "${name}",\n  {\n    id: primaryId(),\n${parentColumn(table)}${placeholderColumns}    ...baseColumns,\n  },\n${extraArg});`
    : `export const ${exportName} = tenantTable(\n  "${name}",\n  {\n${parentColumn(table)}${placeholderColumns}  },\n${extraArg});`;
  return `${header(table)}\n${definition}\n\nexport type ${typeName} = typeof ${exportName}.$inferSelect;\nexport type New${typeName} = typeof ${exportName}.$inferInsert;\n`;
}

/** The names schemaBlock uses from drizzle-orm/pg-core and ./base. */
export function schemaImports(table: NewTable): { pgCore: string[]; base: string[] } {
  const indexed = Boolean(table.parent) || (!table.global && !table.primaryKeyLeadsWithTenant);
  const pgCore = ["text", ...(indexed ? ["index"] : []), ...(table.global ? ["pgTable"] : [])];
  const base = table.global
    ? ["baseColumns", "primaryId"]
    : ["tenantTable", ...(table.parent ? ["sameTenant"] : [])];
  return { pgCore, base };
}

/** The table's relations block (undefined: a global table without a parent has none). */
export function relationsBlock(table: NewTable): string | undefined {
  const { exportName, parent } = table;
  const lines: string[] = [];
  if (!table.global) {
    lines.push(
      `  organization: one(organization, {\n    fields: [${exportName}.organizationId],\n    references: [organization.id],\n  }),`,
    );
  }
  if (parent) {
    lines.push(
      `  ${parent.relation}: one(${parent.exportName}, { fields: [${exportName}.${parent.key}], references: [${parent.exportName}.id] }),`,
    );
  }
  if (lines.length === 0) return undefined;
  return `export const ${exportName}Relations = relations(${exportName}, ({ one }) => ({\n${lines.join("\n")}\n}));\n`;
}

/** insert/select/update schemas and their parsed types, for src/zod/<domain>.ts. */
export function zodBlock(table: NewTable): string {
  const { exportName: t, typeName: T } = table;
  return `const ${t}Refine = { title: nonBlank };
export const insert${T}Schema = insertOptionality(${t}, createInsertSchema(${t}, ${t}Refine));
export const select${T}Schema = createSelectSchema(${t}, ${t}Refine);
export const update${T}Schema = createUpdateSchema(${t}, ${t}Refine);
export type Insert${T} = z.infer<typeof insert${T}Schema>;
export type Update${T} = z.infer<typeof update${T}Schema>;
`;
}

/** Dev rows: one per parent row (in the parent's organization), else two per organization. */
export function devSeedBlock(table: NewTable): string {
  const { name, exportName, parent } = table;
  if (parent) {
    return `  // ${name}: a row for every ${parent.name} row, in its organization.
  for (const parent of rows.get(${parent.exportName}) ?? []) {
    add(${exportName}, {
      id: \`${name}_\${parent.id}\`,
      organizationId: parent.organizationId,
      ${parent.key}: parent.id,
      title: \`${table.short} on \${parent.id}\`,
      createdAt: parent.createdAt,
      updatedAt: parent.updatedAt,
    });
  }
`;
  }
  return `  // ${name}: two rows in every organization.
  for (const org of rows.get(organization) ?? []) {
    for (const n of [1, 2]) {
      add(${exportName}, {
        id: \`${name}_\${org.id}_\${n}\`,
        organizationId: org.id,
        title: \`${table.short} \${n}\`,
        createdAt: org.createdAt,
        updatedAt: org.updatedAt,
      });
    }
  }
`;
}

/** The isolation seed's entry: row n of an organization, referencing its parent's row 1. */
export function isolationSeedEntry(table: NewTable): string {
  const { name, exportName, parent } = table;
  return `  {
    table: ${exportName},
    row: (org, n) => ({
      id: ids(org, "${name}", n),
      organizationId: org.id,${parent ? `\n      ${parent.key}: parentId(${parent.exportName}, org),` : ""}
      title: \`${table.short} \${n}\`,
    }),
  },`;
}

/** The migration addition a global table needs (0001's default privileges gave it CRUD). */
export function globalGrantSql(name: string): string {
  return `-- Manual addition: ${name} is global (no RLS): authenticated gets nothing of it.\nREVOKE ALL ON TABLE "${name}" FROM authenticated;`;
}
