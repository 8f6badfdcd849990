import { getTableName, type SQL, sql, type Table } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import type { Database } from "../connection/client";
import { rootCause } from "../connection/errors";
import { aiBatchJob, aiModel, aiUsage } from "../schema/ai";
import { invitation, member, user } from "../schema/auth";
import { organization } from "../schema/base";
import {
  researchArtifact,
  researchExtraction,
  researchFeedback,
  researchOutput,
  researchPlan,
  researchStep,
} from "../schema/research";
import { document, documentChunk, EMBEDDING_DIMENSIONS } from "../schema/search";

/** An organization of the isolation seed; `key` prefixes every id it owns. */
export interface SeedOrg {
  id: string;
  key: string;
}

export const ISOLATION_ORGS: readonly SeedOrg[] = [
  { id: "org_iso_a", key: "a" },
  { id: "org_iso_b", key: "b" },
  { id: "org_iso_c", key: "c" },
];

/** Row `n` of a tenant table for an organization; rows n >= 1 reference the parents' row 1. */
type RowFactory = (org: SeedOrg, n: number) => Record<string, unknown>;

interface SeedTable {
  table: PgTable;
  row: RowFactory;
}

const MODEL_ID = "model_iso";
const embedding = (n: number) =>
  Array.from({ length: EMBEDDING_DIMENSIONS }, (_, i) => ((i * n) % 11) / 11);
const ids = (org: SeedOrg, kind: string, n = 1) => `${org.key}_${kind}_${n}`;

/** The id of `table`'s row 1 for `org`: what rows of its child tables reference. */
const parentId = (table: PgTable, org: SeedOrg) =>
  String(ISOLATION_SEED.find((entry) => entry.table === table)?.row(org, 1).id);

/**
 * Every tenant table, parents first, with a row factory. The isolation matrix and the schema
 * guard read this list: a tenant table missing here fails with "add seed rows for <table>".
 */
export const ISOLATION_SEED: readonly SeedTable[] = [
  {
    table: member,
    row: (org, n) => ({
      id: ids(org, "member", n),
      organizationId: org.id,
      userId: ids(org, "user", n),
      role: "member",
    }),
  },
  {
    table: invitation,
    row: (org, n) => ({
      id: ids(org, "invitation", n),
      organizationId: org.id,
      email: `guest${n}@${org.key}.test`,
      expiresAt: new Date("2030-01-01T00:00:00Z"),
      inviterId: ids(org, "user", 1),
    }),
  },
  {
    table: aiBatchJob,
    row: (org, n) => ({
      id: ids(org, "batch", n),
      organizationId: org.id,
      modelId: MODEL_ID,
      requestCount: n,
    }),
  },
  {
    table: aiUsage,
    row: (org, n) => ({
      id: ids(org, "usage", n),
      organizationId: org.id,
      modelId: MODEL_ID,
      batchJobId: parentId(aiBatchJob, org),
      inputTokens: 100 * n,
      outputTokens: 10 * n,
      costUsd: "0.001000",
    }),
  },
  {
    table: researchPlan,
    row: (org, n) => ({
      id: ids(org, "plan", n),
      organizationId: org.id,
      title: `Plan ${n}`,
      objective: "Isolation",
    }),
  },
  {
    table: researchStep,
    row: (org, n) => ({
      id: ids(org, "step", n),
      organizationId: org.id,
      planId: parentId(researchPlan, org),
      position: n,
      title: `Step ${n}`,
    }),
  },
  {
    table: researchArtifact,
    row: (org, n) => ({
      id: ids(org, "artifact", n),
      organizationId: org.id,
      planId: parentId(researchPlan, org),
      stepId: parentId(researchStep, org),
      kind: "note",
      title: `Artifact ${n}`,
    }),
  },
  {
    table: researchOutput,
    row: (org, n) => ({
      id: ids(org, "output", n),
      organizationId: org.id,
      planId: parentId(researchPlan, org),
      version: n,
      title: `Output ${n}`,
      content: "...",
    }),
  },
  {
    table: researchFeedback,
    row: (org, n) => ({
      id: ids(org, "feedback", n),
      organizationId: org.id,
      planId: parentId(researchPlan, org),
      outputId: parentId(researchOutput, org),
      rating: 4,
    }),
  },
  {
    table: researchExtraction,
    row: (org, n) => ({
      id: ids(org, "extraction", n),
      organizationId: org.id,
      planId: parentId(researchPlan, org),
      artifactId: parentId(researchArtifact, org),
      field: `field_${n}`,
      value: { n },
    }),
  },
  {
    table: document,
    row: (org, n) => ({
      id: ids(org, "document", n),
      organizationId: org.id,
      title: `Doc ${n}`,
      content: `Isolation ${org.key}`,
    }),
  },
  {
    table: documentChunk,
    row: (org, n) => ({
      id: ids(org, "chunk", n),
      organizationId: org.id,
      documentId: parentId(document, org),
      position: n,
      content: `Chunk ${n} of ${org.key}`,
      embedding: embedding(n),
    }),
  },
];

/**
 * A SECURITY DEFINER function `authenticated` may execute: it reads `table` past RLS and must
 * filter by the tenant setting itself. `call(org)` returns the ids of the `table` rows it finds
 * for words that only `org`'s seed rows have (for org A's, whose key is a stop word, every
 * organization's rows match).
 */
export interface IsolationProbe {
  name: string;
  table: PgTable;
  call: (org: SeedOrg) => SQL;
}

/**
 * Every SECURITY DEFINER function `authenticated` may execute. The isolation matrix runs each
 * as every organization and in hostile contexts; the schema guard fails on one missing here.
 */
export const ISOLATION_PROBES: readonly IsolationProbe[] = [
  {
    name: "search_chunks_text",
    table: documentChunk,
    // documentChunk rows read "Chunk <n> of <key>".
    call: (org) => sql`select id from public.search_chunks_text(${`chunk of ${org.key}`}, 400)`,
  },
];

/** The seed entry of a table, by its SQL name. */
export function isolationSeedFor(tableName: string): SeedTable | undefined {
  return ISOLATION_SEED.find((entry) => getTableName(entry.table as Table) === tableName);
}

/** Rows per organization the seed inserts into every tenant table. */
export const ROWS_PER_ORG = 2;

/**
 * As the owner: the organizations, a user per organization and row, a model, then
 * ROWS_PER_ORG rows of every tenant table for every organization.
 */
export async function seedIsolation(db: Database): Promise<void> {
  await db
    .insert(organization)
    .values(ISOLATION_ORGS.map((org) => ({ id: org.id, name: org.id, slug: org.id })));
  await db.insert(user).values(
    ISOLATION_ORGS.flatMap((org) =>
      [1, 2, 99].map((n) => ({
        id: ids(org, "user", n),
        name: `User ${org.key}${n}`,
        email: `user${n}@${org.key}.test`,
      })),
    ),
  );
  await db.insert(aiModel).values({
    id: MODEL_ID,
    provider: "openai",
    name: "iso",
    displayName: "Iso",
    contextWindow: 1000,
  });
  for (const { table, row } of ISOLATION_SEED) {
    const values = ISOLATION_ORGS.flatMap((org) =>
      Array.from({ length: ROWS_PER_ORG }, (_, i) => row(org, i + 1)),
    );
    await db
      .insert(table)
      .values(values as never)
      .catch((error: unknown) => {
        throw new Error(
          `The isolation seed rows of ${getTableName(table)} were refused (${rootCause(error).message.split("\n")[0]}): fix its row factory in src/testing/isolation-seed.ts`,
          { cause: error },
        );
      });
  }
}
