import { createDatabase } from "@repo/db/admin";
import { inArray, schema } from "@repo/db/sql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../app";
import { createLogger } from "../log";
import { type RunningServer, startServer } from "../serve";
import {
  clientFor,
  type Data,
  type ErrorBody,
  ORGS,
  type PlanJson,
  startTestApi,
  type TestApi,
} from "./harness";

// An acknowledged write is never lost: every 201 is a stored row of the caller's
// organization. Runs on every provider; in CI also through PgBouncer in transaction mode
// (TEST_POOLER_URL), where it once lost 223 of 300 acknowledged writes.

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api?.close();
});

const PER_ORG = 100;

interface Outcome {
  org: (typeof ORGS)[number];
  title: string;
  status: number;
  body: Data<PlanJson> | ErrorBody;
}

/** 300 concurrent POSTs, 100 per organization, interleaved. */
async function burst(base: string, label: string): Promise<Outcome[]> {
  const calls = Array.from({ length: PER_ORG }, (_, i) => ORGS.map((org) => ({ org, i }))).flat();
  return Promise.all(
    calls.map(async ({ org, i }) => {
      const title = `${label} ${org} ${i}`;
      const response = await clientFor(base, api.tokens[org]).v1.research.plans.$post({
        json: { title, objective: "durability" },
      });
      const body = (await response.json()) as Outcome["body"];
      return { org, title, status: response.status, body };
    }),
  );
}

/** Stored plans by title, read as the owner. */
async function storedTitles(outcomes: Outcome[]): Promise<Map<string, string>> {
  const rows = await api.db
    .select({ title: schema.researchPlan.title, org: schema.researchPlan.organizationId })
    .from(schema.researchPlan)
    .where(
      inArray(
        schema.researchPlan.title,
        outcomes.map((o) => o.title),
      ),
    );
  return new Map(rows.map((row) => [row.title, row.org]));
}

function check(outcomes: Outcome[], stored: Map<string, string>) {
  const acknowledged = outcomes.filter((o) => o.status === 201);
  const lost = acknowledged.filter((o) => !stored.has(o.title));
  const foreign = acknowledged.filter(
    (o) => (o.body as Data<PlanJson>).data.organizationId !== `org_${o.org}`,
  );
  const misfiled = acknowledged.filter((o) => stored.get(o.title) !== `org_${o.org}`);
  const refusals = outcomes.filter((o) => o.status !== 201);
  return { acknowledged: acknowledged.length, lost, foreign, misfiled, refusals };
}

describe("durability under concurrent writes", () => {
  it("stores every acknowledged write: 300 concurrent POSTs from 3 organizations", async () => {
    const outcomes = await burst(api.url, "durable");
    const result = check(outcomes, await storedTitles(outcomes));
    expect(result.refusals.map((o) => `${o.status} ${JSON.stringify(o.body)}`)).toEqual([]);
    expect(result.lost).toEqual([]);
    expect(result.foreign).toEqual([]);
    expect(result.misfiled).toEqual([]);
    expect(result.acknowledged).toBe(300);
  }, 60_000);

  // Prepared statements on behind a pooler that cannot keep them (the default setting behind
  // PgBouncer < 1.21): requests may fail loudly (503) until the pool notices and turns them
  // off, but an acknowledged write is never lost.
  it.skipIf(!process.env.TEST_POOLER_URL || !process.env.TEST_DATABASE_URL)(
    "cannot lose an acknowledged write behind the pooler with prepared statements left on",
    async () => {
      const handle = createDatabase({ url: api.appUrl!, max: 4, prepare: true });
      let server: RunningServer | undefined;
      try {
        server = await startServer(createApp({ db: handle.db, logger: createLogger("silent") }), {
          port: 0,
          hostname: "127.0.0.1",
        });
        const outcomes = await burst(server.url, "pooled");
        const result = check(outcomes, await storedTitles(outcomes));
        console.log(
          `behind the pooler, prepared statements on: ${result.acknowledged} acknowledged, ${result.refusals.length} refused loudly`,
        );
        expect(result.lost).toEqual([]);
        expect(result.foreign).toEqual([]);
        expect(result.misfiled).toEqual([]);
        expect(
          result.refusals.filter(
            (o) => o.status !== 503 || (o.body as ErrorBody).error.code !== "unavailable",
          ),
        ).toEqual([]);
      } finally {
        await server?.close(1_000);
        await handle.close();
      }
    },
    60_000,
  );
});
