import { getTableName, is } from "drizzle-orm";
import { PgTable } from "drizzle-orm/pg-core";
import { describe, expect, it } from "vitest";
import * as schema from "../schema";
import { DOMAINS, renderErd } from "../tooling/erd";

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
    const tables = (Object.values(schema) as unknown[]).filter((v): v is PgTable => is(v, PgTable));
    expect(tables).toHaveLength(20);
    for (const table of tables) {
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
