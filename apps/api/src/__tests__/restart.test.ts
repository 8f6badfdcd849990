import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createDatabase, migrate, seed } from "@repo/db/admin";
import { sql } from "@repo/db/sql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The production entry through a database crash: a throwaway cluster of its own (the CI
// server serves the other test files), stopped with `pg_ctl -m immediate` under load and
// started again. The process must live, answer 503 (never 500) while the database is gone,
// and answer 200 again within 10 s of its return.

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../../../..");
const apiDir = path.resolve(here, "../..");
const PORT = 5437;
const DATA = `${existsSync("/dev/shm") ? "/dev/shm" : "/tmp"}/repo-db-restart-test`;
const clusterEnv = { ...process.env, REPO_PG_PORT: String(PORT), REPO_PG_DATA: DATA };
const canRun =
  !!process.env.TEST_DATABASE_URL &&
  !process.env.TEST_POOLER_URL &&
  existsSync("/usr/lib/postgresql/15/bin/pg_ctl");

const startCluster = () => run("bash", [path.join(repo, ".ci/postgres.sh")], { env: clusterEnv });
const stopCluster = (mode: "immediate" | "fast") =>
  run("bash", [path.join(repo, ".ci/postgres-stop.sh")], {
    env: { ...clusterEnv, PG_STOP_MODE: mode },
  });

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
    probe.on("error", reject);
  });
}

let api: ChildProcess | undefined;
let base = "";
let token = "";
let output = "";

beforeAll(async () => {
  if (!canRun) return;
  await startCluster();
  const admin = createDatabase({ url: `postgres://postgres@127.0.0.1:${PORT}/postgres`, max: 1 });
  try {
    await admin.db.execute(sql`drop database if exists restart_test with (force)`);
    await admin.db.execute(sql`create database restart_test`);
  } finally {
    await admin.close();
  }
  const owner = createDatabase({
    url: `postgres://postgres@127.0.0.1:${PORT}/restart_test`,
    max: 2,
  });
  try {
    await migrate({ db: owner.db });
    await owner.db.execute(sql`alter role app_runtime password 'app_runtime'`);
    const { tokens } = await seed({ db: owner.db, tier: "dev" });
    token = tokens[0]?.token ?? "";
  } finally {
    await owner.close();
  }
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  api = spawn(process.execPath, ["--import", "tsx", "src/server.ts"], {
    cwd: apiDir,
    env: {
      ...process.env,
      DATABASE_URL: "",
      APP_DATABASE_URL: `postgres://app_runtime:app_runtime@127.0.0.1:${PORT}/restart_test`,
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
      DB_CONNECT_TIMEOUT_SECONDS: "2",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  api.stdout?.on("data", (chunk) => (output += chunk));
  api.stderr?.on("data", (chunk) => (output += chunk));
  const ready = Date.now() + 30_000;
  while (Date.now() < ready) {
    const status = await get("/v1/research/plans?limit=1").catch(() => 0);
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the API did not serve within 30 s:\n${output}`);
}, 120_000);

afterAll(async () => {
  api?.kill("SIGTERM");
  if (canRun) await stopCluster("fast").catch(() => {});
});

async function get(route: string): Promise<number> {
  const response = await fetch(`${base}${route}`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(15_000),
  });
  await response.arrayBuffer();
  return response.status;
}

describe.skipIf(!canRun)("a database restart under load (throwaway cluster)", () => {
  it("can survive it: 503 while the database is down, 200 within 10 s of its return, never 500", async () => {
    const statuses: { at: number; status: number }[] = [];
    let loading = true;
    const load = Array.from({ length: 4 }, async () => {
      while (loading) {
        const status = await get("/v1/research/plans?limit=5").catch(() => -1);
        statuses.push({ at: Date.now(), status });
        if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 50));
      }
    });

    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await stopCluster("immediate");
    const stopped = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    // From here the server may answer (the script starts it, then checks it).
    const restarted = Date.now();
    await startCluster();

    let recoveredAt: number | undefined;
    while (Date.now() - restarted < 10_000) {
      if ((await get("/v1/research/plans?limit=5").catch(() => -1)) === 200) {
        recoveredAt = Date.now();
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    loading = false;
    await Promise.all(load);

    const whileDown = statuses.filter((s) => s.at > stopped + 200 && s.at < restarted);
    const counts = statuses.reduce<Record<number, number>>((acc, s) => {
      acc[s.status] = (acc[s.status] ?? 0) + 1;
      return acc;
    }, {});
    console.log(
      `restart: ${JSON.stringify(counts)}, back after ${recoveredAt === undefined ? "never" : `${recoveredAt - restarted} ms`}`,
    );
    expect(api?.exitCode, output).toBeNull();
    expect(
      statuses.filter((s) => s.status === 500 || s.status === -1),
      output,
    ).toEqual([]);
    expect(whileDown.length).toBeGreaterThan(0);
    expect(
      whileDown.filter((s) => s.status !== 503).map((s) => `${s.status} at +${s.at - stopped} ms`),
    ).toEqual([]);
    expect(recoveredAt, output).toBeDefined();
  }, 60_000);
});
