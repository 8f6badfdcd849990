import { readFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageRoot } from "../connection/paths";
import { rows } from "../connection/rows";
import { createTestDatabase, type TestDatabase } from "../testing";
import { readNonTenantTables } from "../tooling/guard";

// What the migrated catalog says beyond the schema guard (RLS, tenant policies and foreign-key
// indexes are the guard's: src/tooling/guard): extensions, search indexes, roles and grants.

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(() => testDb?.dispose());

/** Reference data: the global tables packages/db/CLAUDE.md lists as readable by authenticated. */
const REFERENCE_TABLES = [
  ...readNonTenantTables(readFileSync(path.join(packageRoot, "CLAUDE.md"), "utf8")),
]
  .filter(([, reason]) => reason.includes("`authenticated` may SELECT"))
  .map(([table]) => table);

describe("the migrated catalog", () => {
  it("has the vector extension, the HNSW index and the GIN index", async () => {
    const [extension] = await rows<{ extname: string }>(
      testDb.db,
      sql`select extname from pg_extension where extname = 'vector'`,
    );
    expect(extension?.extname).toBe("vector");
    const indexes = await rows<{ name: string; definition: string }>(
      testDb.db,
      sql`select indexname as name, indexdef as definition from pg_indexes where tablename = 'document_chunk'`,
    );
    const byName = Object.fromEntries(indexes.map((i) => [i.name, i.definition]));
    expect(byName.document_chunk_embedding_idx).toMatch(
      /USING hnsw \(embedding halfvec_cosine_ops\)/,
    );
    expect(byName.document_chunk_searchVector_idx).toMatch(/USING gin \(search_vector\)/);
    const [generated] = await rows<{ attgenerated: string }>(
      testDb.db,
      sql`select attgenerated from pg_attribute where attrelid = 'document_chunk'::regclass and attname = 'search_vector'`,
    );
    expect(generated?.attgenerated).toBe("s");
  });

  it("has one policy for another role: `true` for tenant_search, which can do nothing else", async () => {
    const others = await rows<{ table: string; name: string; roles: string[]; command: string }>(
      testDb.db,
      sql`select tablename as "table", policyname as name, roles, cmd as command, qual
          from pg_policies where schemaname = 'public' and not 'authenticated' = any(roles)`,
    );
    expect(others).toEqual([
      {
        table: "document_chunk",
        name: "document_chunk_tenant_search_select",
        roles: ["tenant_search"],
        command: "SELECT",
        qual: "true",
      },
    ]);
    const [role] = await rows<Record<string, unknown>>(
      testDb.db,
      sql`select rolcanlogin, rolbypassrls, rolsuper, rolinherit,
                 (select count(*)::int from pg_auth_members where roleid = r.oid) as members
          from pg_roles r where rolname = 'tenant_search'`,
    );
    expect(role).toEqual({
      rolcanlogin: false,
      rolbypassrls: false,
      rolsuper: false,
      rolinherit: false,
      members: 0,
    });
    const grants = await rows<{ table: string; privilege: string }>(
      testDb.db,
      sql`select c.relname as "table", p.privilege
          from pg_class c
          join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'public'
          cross join unnest(array['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) as p(privilege)
          where has_table_privilege('tenant_search', c.oid, p.privilege)`,
    );
    expect(grants).toEqual([{ table: "document_chunk", privilege: "SELECT" }]);
    const owned = await rows<{ name: string; execute: string[] }>(
      testDb.db,
      sql`select p.proname as name,
                 array(select a.grantee::regrole::text from aclexplode(p.proacl) a
                       where a.privilege_type = 'EXECUTE' and a.grantee <> p.proowner order by 1) as execute
          from pg_proc p where p.proowner = 'tenant_search'::regrole`,
    );
    expect(owned).toEqual([{ name: "search_chunks_text", execute: ["authenticated"] }]);
  });

  it("has authenticated as a role that cannot log in or bypass RLS", async () => {
    const [role] = await rows<Record<string, boolean>>(
      testDb.db,
      sql`select rolcanlogin, rolbypassrls, rolsuper from pg_roles where rolname = 'authenticated'`,
    );
    expect(role).toEqual({ rolcanlogin: false, rolbypassrls: false, rolsuper: false });
  });

  it("lets authenticated write only tables with RLS, and read only those plus reference data", async () => {
    const grants = await rows<{ table: string; rls: boolean; privilege: string }>(
      testDb.db,
      sql`select c.relname as "table", c.relrowsecurity as rls, p.privilege
          from pg_class c
          join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'public'
          cross join unnest(array['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) as p(privilege)
          where c.relkind in ('r', 'p', 'v', 'm') and has_table_privilege('authenticated', c.oid, p.privilege)`,
    );
    const open = grants.filter(
      (g) => !g.rls && !(g.privilege === "SELECT" && REFERENCE_TABLES.includes(g.table)),
    );
    expect(
      open,
      "a global table is open to authenticated: REVOKE ALL ON TABLE ... FROM authenticated under -- Manual addition: in its migration (packages/db/CLAUDE.md, Adding a table)",
    ).toEqual([]);
    expect(
      grants
        .filter((g) => g.table === "research_plan")
        .map((g) => g.privilege)
        .sort(),
    ).toEqual(["DELETE", "INSERT", "SELECT", "UPDATE"]);
    expect(
      grants.filter((g) => REFERENCE_TABLES.includes(g.table)).map((g) => g.privilege),
    ).toEqual(REFERENCE_TABLES.map(() => "SELECT"));
    expect(REFERENCE_TABLES).toEqual(expect.arrayContaining(["ai_model", "ai_model_pricing"]));
  });
});
