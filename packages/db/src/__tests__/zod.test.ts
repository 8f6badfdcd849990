import { eq, getTableColumns, getTableName, is, type Table } from "drizzle-orm";
import { PgTable } from "drizzle-orm/pg-core";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { ZodError, type z } from "zod";
import type { Database } from "../connection/client";
import * as schema from "../schema";
import {
  aiModel,
  aiUsage,
  document,
  documentChunk,
  organization,
  researchFeedback,
  researchPlan,
  user,
} from "../schema";
import { EMBEDDING_DIMENSIONS } from "../schema/search";
import { createTestDatabase, type TestDatabase } from "../testing";
import { DOMAINS } from "../tooling/erd";
import * as zodSchemas from "../zod";
import {
  insertAiBatchJobSchema,
  insertAiUsageSchema,
  insertDocumentChunkSchema,
  insertDocumentSchema,
  insertInvitationSchema,
  insertOrganizationSchema,
  insertPersonalAccessTokenSchema,
  insertResearchExtractionSchema,
  insertResearchFeedbackSchema,
  insertResearchPlanSchema,
  insertResearchStepSchema,
  insertUserSchema,
  MAX_JSON_BYTES,
  MAX_JSON_DEPTH,
  MAX_STEP_POSITION,
  selectAiUsageSchema,
  selectDocumentChunkSchema,
  updateDocumentChunkSchema,
  updateResearchPlanSchema,
} from "../zod";

// ---- helpers ----------------------------------------------------------------------------

/** Every table the schema module exports, by export name: the list grows with the schema. */
const tables = Object.entries(schema as Record<string, unknown>).flatMap(([name, value]) =>
  is(value, PgTable) ? [[name, value] as const] : [],
);

const capitalize = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

/** The zod module beside a table's schema module: src/zod/<domain>.ts. */
const zodFileOf = (table: PgTable) => {
  const domain = Object.entries(DOMAINS).find(([, module]) =>
    Object.values(module).includes(table),
  )?.[0];
  return `src/zod/${domain ?? "<domain>"}.ts`;
};
const zodExports: Record<string, unknown> = zodSchemas;

/** The dotted field paths of the issues a schema reports for input (none: []). */
function issuePaths(zodSchema: z.ZodType, input: unknown): string[] {
  const result = zodSchema.safeParse(input);
  if (result.success) return [];
  expect(result.error).toBeInstanceOf(ZodError);
  return result.error.issues.map((issue) => issue.path.join("."));
}

/** `depth` objects inside one another around a number. */
const nestedJson = (depth: number): unknown =>
  JSON.parse(`${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`);

/** An object whose JSON text is exactly `bytes` long. */
const jsonOfBytes = (bytes: number) => ({ blob: "x".repeat(bytes - '{"blob":""}'.length) });

const vector = (length: number, at = 0.25) => Array.from({ length }, (_, i) => (i % 4) * at);
const sha256 = "a".repeat(64);

// Valid input of several tables (ids are text, not uuids, as Better Auth's are).
const validUser = { id: "Xb3kP9qLmN2vR7tY", name: "Ada Lovelace", email: "ada@example.test" };
const validOrganization = { id: "org_zod", name: "Acme Labs", slug: "acme-labs" };
const validPlan = {
  organizationId: "org_zod",
  title: "Market map",
  objective: "List the vendors",
  status: "queued",
  metadata: { source: "test" },
};
const validChunk = {
  organizationId: "org_zod",
  documentId: "doc_zod",
  position: 0,
  content: "Halfvec keeps two bytes a dimension.",
  tokenCount: 7,
  embedding: vector(EMBEDDING_DIMENSIONS),
};

// ---- schema coverage ----------------------------------------------------------------------

describe("@repo/db/zod coverage", () => {
  it("can find the tables of the schema module", () => {
    expect(tables.map(([name]) => name)).toEqual(
      expect.arrayContaining(["user", "organization", "researchPlan", "documentChunk"]),
    );
  });

  it.each(tables)("can validate %s: it has insert, select and update schemas", (name, table) => {
    const tableName = getTableName(table);
    const columns = Object.keys(getTableColumns(table)).sort();
    const writable = Object.entries(getTableColumns(table))
      .filter(([, column]) => column.generated?.type !== "always")
      .map(([key]) => key)
      .sort();
    const expected = { insert: writable, select: columns, update: writable };
    for (const kind of ["insert", "select", "update"] as const) {
      const exportName = `${kind}${capitalize(name)}Schema`;
      const zodSchema = zodExports[exportName];
      expect(
        zodSchema,
        `add ${exportName} for ${tableName} to ${zodFileOf(table)} (createInsertSchema, createSelectSchema, createUpdateSchema)`,
      ).toBeDefined();
      // Built from this very table: the same column keys.
      const keys = Object.keys((zodSchema as z.ZodObject).shape).sort();
      expect(keys, `${exportName} keys (table ${tableName})`).toEqual(expected[kind]);
    }
  });

  it("can type parsed values as drizzle does: the same required keys, values drizzle accepts", () => {
    type Schema = typeof schema;
    type Zod = typeof zodSchemas;
    type TableKey = { [K in keyof Schema]: Schema[K] extends Table ? K : never }[keyof Schema];
    type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];
    type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
    type Check<K extends TableKey> = Schema[K] extends Table
      ? `insert${Capitalize<K>}Schema` extends keyof Zod
        ? `select${Capitalize<K>}Schema` extends keyof Zod
          ? `update${Capitalize<K>}Schema` extends keyof Zod
            ? [
                Same<
                  RequiredKeys<z.input<Zod[`insert${Capitalize<K>}Schema`]>>,
                  RequiredKeys<Schema[K]["$inferInsert"]>
                >,
                z.output<Zod[`insert${Capitalize<K>}Schema`]> extends Schema[K]["$inferInsert"]
                  ? true
                  : false,
                z.output<Zod[`update${Capitalize<K>}Schema`]> extends Partial<
                  Schema[K]["$inferInsert"]
                >
                  ? true
                  : false,
                z.output<Zod[`select${Capitalize<K>}Schema`]> extends Schema[K]["$inferSelect"]
                  ? true
                  : false,
              ]
            : "no update schema"
          : "no select schema"
        : "no insert schema"
      : never;
    type Mismatches = { [K in TableKey]: Check<K> extends true[] ? never : K }[TableKey];
    expectTypeOf<Mismatches>().toEqualTypeOf<never>();
    expectTypeOf<z.input<typeof insertDocumentChunkSchema>>().toExtend<{
      organizationId: string;
      documentId: string;
      position: number;
      content: string;
    }>();
  });
});

// ---- parsing ------------------------------------------------------------------------------

describe("@repo/db/zod parsing", () => {
  it("can parse a valid row of several tables", () => {
    expect(insertUserSchema.parse(validUser)).toEqual(validUser);
    expect(insertOrganizationSchema.parse(validOrganization)).toEqual(validOrganization);
    expect(insertResearchPlanSchema.parse(validPlan)).toEqual(validPlan);
    expect(insertDocumentChunkSchema.parse(validChunk)).toEqual(validChunk);
    const valid: [z.ZodType, Record<string, unknown>][] = [
      [
        insertInvitationSchema,
        {
          organizationId: "org_zod",
          email: "new@example.test",
          role: "admin",
          expiresAt: new Date(),
        },
      ],
      [
        insertResearchFeedbackSchema,
        { organizationId: "org_zod", planId: "plan_zod", rating: 5, comment: null },
      ],
      [
        insertResearchExtractionSchema,
        { organizationId: "org_zod", planId: "p", artifactId: "a", field: "f", value: [1] },
      ],
      [
        insertAiUsageSchema,
        {
          organizationId: "org_zod",
          modelId: "model_zod",
          inputTokens: 0,
          outputTokens: 1200,
          costUsd: "0.001200",
        },
      ],
      [insertAiBatchJobSchema, { organizationId: "org_zod", modelId: "m", requestCount: 3 }],
      [
        insertPersonalAccessTokenSchema,
        {
          userId: validUser.id,
          name: "CLI",
          tokenHash: sha256,
          displayPrefix: "rpat_3f9a",
          scopes: ["research:read"],
        },
      ],
      [insertDocumentSchema, { organizationId: "org_zod", title: "Doc", content: "Text" }],
      [insertResearchStepSchema, { organizationId: "o", planId: "p", position: 0, title: "S" }],
    ];
    for (const [zodSchema, input] of valid) {
      expect(zodSchema.parse(input)).toEqual(input);
    }
  });

  it("can leave nullable columns null, and optional ones out", () => {
    expect(insertDocumentChunkSchema.parse({ ...validChunk, embedding: null }).embedding).toBe(
      null,
    );
    const { embedding: _, tokenCount: __, ...minimal } = validChunk;
    expect(insertDocumentChunkSchema.parse(minimal)).toEqual(minimal);
    expect(updateDocumentChunkSchema.parse({ embedding: null })).toEqual({ embedding: null });
    expect(
      insertResearchExtractionSchema.parse({
        organizationId: "o",
        planId: "p",
        artifactId: "a",
        field: "f",
        value: "v",
        confidence: null,
      }).confidence,
    ).toBe(null);
  });

  it("can update a single field, still validated", () => {
    expect(updateResearchPlanSchema.parse({ title: "Renamed" })).toEqual({ title: "Renamed" });
    expect(updateResearchPlanSchema.parse({})).toEqual({});
    expect(issuePaths(updateResearchPlanSchema, { title: "   " })).toEqual(["title"]);
    expect(issuePaths(updateResearchPlanSchema, { status: "paused" })).toEqual(["status"]);
  });

  it("cannot write the generated searchVector: insert and update schemas strip it", () => {
    expect("searchVector" in insertDocumentChunkSchema.shape).toBe(false);
    expect("searchVector" in updateDocumentChunkSchema.shape).toBe(false);
    const parsed = insertDocumentChunkSchema.parse({ ...validChunk, searchVector: "'x':1" });
    expect(parsed).not.toHaveProperty("searchVector");
  });

  it("cannot parse a bad email", () => {
    expect(issuePaths(insertUserSchema, { ...validUser, email: "not-an-email" })).toEqual([
      "email",
    ]);
    const invitation = { organizationId: "o", email: "a@", expiresAt: new Date() };
    expect(issuePaths(insertInvitationSchema, invitation)).toEqual(["email"]);
  });

  it("cannot parse blank names, titles or content", () => {
    expect(issuePaths(insertResearchPlanSchema, { ...validPlan, title: "  \t" })).toEqual([
      "title",
    ]);
    expect(issuePaths(insertResearchPlanSchema, { ...validPlan, objective: "" })).toEqual([
      "objective",
    ]);
    expect(issuePaths(insertUserSchema, { ...validUser, name: " " })).toEqual(["name"]);
    expect(issuePaths(insertDocumentChunkSchema, { ...validChunk, content: "\n" })).toEqual([
      "content",
    ]);
    expect(issuePaths(insertOrganizationSchema, { ...validOrganization, name: "" })).toEqual([
      "name",
    ]);
  });

  it("cannot parse a slug that is not lowercase words joined by hyphens", () => {
    for (const slug of ["Acme", "acme--labs", "-acme", "acme labs", "acme_labs", ""]) {
      expect(issuePaths(insertOrganizationSchema, { ...validOrganization, slug }), slug).toContain(
        "slug",
      );
    }
  });

  it("cannot parse an embedding of the wrong length or with non-finite numbers", () => {
    const wrongLength = { ...validChunk, embedding: vector(3) };
    expect(issuePaths(insertDocumentChunkSchema, wrongLength)).toEqual(["embedding"]);
    const tooLong = { ...validChunk, embedding: vector(EMBEDDING_DIMENSIONS + 1) };
    expect(issuePaths(insertDocumentChunkSchema, tooLong)).toEqual(["embedding"]);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, 1e6]) {
      const embedding = vector(EMBEDDING_DIMENSIONS);
      embedding[5] = bad;
      expect(issuePaths(insertDocumentChunkSchema, { ...validChunk, embedding })).toEqual([
        "embedding.5",
      ]);
    }
  });

  it("cannot parse a rating outside 1..5 or a confidence outside 0..1", () => {
    const feedback = { organizationId: "o", planId: "p", rating: 9 };
    expect(issuePaths(insertResearchFeedbackSchema, feedback)).toEqual(["rating"]);
    expect(issuePaths(insertResearchFeedbackSchema, { ...feedback, rating: 0 })).toEqual([
      "rating",
    ]);
    expect(issuePaths(insertResearchFeedbackSchema, { ...feedback, rating: 4.5 })).toEqual([
      "rating",
    ]);
    const extraction = { organizationId: "o", planId: "p", artifactId: "a", field: "f", value: 1 };
    expect(issuePaths(insertResearchExtractionSchema, { ...extraction, confidence: 1.5 })).toEqual([
      "confidence",
    ]);
    expect(issuePaths(insertResearchExtractionSchema, { ...extraction, confidence: -0.1 })).toEqual(
      ["confidence"],
    );
  });

  it("cannot parse a step position outside 0..MAX_STEP_POSITION", () => {
    const step = { organizationId: "o", planId: "p", title: "S" };
    for (const position of [-1, MAX_STEP_POSITION + 1, 2_147_483_647, 1.5]) {
      expect(issuePaths(insertResearchStepSchema, { ...step, position }), String(position)).toEqual(
        ["position"],
      );
    }
    for (const position of [0, MAX_STEP_POSITION]) {
      expect(issuePaths(insertResearchStepSchema, { ...step, position })).toEqual([]);
    }
  });

  it("cannot parse an unknown enum value", () => {
    expect(issuePaths(insertResearchPlanSchema, { ...validPlan, status: "paused" })).toEqual([
      "status",
    ]);
    const invitation = { organizationId: "o", email: "a@b.test", expiresAt: new Date() };
    expect(issuePaths(insertInvitationSchema, { ...invitation, role: "root" })).toEqual(["role"]);
  });

  it("cannot parse negative or fractional counts, or a cost that is not a decimal string", () => {
    const usage = {
      organizationId: "o",
      modelId: "m",
      inputTokens: 1,
      outputTokens: 1,
      costUsd: "0.5",
    };
    expect(issuePaths(insertAiUsageSchema, { ...usage, inputTokens: -1 })).toEqual(["inputTokens"]);
    expect(issuePaths(insertAiUsageSchema, { ...usage, outputTokens: 1.5 })).toEqual([
      "outputTokens",
    ]);
    for (const costUsd of ["-1", "1e-3", "1.", ".5", "abc", 0.5]) {
      expect(issuePaths(insertAiUsageSchema, { ...usage, costUsd }), String(costUsd)).toEqual([
        "costUsd",
      ]);
    }
    const job = { organizationId: "o", modelId: "m", failedCount: -2 };
    expect(issuePaths(insertAiBatchJobSchema, job)).toEqual(["failedCount"]);
    expect(issuePaths(insertDocumentChunkSchema, { ...validChunk, tokenCount: -1 })).toEqual([
      "tokenCount",
    ]);
  });

  it("cannot parse a token hash that is not a lowercase sha256, or a blank scope", () => {
    const token = { userId: "u", name: "CLI", tokenHash: sha256, displayPrefix: "rpat_" };
    for (const tokenHash of ["A".repeat(64), "a".repeat(63), "g".repeat(64), "secret"]) {
      expect(issuePaths(insertPersonalAccessTokenSchema, { ...token, tokenHash })).toEqual([
        "tokenHash",
      ]);
    }
    expect(
      issuePaths(insertPersonalAccessTokenSchema, { ...token, scopes: ["read", " "] }),
    ).toEqual(["scopes.1"]);
    expect(issuePaths(insertPersonalAccessTokenSchema, { ...token, name: "" })).toEqual(["name"]);
  });

  it("cannot parse JSON that is not an object into an object-typed jsonb column", () => {
    expect(issuePaths(insertResearchPlanSchema, { ...validPlan, metadata: [1, 2] })).toEqual([
      "metadata",
    ]);
    expect(issuePaths(insertResearchPlanSchema, { ...validPlan, metadata: "x" })).toEqual([
      "metadata",
    ]);
  });

  it("cannot parse jsonb beyond the limits, or with text jsonb cannot hold, in any jsonb column", () => {
    const jsonbColumns = tables.flatMap(([name, table]) =>
      Object.entries(getTableColumns(table))
        .filter(([, column]) => column.columnType === "PgJsonb")
        .map(([key]) => [name, key] as const),
    );
    expect(jsonbColumns.length).toBeGreaterThanOrEqual(6);
    const bad: [unknown, string][] = [
      [nestedJson(MAX_JSON_DEPTH + 1), `Must nest at most ${MAX_JSON_DEPTH} levels deep`],
      [nestedJson(10_000), `Must nest at most ${MAX_JSON_DEPTH} levels deep`],
      [jsonOfBytes(MAX_JSON_BYTES + 1), `Must be at most ${MAX_JSON_BYTES} bytes as JSON`],
      [{ a: ["ok", "x\u0000"] }, "Must not contain NUL characters"],
      [{ a: "\udfff" }, "Must not contain a lone surrogate (not valid Unicode)"],
      [{ "\ud800": 1 }, "Must not contain a lone surrogate (not valid Unicode)"],
    ];
    for (const [name, key] of jsonbColumns) {
      for (const kind of ["insert", "select", "update"] as const) {
        const field = (zodExports[`${kind}${capitalize(name)}Schema`] as z.ZodObject).shape[key];
        for (const [value, message] of bad) {
          const result = (field as z.ZodType).safeParse(value);
          expect(
            result.error?.issues.map((issue) => issue.message),
            `${kind} ${name}.${key}`,
          ).toEqual([message]);
        }
        expect((field as z.ZodType).safeParse(nestedJson(MAX_JSON_DEPTH)).success).toBe(true);
        expect((field as z.ZodType).safeParse(jsonOfBytes(MAX_JSON_BYTES)).success).toBe(true);
      }
    }
  });

  it("can name the path of bad text inside a jsonb value", () => {
    expect(
      issuePaths(insertResearchPlanSchema, { ...validPlan, metadata: { a: [1, { b: "\udc00" }] } }),
    ).toEqual(["metadata.a.1.b"]);
  });

  it("can report every invalid field of a row at once", () => {
    const paths = issuePaths(insertResearchPlanSchema, {
      organizationId: "org_zod",
      title: "",
      objective: " ",
      status: "paused",
    });
    expect(paths.sort()).toEqual(["objective", "status", "title"]);
  });
});

// ---- against the database -------------------------------------------------------------

/** What an app does: parse, then insert the parsed value (never the raw input). */
async function insertValidated<TTable extends PgTable>(
  db: Database,
  table: TTable,
  zodSchema: z.ZodType<TTable["$inferInsert"]>,
  input: unknown,
) {
  const values = zodSchema.parse(input);
  return db.insert(table).values(values).returning();
}

describe("@repo/db/zod with a database", () => {
  let testDb: TestDatabase;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    // Parents, seeded directly as the owner.
    await testDb.db.insert(organization).values(validOrganization);
    await testDb.db.insert(user).values(validUser);
    await testDb.db.insert(document).values({
      id: "doc_zod",
      organizationId: "org_zod",
      title: "Doc",
      content: "Text",
    });
    await testDb.db.insert(researchPlan).values({
      id: "plan_zod",
      organizationId: "org_zod",
      title: "Parent",
      objective: "Parent",
    });
    await testDb.db.insert(aiModel).values({
      id: "model_zod",
      provider: "openai",
      name: "gpt-test",
      displayName: "GPT Test",
      contextWindow: 128_000,
    });
  });
  afterAll(() => testDb?.dispose());

  const cases = [
    {
      name: "research_plan with a blank title",
      table: researchPlan,
      zodSchema: insertResearchPlanSchema,
      invalid: { ...validPlan, title: "   " },
      valid: validPlan,
      path: "title",
    },
    {
      name: "document_chunk with a 3-dimension embedding",
      table: documentChunk,
      zodSchema: insertDocumentChunkSchema,
      invalid: { ...validChunk, embedding: vector(3) },
      valid: validChunk,
      path: "embedding",
    },
    {
      name: "research_feedback rated 9",
      table: researchFeedback,
      zodSchema: insertResearchFeedbackSchema,
      invalid: { organizationId: "org_zod", planId: "plan_zod", rating: 9 },
      valid: { organizationId: "org_zod", planId: "plan_zod", rating: 4, userId: validUser.id },
      path: "rating",
    },
    {
      name: "user with a bad email",
      table: user,
      zodSchema: insertUserSchema,
      invalid: { name: "Bo", email: "bo-at-example" },
      valid: { name: "Bo", email: "bo@example.test" },
      path: "email",
    },
    {
      name: "ai_usage with negative tokens",
      table: aiUsage,
      zodSchema: insertAiUsageSchema,
      invalid: {
        organizationId: "org_zod",
        modelId: "model_zod",
        inputTokens: -5,
        outputTokens: 10,
        costUsd: "0.000150",
      },
      valid: {
        organizationId: "org_zod",
        modelId: "model_zod",
        inputTokens: 5,
        outputTokens: 10,
        costUsd: "0.000150",
      },
      path: "inputTokens",
    },
  ];

  it.each(cases)("writes nothing on invalid input: $name", async (c) => {
    const { db } = testDb;
    const before = await db.$count(c.table);
    const attempt = insertValidated(db, c.table, c.zodSchema, c.invalid);
    await expect(attempt).rejects.toBeInstanceOf(ZodError);
    const error = await attempt.catch((e: unknown) => e);
    expect((error as ZodError).issues.map((i) => i.path.join("."))).toContain(c.path);
    expect(await db.$count(c.table)).toBe(before);

    const [row] = await insertValidated(db, c.table, c.zodSchema, c.valid);
    expect(row).toMatchObject(c.valid);
    expect(await db.$count(c.table)).toBe(before + 1);
  });

  it("can store and read back jsonb at the depth and size limits", async () => {
    for (const metadata of [nestedJson(MAX_JSON_DEPTH), jsonOfBytes(MAX_JSON_BYTES)]) {
      const [row] = await insertValidated(testDb.db, researchPlan, insertResearchPlanSchema, {
        ...validPlan,
        metadata,
      });
      const [read] = await testDb.db
        .select()
        .from(researchPlan)
        .where(eq(researchPlan.id, row!.id));
      expect(read?.metadata).toEqual(metadata);
    }
  });

  it("can parse rows read back from the database with the select schemas", async () => {
    const [chunk] = await testDb.db.select().from(documentChunk);
    expect(chunk?.searchVector).toEqual(expect.any(String));
    expect(chunk?.embedding).toHaveLength(EMBEDDING_DIMENSIONS);
    expect(selectDocumentChunkSchema.parse(chunk)).toEqual(chunk);

    const [usage] = await testDb.db.select().from(aiUsage);
    expect(usage?.costUsd).toBe("0.000150");
    expect(selectAiUsageSchema.parse(usage)).toEqual(usage);
  });
});
