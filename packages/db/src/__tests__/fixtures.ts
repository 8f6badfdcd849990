import type { Database } from "../connection/client";
import { document, documentChunk, organization, researchPlan, user } from "../schema";
import { EMBEDDING_DIMENSIONS } from "../schema/search";

export interface TwoTenants {
  orgA: string;
  orgB: string;
}

/** Two organizations, each with a user, two research plans, a document and two chunks. */
export async function seedTwoTenants(db: Database): Promise<TwoTenants> {
  const tenants = { orgA: "org_a", orgB: "org_b" };
  await db.insert(organization).values([
    { id: tenants.orgA, name: "Org A", slug: "org-a" },
    { id: tenants.orgB, name: "Org B", slug: "org-b" },
  ]);
  await db.insert(user).values([
    { id: "user_a", name: "Ada", email: "ada@a.test" },
    { id: "user_b", name: "Bo", email: "bo@b.test" },
  ]);
  for (const [org, suffix] of [
    [tenants.orgA, "a"],
    [tenants.orgB, "b"],
  ] as const) {
    await db.insert(researchPlan).values([
      {
        id: `plan_${suffix}1`,
        organizationId: org,
        createdById: `user_${suffix}`,
        title: `Plan ${suffix}1`,
        objective: "Map the market",
      },
      {
        id: `plan_${suffix}2`,
        organizationId: org,
        createdById: `user_${suffix}`,
        title: `Plan ${suffix}2`,
        objective: "Read the papers",
      },
    ]);
    await db.insert(document).values({
      id: `doc_${suffix}`,
      organizationId: org,
      title: `Doc ${suffix}`,
      content: "Vector search with halfvec and HNSW.",
    });
    await db.insert(documentChunk).values(
      [0, 1].map((position) => ({
        id: `chunk_${suffix}${position}`,
        organizationId: org,
        documentId: `doc_${suffix}`,
        position,
        content: `Chunk ${position} about vector search in ${suffix}`,
        embedding: Array.from({ length: EMBEDDING_DIMENSIONS }, (_, i) => ((i + position) % 7) / 7),
      })),
    );
  }
  return tenants;
}
