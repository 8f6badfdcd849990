import { readdirSync } from "node:fs";
import path from "node:path";
import { getTableName } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../connection/paths";
import { DOMAINS, renderErd } from "../tooling/erd";
import { schemaTables } from "../tooling/guard";

/** The domains: one per schema file, except the shared helpers and the barrel. */
const domainFiles = readdirSync(path.join(packageRoot, "src/schema"))
  .filter((file) => file.endsWith(".ts"))
  .map((file) => file.slice(0, -".ts".length))
  .filter((name) => !["base", "enums", "index", "relations"].includes(name));

describe("the ER diagrams (docs/erd.md)", () => {
  const erd = renderErd();

  it("can render one mermaid erDiagram per domain, one domain per schema file", () => {
    expect(
      Object.keys(DOMAINS).sort(),
      "add each src/schema/<domain>.ts to DOMAINS in src/tooling/erd.ts",
    ).toEqual(domainFiles.sort());
    expect(erd.match(/^```mermaid\nerDiagram$/gm)).toHaveLength(domainFiles.length);
    expect(erd.match(/^## (\w+)$/gm)).toEqual(Object.keys(DOMAINS).map((domain) => `## ${domain}`));
  });

  it("cannot leave a table out, and marks each tenant or global", () => {
    const drawn = new Set(Object.values(DOMAINS).flatMap((module) => Object.values(module)));
    for (const table of schemaTables()) {
      expect(
        drawn.has(table),
        `add ${getTableName(table)}'s schema module to DOMAINS in src/tooling/erd.ts`,
      ).toBe(true);
      expect(erd).toMatch(
        new RegExp(
          `  ${getTableName(table)}\\["${getTableName(table)} \\((tenant, RLS|global)\\)"\\] \\{`,
        ),
      );
    }
    expect(erd).toContain('research_plan["research_plan (tenant, RLS)"]');
    expect(erd).toContain('ai_model["ai_model (global)"]');
    expect(erd).toContain(
      'research_plan ||--o{ research_step : "plan_id (on delete cascade, same tenant)"',
    );
  });
});
