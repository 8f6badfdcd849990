import { seed } from "@repo/db/admin";
import { createTestDatabase, type TestDatabase } from "@repo/db/testing";
import { hc } from "hono/client";
import { type App, type AppOptions, createApp } from "../app";
import type { ErrorBody } from "../errors";
import { createLogger } from "../log";
import { type RunningServer, startServer } from "../serve";

// Each test file: its own migrated database with the dev seed (three organizations, one demo
// token each), and the real app serving it over HTTP on a random loopback port, connected as
// the runtime role. The owner connection (`db`) is for arranging rows and re-checking them.

export const ORGS = ["acme", "globex", "initech"] as const;
export type OrgKey = (typeof ORGS)[number];

interface RequestOptions {
  /** A bearer token; null sends no Authorization header. */
  token: string | null;
  method?: string;
  /** Serialised as JSON. */
  body?: unknown;
  /** Sent as is (for malformed bodies). */
  rawBody?: string;
  organization?: string;
  headers?: Record<string, string>;
}

interface TestResponse<T> {
  status: number;
  body: T;
  headers: Headers;
}

export interface TestApi {
  readonly url: string;
  /** Owner connection (bypasses RLS): arrange and re-check rows. */
  readonly db: TestDatabase["db"];
  readonly provider: TestDatabase["provider"];
  /** The runtime role's URL of this database (server providers; through TEST_POOLER_URL when set). */
  readonly appUrl: string | undefined;
  /** The seeded demo token of each organization's owner user. */
  readonly tokens: Record<OrgKey, string>;
  /** Raw HTTP, for what a typed client cannot send (malformed or hostile input, odd headers). */
  request<T = unknown>(path: string, options: RequestOptions): Promise<TestResponse<T>>;
  /** The typed client (hono/client): paths, inputs and response bodies typed by the routes. */
  client(token: string, organization?: string): ApiClient;
  close(): Promise<void>;
}

export type ApiClient = ReturnType<typeof hc<App>>;

/** The typed client of the API at `url`, authenticated with `token`. */
export function clientFor(url: string, token: string, organization?: string): ApiClient {
  return hc<App>(url, {
    headers: {
      authorization: `Bearer ${token}`,
      ...(organization === undefined ? {} : { "x-organization-id": organization }),
    },
  });
}

export async function startTestApi(options: Omit<AppOptions, "db"> = {}): Promise<TestApi> {
  const database = await createTestDatabase();
  let server: RunningServer | undefined;
  try {
    const { tokens } = await seed({ db: database.db, tier: "dev" });
    const byOrg = Object.fromEntries(
      tokens.map(({ organization, token }) => [organization.replace(/^org_/, ""), token]),
    ) as Record<OrgKey, string>;
    server = await startServer(
      createApp({
        logger: createLogger(process.env.LOG_LEVEL ?? "silent"),
        ...options,
        db: database.app,
      }),
      {
        port: 0,
        hostname: "127.0.0.1",
      },
    );
    const url = server.url;
    const running = server;
    return {
      url,
      db: database.db,
      appUrl: database.appUrl,
      provider: database.provider,
      tokens: byOrg,
      async request<T>(path: string, options: RequestOptions): Promise<TestResponse<T>> {
        const headers: Record<string, string> = { ...options.headers };
        if (options.token !== null) headers.authorization = `Bearer ${options.token}`;
        if (options.organization !== undefined) headers["x-organization-id"] = options.organization;
        let body: string | undefined = options.rawBody;
        if (options.body !== undefined) body = JSON.stringify(options.body);
        if (body !== undefined) headers["content-type"] ??= "application/json";
        const response = await fetch(`${url}${path}`, {
          method: options.method ?? "GET",
          headers,
          body,
        });
        const text = await response.text();
        return {
          status: response.status,
          body: (text ? JSON.parse(text) : null) as T,
          headers: response.headers,
        };
      },
      client: (token, organization) => clientFor(url, token, organization),
      async close() {
        await running.close(1_000);
        await database.dispose();
      },
    };
  } catch (error) {
    await server?.close(0);
    await database.dispose();
    throw error;
  }
}

export type { ErrorBody };

/** What every list and item route answers. */
export interface Data<T> {
  data: T;
}

export interface Page<T> extends Data<T[]> {
  nextCursor: string | null;
}

export interface PlanJson {
  id: string;
  organizationId: string;
  createdById: string | null;
  title: string;
  objective: string;
  status: string;
  completedAt: string | null;
  createdAt: string;
}
