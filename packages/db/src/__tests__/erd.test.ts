import { getTableName } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { DOMAINS, renderErd } from "../tooling/erd";
import { schemaTables } from "../tooling/guard";

describe("the ER diagrams (docs/erd.md)", () => {
  const erd = renderErd();

  it("can render one mermaid erDiagram per domain: auth, ai, research, search, mcp", () => {
    expect(Object.keys(DOMAINS)).toEqual(["auth", "ai", "research", "search", "mcp"]);
    expect(erd.match(/^```mermaid\nerDiagram$/gm)).toHaveLength(5);
    expect(erd.match(/^## (\w+)$/gm)).toEqual([
      "## auth",
      "## ai",
      "## research",
      "## search",
      "## mcp",
    ]);
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
