import { inArray, schema } from "@repo/db/sql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Data, ORGS, type OrgKey, startTestApi, type TestApi } from "./harness";

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api?.close();
});

interface Call {
  org: OrgKey;
  path: string;
  method?: string;
  body?: unknown;
  /** Organization ids found in the answer, and chunk ids to look up. */
  check(body: unknown): { organizations: string[]; chunkIds: string[] };
}

const organizationsOf = (rows: { organizationId: string }[]) => ({
  organizations: rows.map((row) => row.organizationId),
  chunkIds: [] as string[],
});

/** Seven kinds of request per organization, reads and writes, every one tenant-scoped. */
function callsFor(org: OrgKey, round: number): Call[] {
  const plan = `plan_${org}_${(round % 6) + 1}`;
  return [
    {
      org,
      path: "/v1/research/plans?limit=50",
      check: (body) => organizationsOf((body as Data<{ organizationId: string }[]>).data),
    },
    {
      org,
      path: `/v1/research/plans/${plan}`,
      check: (body) => organizationsOf([(body as Data<{ organizationId: string }>).data]),
    },
    {
      org,
      path: `/v1/research/plans/${plan}/steps`,
      check: (body) => organizationsOf((body as Data<{ organizationId: string }[]>).data),
    },
    {
      org,
      path: `/v1/documents/document_${org}_${(round % 3) + 1}`,
      check: (body) => organizationsOf([(body as Data<{ organizationId: string }>).data]),
    },
    {
      org,
      path: "/v1/search?q=notes+findings+studies&limit=20",
      check: (body) => ({
        organizations: [],
        chunkIds: (body as Data<{ chunkId: string }[]>).data.map((hit) => hit.chunkId),
      }),
    },
    {
      org,
      path: "/v1/research/plans",
      method: "POST",
      body: { title: `burst ${org} ${round}`, objective: "concurrency" },
      check: (body) => organizationsOf([(body as Data<{ organizationId: string }>).data]),
    },
    {
      org,
      path: "/v1/ai/usage/summary",
      check: () => ({ organizations: [], chunkIds: [] }),
    },
  ];
}

describe("concurrent requests", () => {
  it("never mixes tenants in a burst of concurrent requests from 3 organizations", async () => {
    const rounds = 6;
    // Round-robin over the organizations: neighbouring requests belong to different tenants.
    const perOrg = ORGS.map((org) =>
      Array.from({ length: rounds }, (_, round) => callsFor(org, round)).flat(),
    );
    const calls = perOrg[0]!.flatMap((_, i) => perOrg.map((list) => list[i]!));

    const usage = new Map<OrgKey, string>();
    for (const org of ORGS) {
      const response = await api.request(`/v1/ai/usage/summary`, { token: api.tokens[org] });
      usage.set(org, JSON.stringify(response.body));
    }
    // The three summaries differ, so a mixed-up one would be noticed.
    expect(new Set(usage.values()).size).toBe(3);

    const responses = await Promise.all(
      calls.map(async (call) => ({
        call,
        response: await api.request(call.path, {
          token: api.tokens[call.org],
          ...(call.method ? { method: call.method } : {}),
          ...(call.body ? { body: call.body } : {}),
        }),
      })),
    );

    const chunkOwner = new Map<string, OrgKey>();
    for (const { call, response } of responses) {
      expect(response.status, `${call.org} ${call.method ?? "GET"} ${call.path}`).toBeLessThan(300);
      const { organizations, chunkIds } = call.check(response.body);
      for (const organization of organizations) {
        expect(organization, `${call.org} ${call.path}`).toBe(`org_${call.org}`);
      }
      for (const id of chunkIds) chunkOwner.set(id, call.org);
      if (call.path === "/v1/ai/usage/summary") {
        expect(JSON.stringify(response.body)).toBe(usage.get(call.org));
      }
    }
    expect(responses).toHaveLength(ORGS.length * rounds * 7);

    // Search hits carry no organization: look each chunk up as the owner.
    expect(chunkOwner.size).toBeGreaterThan(0);
    const chunks = await api.db
      .select({ id: schema.documentChunk.id, organizationId: schema.documentChunk.organizationId })
      .from(schema.documentChunk)
      .where(inArray(schema.documentChunk.id, [...chunkOwner.keys()]));
    expect(chunks).toHaveLength(chunkOwner.size);
    for (const chunk of chunks) {
      expect(chunk.organizationId).toBe(`org_${chunkOwner.get(chunk.id)}`);
    }

    // Every plan written in the burst landed in its caller's organization.
    const written = await api.db
      .select({
        title: schema.researchPlan.title,
        organizationId: schema.researchPlan.organizationId,
      })
      .from(schema.researchPlan)
      .where(inArray(schema.researchPlan.objective, ["concurrency"]));
    expect(written).toHaveLength(ORGS.length * rounds);
    for (const plan of written) {
      expect(plan.organizationId).toBe(`org_${plan.title.split(" ")[1]}`);
    }
  });
});
