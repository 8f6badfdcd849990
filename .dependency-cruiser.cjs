// Architecture rules, checked by `pnpm depcruise` (part of `pnpm ci:check`).
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "apps-no-db-admin",
      severity: "error",
      comment:
        "Apps run tenant code on the runtime role; the owner connection and migrations (@repo/db/admin) are for scripts and jobs. Use getDb()/withTenantContext from @repo/db. Exempt: an app's scripts/ (its dev entry migrates and seeds), bench/ and src/__tests__/ (they arrange data as the owner), none of which serves requests.",
      from: { path: "^apps/", pathNot: "^apps/[^/]+/(scripts|bench|src/__tests__)/" },
      to: { path: "^packages/db/src/admin\\.ts$" },
    },
    {
      name: "apps-only-db-public-api",
      severity: "error",
      comment:
        "Apps import @repo/db only through its package.json exports (., /schema, /sql, /zod, /testing in tests; /admin is decided by the rule above), never files inside packages/db/src.",
      from: { path: "^apps/" },
      to: {
        path: "^packages/db/src/",
        pathNot: "^packages/db/src/(index|admin|sql|schema/index|zod/index|testing/index)\\.ts$",
      },
    },
    {
      name: "routes-no-sql",
      severity: "error",
      comment:
        "A route parses, runs one tenant unit calling domain functions from @repo/db, and responds: no query code. Write the query as a domain function in packages/db/src/domains/<domain>/ and call it.",
      from: { path: "^apps/[^/]+/src/(routes|tools)/" },
      to: {
        path: ["^packages/db/src/(sql|schema/index)\\.ts$", "(^|/)node_modules/.*drizzle-orm/"],
      },
    },
    {
      name: "apps-no-drizzle-orm",
      severity: "error",
      comment:
        "Only @repo/db depends on drizzle-orm; it re-exports the operators tests and scripts need (import { eq } from '@repo/db/sql').",
      from: { path: "^apps/" },
      to: { path: "(^|/)node_modules/.*drizzle-orm/" },
    },
    {
      name: "schema-imports-only-schema",
      severity: "error",
      comment:
        "Schema files import only base, enums and other schema files (plus drizzle-orm): drizzle-kit loads them without the rest of the package.",
      from: { path: "^packages/db/src/schema/" },
      to: {
        pathNot: ["^packages/db/src/schema/", "(^|/)node_modules/.*drizzle-orm/"],
      },
    },
    {
      name: "no-circular",
      severity: "error",
      comment: "Import cycles make module load order matter; split the shared part out.",
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    // Not node_modules: excluded modules vanish from the graph, and the drizzle-orm rule needs them.
    exclude: { path: "(^|/)(\\.turbo|dist|\\.data)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.base.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".js", ".mjs", ".cjs", ".json"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
