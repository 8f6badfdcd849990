// `pnpm db:new-table <name> --domain <d> [--parent <table>] [--global --reason <text>]`:
// scaffolds a table in every file that must know it, formats them, rewrites docs/erd.md and
// prints the remaining steps. Refusals are one line with the fix; nothing is written then.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { packageRoot, repoRoot } from "../connection/paths";
import { planNewTable } from "../tooling/new-table/scaffold";
import { ScaffoldError } from "../tooling/new-table/source";
import { globalGrantSql } from "../tooling/new-table/templates";
import { parseCli, reportFailure } from "./cli";

const USAGE = `usage: pnpm db:new-table <name> --domain <domain> [--parent <table>] [--global --reason <text>]
  Scaffolds a table: src/schema/<domain>.ts (tenantTable: tenant columns, policies, RLS;
  indexes; a same-tenant foreign key to --parent), relations.ts, src/zod/<domain>.ts, dev and
  isolation seed rows, docs/erd.md; then prints the remaining steps.
  --domain  the schema file it goes in (research, search, ai, auth, mcp)
  --parent  the SQL name of the table it belongs to (rows are deleted with their parent)
  --global  a table without organization_id or RLS (shared by every organization)
  --reason  why it is global (required with --global; listed in packages/db/CLAUDE.md)`;

const { values, positionals } = parseCli(
  USAGE,
  {
    domain: { type: "string" },
    parent: { type: "string" },
    global: { type: "boolean", default: false },
    reason: { type: "string" },
  },
  { allowPositionals: true },
);

/** Refuses bad arguments: one line naming the fix, exit 2 like a bad flag. */
function refuse(message: string): never {
  console.error(`db:new-table: ${message}`);
  process.exit(2);
}

const run = (command: string, args: string[], cwd: string) =>
  spawnSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

if (positionals.length !== 1)
  refuse("give exactly one table name, e.g. pnpm db:new-table research_note --domain research");
if (!values.domain) refuse("--domain is required: the schema file the table goes in");

try {
  const name = positionals[0]!;
  const plan = planNewTable({
    name,
    domain: values.domain,
    global: values.global,
    ...(values.parent !== undefined ? { parent: values.parent } : {}),
    ...(values.reason !== undefined ? { reason: values.reason } : {}),
  });
  for (const [file, content] of plan.files) writeFileSync(path.join(packageRoot, file), content);

  const touched = [...plan.files.keys()].map((file) => path.join(packageRoot, file));
  const biome = run(
    path.join(repoRoot, "node_modules/.bin/biome"),
    ["check", "--write", "--colors=off", ...touched],
    repoRoot,
  );
  if (biome.status !== 0)
    throw new Error(
      `biome could not format the scaffold: run \`pnpm exec biome check --write ${touched.map((f) => path.relative(repoRoot, f)).join(" ")}\` and fix what it reports`,
    );
  // A fresh process: this one imported the schema before the edit.
  const erd = run(process.execPath, ["--import", "tsx", "src/bin/erd.ts"], packageRoot);
  if (erd.status !== 0)
    throw new Error(
      `docs/erd.md could not be rewritten (${erd.stderr.trim().split("\n")[0]}): fix the schema, then run \`pnpm db:erd\``,
    );

  const width = Math.max(...plan.changes.map((c) => c.file.length));
  console.log(`Scaffolded ${name}${values.global ? " (global)" : " (tenant, RLS)"}:`);
  for (const change of plan.changes) console.log(`  ${change.file.padEnd(width)}  ${change.what}`);
  console.log(`  ${"docs/erd.md".padEnd(width)}  regenerated`);
  const steps = [
    `Edit the placeholder columns (title, body) in src/schema/${values.domain}.ts, and their values in the rows the scaffold added${values.global ? "" : " (src/seeds/dev.ts, src/testing/isolation-seed.ts)"}; if you add a reference or key, run \`pnpm db:erd\``,
    `pnpm db:generate --name add_${name}`,
    values.global
      ? `Review the new src/migrations/*_add_${name}.sql (CREATE TABLE, indexes, ON DELETE) and append:\n       ${globalGrantSql(name).replace("\n", "\n       ")}`
      : `Review the new src/migrations/*_add_${name}.sql: ENABLE ROW LEVEL SECURITY, four CREATE POLICY, the indexes${plan.changes.some((c) => c.what.includes("same-tenant")) ? ", the same-tenant foreign key and ON DELETE" : ""}`,
    "pnpm db:migrate",
    `DOCS_REVIEWED=1 pnpm ci:check, then commit with \`docs-reviewed\` in the message${values.global ? " (the CLAUDE.md entry counts as a docs change)" : ""}`,
  ];
  console.log("\nNext (packages/db/CLAUDE.md, Adding a table):");
  for (const [i, step] of steps.entries()) console.log(`  ${i + 2}. ${step}`);
} catch (error) {
  if (error instanceof ScaffoldError) refuse(error.message);
  reportFailure(error);
}
