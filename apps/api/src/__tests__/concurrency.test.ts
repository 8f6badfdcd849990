import { setTimeout as sleep } from "node:timers/promises";
import { createHeavyWorkGate } from "@repo/db";
import { inArray, schema } from "@repo/db/sql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Data, ORGS, type OrgKey, startTestApi, type TestApi } from "./harness";

let api: TestApi;
// Searches and ingestions wait for a turn of their organization, one at a time (the default).
// The tests hold turns themselves; while `impatientFor` names an organization, its waits give
// up after 100 ms, to see the refusal.
const turns = createHeavyWorkGate({ perOrganization: 1 });
const impatient = createHeavyWorkGate({ perOrganization: 1, waitMs: 100 });
let impatientFor: string | null = null;
/** The abort signal of every request that asked for a turn, in order. */
const askedWith: (AbortSignal | undefined)[] = [];

beforeAll(async () => {
  api = await startTestApi({
    heavyWork: (organization, work, signal) => {
      askedWith.push(signal);
      return (organization === impatientFor ? impatient : turns)(organization, work, signal);
    },
  });
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

  it("can hold an organization's search and upload until its heavy work before them is done, while another organization's run", async () => {
    let finish!: () => void;
    const held = turns("org_acme", () => new Promise<void>((resolve) => (finish = resolve)));
    try {
      const search = api.request("/v1/search?q=notes", { token: api.tokens.acme });
      const upload = api.request("/v1/documents", {
        token: api.tokens.acme,
        method: "POST",
        body: { title: "waits its turn", content: "Notes on sodium cells." },
      });
      const otherSearch = await api.request("/v1/search?q=notes", { token: api.tokens.globex });
      const otherUpload = await api.request("/v1/documents", {
        token: api.tokens.globex,
        method: "POST",
        body: { title: "runs at once", content: "Notes on lithium cells." },
      });
      expect([otherSearch.status, otherUpload.status]).toEqual([200, 201]);
      const state = (request: Promise<unknown>) =>
        Promise.race([request.then(() => "answered"), sleep(300, "waiting")]);
      expect(await Promise.all([state(search), state(upload)])).toEqual(["waiting", "waiting"]);
      // A refused token is answered at once, without waiting for anyone's turn.
      const refused = await api.request("/v1/search?q=notes", { token: "rpat_not_a_token" });
      expect(refused.status).toBe(401);
      finish();
      expect([(await search).status, (await upload).status]).toEqual([200, 201]);
    } finally {
      finish();
      await held;
    }
  });

  it("cannot keep a heavy request waiting past the gate's limit: 503 with Retry-After", async () => {
    let finish!: () => void;
    impatientFor = "org_initech";
    const held = impatient("org_initech", () => new Promise<void>((resolve) => (finish = resolve)));
    try {
      const refused = await api.request<{ error: { code: string; message: string } }>(
        "/v1/search?q=notes",
        { token: api.tokens.initech },
      );
      expect(refused.status).toBe(503);
      expect(refused.headers.get("retry-after")).toBeTruthy();
      expect(refused.body.error.code).toBe("unavailable");
      expect(refused.body.error.message).toMatch(/organization already runs 1 search/);
    } finally {
      finish();
      await held;
      impatientFor = null;
    }
    const again = await api.request("/v1/search?q=notes", { token: api.tokens.initech });
    expect(again.status).toBe(200);
  });

  it("cannot run an upload whose client left while it waited for its turn", async () => {
    let finish!: () => void;
    const held = turns("org_acme", () => new Promise<void>((resolve) => (finish = resolve)));
    try {
      const leaving = new AbortController();
      const asked = askedWith.length;
      const abandoned = fetch(`${api.url}/v1/documents`, {
        method: "POST",
        headers: { authorization: `Bearer ${api.tokens.acme}`, "content-type": "application/json" },
        body: JSON.stringify({ title: "abandoned upload", content: "Never stored." }),
        signal: leaving.signal,
      }).catch(() => "left");
      await sleep(200);
      // Queued behind the abandoned one: once it is stored, the abandoned one had its chance.
      const next = api.request("/v1/documents", {
        token: api.tokens.acme,
        method: "POST",
        body: { title: "queued after it", content: "Stored." },
      });
      await sleep(200);
      leaving.abort();
      expect(await abandoned).toBe("left");
      // The server sees the connection close a little later: the turn is released after.
      for (const until = Date.now() + 30_000; Date.now() < until; await sleep(10)) {
        if (askedWith[asked]?.aborted) break;
      }
      expect(askedWith[asked]?.aborted, "the request's signal passed to the gate").toBe(true);
      finish();
      expect((await next).status).toBe(201);
    } finally {
      finish();
      await held;
    }
    const stored = await api.db
      .select({ title: schema.document.title })
      .from(schema.document)
      .where(inArray(schema.document.title, ["abandoned upload", "queued after it"]));
    expect(stored.map((row) => row.title)).toEqual(["queued after it"]);
  });
});
