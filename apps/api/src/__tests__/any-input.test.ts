import { schema } from "@repo/db/sql";
import { MAX_JSON_BYTES, MAX_STEP_POSITION } from "@repo/db/zod";
import fc from "fast-check";
import { afterAll, beforeAll, describe, it } from "vitest";
import { startTestApi, type TestApi } from "./harness";

// Property: whatever a client sends to any route (body, query string, path id), the answer is
// a 2xx or a 4xx, never a 5xx. Inputs mix arbitrary JSON with the hostile classes that gave
// 500s (prototype keys, lone surrogates, NUL, deep nesting, huge numbers, wrong types,
// overlong strings, forged cursors). Writes go to this file's own database.

/**
 * Generated inputs per route: the run time grows with it (12 routes, each this many
 * requests). `pnpm test` samples 150; `pnpm ci:check` sets TEST_PROPERTY_CASES=1000 for its
 * server passes, so every CI run tries 1,000 per route on a real server.
 */
const CASES_PER_ROUTE = Number(process.env.TEST_PROPERTY_CASES ?? 150);
if (!Number.isInteger(CASES_PER_ROUTE) || CASES_PER_ROUTE < 1) {
  throw new Error(`TEST_PROPERTY_CASES must be a positive integer (got ${CASES_PER_ROUTE})`);
}

let api: TestApi;
/** Seeded rows by id: the token's organization's (own) and the others' (answered 404). */
const ids = {
  plans: { own: [] as string[], others: [] as string[] },
  documents: { own: [] as string[], others: [] as string[] },
};
/** Plans of the token's organization made for DELETE, so the other routes keep theirs. */
let doomedIds: string[] = [];

beforeAll(async () => {
  api = await startTestApi();
  const byOwner = (rows: { id: string; organizationId: string }[]) => ({
    own: rows.filter((row) => row.organizationId === "org_acme").map((row) => row.id),
    others: rows.filter((row) => row.organizationId !== "org_acme").map((row) => row.id),
  });
  const { researchPlan: plan, document } = schema;
  ids.plans = byOwner(
    await api.db.select({ id: plan.id, organizationId: plan.organizationId }).from(plan),
  );
  ids.documents = byOwner(
    await api.db
      .select({ id: document.id, organizationId: document.organizationId })
      .from(document),
  );
  const doomed = await api.db
    .insert(schema.researchPlan)
    .values(
      Array.from({ length: 20 }, (_, i) => ({
        organizationId: "org_acme",
        title: `Doomed ${i}`,
        objective: "Deleted by the property test",
      })),
    )
    .returning({ id: schema.researchPlan.id });
  doomedIds = doomed.map((row) => row.id);
});
afterAll(async () => {
  await api?.close();
});

// ---- strings ------------------------------------------------------------------------------

const PROTOTYPE_KEYS = ["__proto__", "constructor", "toString", "valueOf", "hasOwnProperty"];

/** Pieces that broke something once, or might: mixed into generated strings as single units. */
const HOSTILE_PIECES = [
  "\udfff",
  "\ud800",
  "\ud83d\ude00",
  "\u0000",
  "\ufeff",
  "\uffff",
  "\u202e",
  " ",
  "\t",
  "\n",
  "%",
  "%00",
  "%ED%BF%BF",
  "\\u0000",
  "'",
  '"',
  "--",
  ";",
  "..",
  "/",
  "&",
  "=",
  ...PROTOTYPE_KEYS,
];

const anyChar16 = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));

/** Longer than some limit: an id (256), a search query (1,000), a jsonb value. */
const overlong = (lengths: number[]) =>
  fc
    .tuple(fc.constantFrom(...lengths), fc.constantFrom("x", "é", " "))
    .map(([length, char]) => char.repeat(length));

/** Short enough for a URL: the server refuses request lines over 16 KB before the app runs. */
const hostileShort = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 20 }) },
  {
    weight: 3,
    arbitrary: fc.string({
      unit: fc.oneof(fc.constantFrom(...HOSTILE_PIECES), anyChar16, fc.string({ maxLength: 3 })),
      maxLength: 12,
    }),
  },
  { weight: 1, arbitrary: overlong([257, 1_001]) },
);

// Rare: one in a body is enough to cross the jsonb limit, and large bodies slow every run.
const hostileString = fc.oneof(
  { weight: 200, arbitrary: hostileShort },
  { weight: 1, arbitrary: overlong([MAX_JSON_BYTES + 1]) },
);

const hostileKey = fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS), hostileShort);

const hostileNumber = fc.oneof(
  fc.integer(),
  fc.integer({ min: -3, max: 30 }),
  fc.double(),
  fc.constantFrom(
    0,
    -0,
    0.5,
    2_147_483_647,
    2_147_483_648,
    -2_147_483_649,
    Number.MAX_SAFE_INTEGER + 2,
    1e308,
    MAX_STEP_POSITION,
    MAX_STEP_POSITION + 1,
  ),
);

// ---- JSON values --------------------------------------------------------------------------

const leaf = fc.oneof(hostileString, hostileNumber, fc.boolean(), fc.constant(null));

const { value: hostileValue } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small" }, leaf, tie("array"), tie("object")),
  array: fc.array(tie("value"), { maxLength: 4 }),
  object: fc.dictionary(hostileKey, tie("value"), { maxKeys: 4 }),
}));

const anyValue = fc.oneof(hostileValue, fc.jsonValue({ maxDepth: 3 }));

/** JSON text nested past the jsonb limit, some of it deep enough to overflow recursive code. */
const deepJson = fc
  .tuple(
    fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom(33, 100, 1_000) },
      { weight: 1, arbitrary: fc.constant(5_000) },
    ),
    fc.boolean(),
  )
  .map(([depth, arrays]) =>
    arrays
      ? `${"[".repeat(depth)}${"]".repeat(depth)}`
      : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`,
  );

/** Text JSON.stringify never writes: not JSON, out-of-range numbers, duplicate keys. */
const rawText = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom("", "{", "null", "[]", '"x"', "1e400", '{"title":"a","title":"b"}'),
  deepJson,
);

const ABSENT = Symbol("absent");

/**
 * A body of `fields`, each mostly plausible, sometimes any value or left out, now and then
 * with unknown keys or a deep field; else any JSON value or text that is not JSON.
 */
function bodyOf(fields: Record<string, fc.Arbitrary<unknown>>) {
  const shaped = fc
    .tuple(
      fc.record(
        Object.fromEntries(
          Object.entries(fields).map(([key, plausible]) => [
            key,
            fc.oneof(
              { weight: 8, arbitrary: plausible },
              { weight: 1, arbitrary: anyValue },
              { weight: 1, arbitrary: fc.constant(ABSENT) },
            ),
          ]),
        ),
      ),
      fc.oneof(
        { weight: 6, arbitrary: fc.constant({}) },
        { weight: 1, arbitrary: fc.dictionary(hostileKey, anyValue, { maxKeys: 2 }) },
      ),
      fc.oneof({ weight: 19, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: deepJson }),
    )
    .map(([known, extra, deep]) => {
      const present = Object.entries(known).filter(([, value]) => value !== ABSENT);
      const json = JSON.stringify({ ...extra, ...Object.fromEntries(present) });
      // A deep value spliced in as a field: JSON.stringify would overflow building it.
      return deep === null
        ? json
        : `${json.slice(0, -1)}${json === "{}" ? "" : ","}"metadata":${deep}}`;
    });
  return fc.oneof(
    { weight: 6, arbitrary: shaped },
    { weight: 2, arbitrary: anyValue.map((value) => JSON.stringify(value) ?? "null") },
    { weight: 1, arbitrary: rawText },
  );
}

const text = fc.oneof(
  { weight: 3, arbitrary: fc.string({ minLength: 1, maxLength: 40 }) },
  { weight: 1, arbitrary: hostileString },
);
const planStatus = fc.constantFrom(...schema.researchPlanStatus.enumValues);
const stepStatus = fc.constantFrom(...schema.researchStepStatus.enumValues);
const metadata = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
  },
  { weight: 1, arbitrary: fc.dictionary(hostileKey, anyValue, { maxKeys: 4 }) },
);

// ---- query strings and path ids -----------------------------------------------------------

/** Percent-encodes every UTF-8 byte (a lone surrogate becomes U+FFFD, as in any client). */
const percentEncoded = (value: string) =>
  [...Buffer.from(value, "utf8")].map((byte) => `%${byte.toString(16).padStart(2, "0")}`).join("");

/** Raw URL text: plain, percent-encoded, or broken percent-encoding. */
const urlText = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_.~-]{0,12}$/),
  hostileShort.map(percentEncoded),
  fc.constantFrom("%", "%ZZ", "%ED%BF%BF", "%00", "%C0%AF", "%2F", "%25", "+", "%20"),
);

const digits = (length: number) =>
  fc.integer({ min: 0, max: 10 ** length - 1 }).map((n) => String(n).padStart(length, "0"));

/** A timestamp in the cursor's pattern: real, or shaped right but no date. */
const cursorTime = fc.oneof(
  {
    weight: 1,
    arbitrary: fc
      .date({
        min: new Date("0001-01-01T00:00:00Z"),
        max: new Date("9999-12-31T23:59:59Z"),
        noInvalidDate: true,
      })
      .map((date) => `${date.toISOString().slice(0, 23)}123Z`),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(digits(4), digits(2), digits(2), digits(2), digits(2), digits(2), digits(6))
      .map(([y, mo, d, h, mi, s, us]) => `${y}-${mo}-${d}T${h}:${mi}:${s}.${us}Z`),
  },
  { weight: 1, arbitrary: hostileShort },
);

const cursor = fc
  .oneof(
    {
      weight: 4,
      arbitrary: fc.tuple(cursorTime, fc.oneof(fc.constantFrom("plan_acme_1", ""), hostileShort)),
    },
    { weight: 1, arbitrary: fc.array(anyValue, { maxLength: 3 }) },
    { weight: 1, arbitrary: anyValue },
  )
  .map((value) => Buffer.from(JSON.stringify(value) ?? "").toString("base64url"));

const queryValue = fc.oneof(
  fc.constantFrom(
    "0",
    "1",
    "20",
    "50",
    "100",
    "101",
    "-1",
    "1.5",
    "1e3",
    "0x10",
    "NaN",
    "",
    "99999999999999999999",
  ),
  cursor,
  urlText,
);

const queryString = fc
  .array(
    fc.tuple(
      fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom("limit", "cursor", "q") },
        { weight: 1, arbitrary: fc.constantFrom(...PROTOTYPE_KEYS) },
        { weight: 1, arbitrary: urlText },
      ),
      queryValue,
    ),
    { maxLength: 4 },
  )
  .map((pairs) =>
    pairs.length ? `?${pairs.map(([key, value]) => `${key}=${value}`).join("&")}` : "",
  );

/** A path id: mostly a row of the caller's, some of another organization's, or any text. */
const pathId = (own: string[], others: string[]) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...own) },
    { weight: 1, arbitrary: fc.constantFrom(...others) },
    { weight: 2, arbitrary: urlText },
    { weight: 1, arbitrary: overlong([257, 1_001]) },
  );

// ---- routes -------------------------------------------------------------------------------

interface Case {
  method: string;
  path: string;
  body?: string;
}

interface Route {
  name: string;
  cases: () => fc.Arbitrary<Case>;
}

/**
 * `template`'s ":id" becomes a generated path id (`known()` gives the real ones to mix in), a
 * generated query string follows, and with `fields` a generated JSON body goes along.
 */
function route(
  method: string,
  template: string,
  fields?: Record<string, fc.Arbitrary<unknown>>,
  known = () => (template.startsWith("/v1/documents") ? ids.documents : ids.plans),
): Route {
  return {
    name: `${method} ${template}`,
    cases: () =>
      fc
        .record({
          id: template.includes(":id") ? pathId(known().own, known().others) : fc.constant(""),
          query: queryString,
          body: fields ? bodyOf(fields) : fc.constant(undefined),
        })
        .map(({ id, query, body }) => ({
          method,
          path: `${template.replace(":id", id)}${query}`,
          ...(body === undefined ? {} : { body }),
        })),
  };
}

/** Every route of app.ts and routes/*: one property each. */
const ROUTES: Route[] = [
  route("GET", "/health"),
  route("GET", "/v1/research/plans"),
  route("POST", "/v1/research/plans", {
    title: text,
    objective: text,
    status: planStatus,
    metadata,
  }),
  route("GET", "/v1/research/plans/:id"),
  route("PATCH", "/v1/research/plans/:id/status", { status: planStatus }),
  route("DELETE", "/v1/research/plans/:id", undefined, () => ({
    own: doomedIds,
    others: ids.plans.others,
  })),
  route("GET", "/v1/research/plans/:id/steps"),
  route("POST", "/v1/research/plans/:id/steps", {
    title: text,
    instructions: fc.option(text),
    status: stepStatus,
    position: fc.oneof(fc.integer({ min: 0, max: MAX_STEP_POSITION }), hostileNumber),
  }),
  route("POST", "/v1/documents", {
    title: text,
    content: text,
    sourceUri: fc.option(text),
    mimeType: fc.option(fc.constantFrom("text/plain", "text/markdown")),
    metadata,
  }),
  route("GET", "/v1/documents/:id"),
  route("GET", "/v1/search"),
  route("GET", "/v1/ai/usage/summary"),
];

const shorten = (value: string) =>
  value.length > 300 ? `${value.slice(0, 300)}... (${value.length} characters)` : value;

async function send(input: Case): Promise<void> {
  const response = await fetch(`${api.url}${input.path}`, {
    method: input.method,
    headers: {
      authorization: `Bearer ${api.tokens.acme}`,
      ...(input.body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: input.body,
  });
  const answer = await response.text();
  if (response.status >= 500) {
    throw new Error(
      `${input.method} ${shorten(input.path)} answered ${response.status} ${shorten(answer)}`,
    );
  }
}

// Routes run a few at a time (vitest's maxConcurrency); each sends its cases one by one, so
// fast-check can shrink a failure to the smallest input and print it.
describe.concurrent("any input to any route", () => {
  it.each(ROUTES)(
    "can answer $name with 2xx or 4xx, never 5xx",
    async (route) => {
      await fc.assert(fc.asyncProperty(route.cases(), send), {
        numRuns: CASES_PER_ROUTE,
      });
    },
    240_000,
  );
});
