import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { getTableName } from "drizzle-orm";
import { getTableConfig, type PgTable } from "drizzle-orm/pg-core";
import { packageRoot } from "../../connection/paths";
import { sameTenant } from "../../schema/base";
import { DOMAINS } from "../erd";
import { isTenantTable, schemaTables } from "../guard";
import { camel, MAX_TABLE_NAME, pascal, plural, shortName, TABLE_NAME } from "./names";
import {
  addManyRelation,
  append,
  appendToSectionList,
  ensureImport,
  insertBeforeCloser,
  insertBeforeLine,
  relationKeys,
  ScaffoldError,
} from "./source";
import {
  devSeedBlock,
  isolationSeedEntry,
  type NewTable,
  relationsBlock,
  schemaBlock,
  schemaImports,
  zodBlock,
} from "./templates";

export interface NewTableOptions {
  name: string;
  domain: string;
  global: boolean;
  parent?: string;
  /** Why a global table is shared by every organization (packages/db/CLAUDE.md). */
  reason?: string;
}

/** The line in src/seeds/dev.ts above which new tables' dev rows go. */
const DEV_ROWS_ANCHOR = "// db:new-table: dev rows above this line";

/** Files relative to packages/db -> their new content, and what each edit adds. */
export interface ScaffoldPlan {
  files: Map<string, string>;
  changes: { file: string; what: string }[];
}

interface Located {
  table: PgTable;
  exportName: string;
  domain: string;
}

/** Every schema table with its export name and domain (DOMAINS in tooling/erd.ts). */
function locateTables(): Located[] {
  return Object.entries(DOMAINS).flatMap(([domain, module]) =>
    Object.entries(module).flatMap(([exportName, value]) =>
      schemaTables().includes(value as PgTable)
        ? [{ table: value as PgTable, exportName, domain }]
        : [],
    ),
  );
}

/** The parent has a key on (organization_id, id) that a same-tenant foreign key can point at. */
function hasTenantKey(table: PgTable): boolean {
  const config = getTableConfig(table);
  const isKey = (columns: { name: string }[]) =>
    columns.length === 2 &&
    columns.some((c) => c.name === "organization_id") &&
    columns.some((c) => c.name === "id");
  return (
    config.primaryKeys.some((key) => isKey(key.columns)) ||
    config.uniqueConstraints.some((key) => isKey(key.columns)) ||
    config.indexes.some(
      (index) => index.config.unique && isKey(index.config.columns as { name: string }[]),
    )
  );
}

/** What the current base.ts does, so the scaffold inherits it rather than copying it. */
function baseConventions() {
  const tenant = schemaTables().find(isTenantTable);
  const primaryKeyLeadsWithTenant = tenant
    ? getTableConfig(tenant).primaryKeys.some((key) => key.columns[0]?.name === "organization_id")
    : false;
  return { sameTenantCarriesOnDelete: sameTenant.length >= 4, primaryKeyLeadsWithTenant };
}

/** Checks the request against the schema; throws a ScaffoldError (one line, the fix) on a bad one. */
function describeTable(options: NewTableOptions, tables: Located[]): NewTable {
  const { name, domain } = options;
  if (!TABLE_NAME.test(name) || name.length > MAX_TABLE_NAME)
    throw new ScaffoldError(
      `"${name}" is not a table name: use lowercase snake_case, a letter first, at most ${MAX_TABLE_NAME} characters (e.g. research_note)`,
    );
  const domains = Object.keys(DOMAINS).filter((d) =>
    ["schema", "zod"].every((dir) => existsSync(path.join(packageRoot, `src/${dir}/${d}.ts`))),
  );
  if (!domains.includes(domain))
    throw new ScaffoldError(
      `unknown domain "${domain}": use one of ${domains.join(", ")} (a new domain needs src/schema/<d>.ts, src/zod/<d>.ts and an entry in DOMAINS, src/tooling/erd.ts)`,
    );
  const existing = tables.find(
    (t) => getTableName(t.table) === name || t.exportName === camel(name),
  );
  if (existing)
    throw new ScaffoldError(
      `table ${name} exists (src/schema/${existing.domain}.ts): choose another name, or edit it there`,
    );
  if (options.global && !options.reason?.trim())
    throw new ScaffoldError(
      `a global table needs --reason "<why every organization shares it>" (it goes into packages/db/CLAUDE.md, Non-Tenant Tables)`,
    );
  if (!options.global && options.reason)
    throw new ScaffoldError("--reason is for --global tables only: leave it out");

  const conventions = baseConventions();
  const table: NewTable = {
    name,
    exportName: camel(name),
    typeName: pascal(name),
    short: shortName(name, domain),
    global: options.global,
    ...conventions,
  };
  if (options.parent === undefined) return table;

  const parent = tables.find((t) => getTableName(t.table) === options.parent);
  if (!parent)
    throw new ScaffoldError(
      `unknown parent "${options.parent}": use the SQL name of a table in src/schema (e.g. research_plan)`,
    );
  if (options.parent === "organization")
    throw new ScaffoldError(
      "every tenant table already belongs to organization (organization_id): leave out --parent",
    );
  const parentTenant = isTenantTable(parent.table);
  if (!options.global && !parentTenant)
    throw new ScaffoldError(
      `${options.parent} is global: a tenant table's --parent must be a tenant table (add a plain reference to a global table by hand)`,
    );
  if (options.global && parentTenant)
    throw new ScaffoldError(
      `${options.parent} is tenant data: a global table cannot hang under it; drop --global to make ${name} a tenant table`,
    );
  if (parentTenant && !hasTenantKey(parent.table))
    throw new ScaffoldError(
      `${options.parent} has no (organization_id, id) key for a same-tenant foreign key: add tenantKey("${options.parent}", table) to it in src/schema/${parent.domain}.ts, then rerun`,
    );
  if (
    parent.domain !== domain &&
    readSource(`src/schema/${parent.domain}.ts`).includes(`from "./${domain}"`)
  )
    throw new ScaffoldError(
      `src/schema/${parent.domain}.ts imports ./${domain}: a ${domain} table referencing ${options.parent} would make an import cycle; put ${name} in --domain ${parent.domain}`,
    );
  const relation = camel(shortName(options.parent, parent.domain));
  return {
    ...table,
    parent: {
      name: options.parent,
      exportName: parent.exportName,
      column: `${shortName(options.parent, parent.domain)}_id`,
      key: `${relation}Id`,
      relation,
    },
  };
}

const readSource = (file: string) => readFileSync(path.join(packageRoot, file), "utf8");

/**
 * Every file edit that adds `options.name`, computed in memory: the drizzle table (tenantTable,
 * same-tenant key to the parent, indexes), relations for both sides, zod schemas, dev and
 * isolation seed rows, and for a global table its line in CLAUDE.md. Throws a ScaffoldError
 * before anything is written.
 */
export function planNewTable(options: NewTableOptions): ScaffoldPlan {
  const tables = locateTables();
  const table = describeTable(options, tables);
  const parentDomain = tables.find((t) => getTableName(t.table) === table.parent?.name)?.domain;
  const files = new Map<string, string>();
  const changes: ScaffoldPlan["changes"] = [];
  const edit = (file: string, what: string, change: (source: string) => string) => {
    files.set(file, change(files.get(file) ?? readSource(file)));
    changes.push({ file, what });
  };

  const schemaFile = `src/schema/${options.domain}.ts`;
  const imports = schemaImports(table);
  edit(
    schemaFile,
    table.parent && !table.global
      ? `table (tenantTable: tenant columns, policies, RLS), indexes, same-tenant foreign key to ${table.parent.name}`
      : table.global
        ? "global table (no organization_id, no RLS), indexes"
        : "table (tenantTable: tenant columns, policies, RLS), organization index",
    (source) => {
      let next = ensureImport(source, "drizzle-orm/pg-core", imports.pgCore);
      next = ensureImport(next, "./base", imports.base);
      if (table.parent && parentDomain !== options.domain)
        next = ensureImport(next, `./${parentDomain}`, [table.parent.exportName]);
      return append(next, schemaBlock(table));
    },
  );

  const relations = relationsBlock(table);
  if (relations) {
    const file = "src/schema/relations.ts";
    edit(file, "relations of both sides", (source) => {
      let next = ensureImport(source, `./${options.domain}`, [table.exportName]);
      if (table.parent) {
        next = ensureImport(next, `./${parentDomain}`, [table.parent.exportName]);
        const keys = relationKeys(next, table.parent.exportName);
        const key = keys.has(plural(camel(table.short)))
          ? plural(table.exportName)
          : plural(camel(table.short));
        next =
          addManyRelation(
            next,
            table.parent.exportName,
            key,
            `${key}: many(${table.exportName}),`,
          ) ?? next;
      }
      if (!table.global) {
        const key = plural(table.exportName);
        next =
          addManyRelation(next, "organization", key, `${key}: many(${table.exportName}),`) ?? next;
      }
      return append(next, relations);
    });
  }

  edit(`src/zod/${options.domain}.ts`, "insert, select and update schemas", (source) => {
    let next = ensureImport(source, "drizzle-zod", [
      "createInsertSchema",
      "createSelectSchema",
      "createUpdateSchema",
    ]);
    next = ensureImport(next, "zod", ["z"], { typeOnly: true });
    next = ensureImport(next, "../schema", [table.exportName]);
    next = ensureImport(next, "./refinements", ["insertOptionality", "nonBlank"]);
    return append(next, zodBlock(table));
  });

  if (!table.global) {
    const devFile = "src/seeds/dev.ts";
    edit(
      devFile,
      table.parent ? `dev rows (one per ${table.parent.name} row)` : "dev rows",
      (source) => {
        let next = ensureImport(source, `../schema/${options.domain}`, [table.exportName]);
        if (table.parent)
          next = ensureImport(next, `../schema/${parentDomain}`, [table.parent.exportName]);
        next = ensureImport(next, "../zod", [`insert${table.typeName}Schema`]);
        next = insertBeforeCloser(
          next,
          "const VALIDATORS = new Map",
          "\n]);",
          `  [${table.exportName}, insert${table.typeName}Schema],`,
          devFile,
        );
        return insertBeforeLine(next, DEV_ROWS_ANCHOR, devSeedBlock(table), devFile);
      },
    );

    const isolationFile = "src/testing/isolation-seed.ts";
    edit(isolationFile, "isolation-seed rows (ISOLATION_SEED)", (source) => {
      let next = ensureImport(source, `../schema/${options.domain}`, [table.exportName]);
      if (table.parent)
        next = ensureImport(next, `../schema/${parentDomain}`, [table.parent.exportName]);
      return insertBeforeCloser(
        next,
        "export const ISOLATION_SEED",
        "\n];",
        isolationSeedEntry(table),
        isolationFile,
      );
    });
  } else {
    edit("CLAUDE.md", "Non-Tenant Tables entry with its reason", (source) =>
      appendToSectionList(
        source,
        "## Non-Tenant Tables",
        `- \`${table.name}\`: ${options.reason!.trim()}`,
        "packages/db/CLAUDE.md",
      ),
    );
  }
  return { files, changes };
}
