// bench:testdb — ms to get one isolated test database (clone of a migrated template or
// snapshot) beside ms to migrate an empty database from scratch, per available provider,
// interleaved in one run. Ends with `bench <name>=<value>` lines.
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { createDatabase, openPglite } from "../src/connection/client";
import { env, loadEnvFile } from "../src/connection/env";
import { migrate } from "../src/migrator";
import { startDockerTestServer } from "../src/testing/docker";
import { createEmbeddedTestDatabase } from "../src/testing/embedded";
import { createServerTestDatabase } from "../src/testing/server";
import type { TestDatabase } from "../src/testing/types";
import { median, time } from "./stats";

loadEnvFile();

const ROUNDS = 7;

interface Provider {
  name: string;
  clone(): Promise<TestDatabase>;
  fresh(): Promise<void>;
}

function embedded(): Provider {
  return {
    name: "embedded",
    clone: createEmbeddedTestDatabase,
    fresh: async () => {
      const handle = createDatabase({ pglite: openPglite() });
      await migrate({ db: handle.db });
      await handle.close();
    },
  };
}

function server(name: string, url: string): Provider {
  return {
    name,
    clone: () => createServerTestDatabase(url),
    fresh: async () => {
      const admin = postgres(url, { max: 1, onnotice: () => {} });
      const database = `repo_bench_${randomBytes(4).toString("hex")}`;
      await admin`create database ${admin(database)}`;
      const target = new URL(url);
      target.pathname = `/${database}`;
      const handle = createDatabase({ url: target.toString(), max: 1 });
      await migrate({ db: handle.db });
      await handle.close();
      await admin`drop database ${admin(database)} with (force)`;
      await admin.end();
    },
  };
}

const providers: Provider[] = [embedded()];
let stopDocker: (() => Promise<void>) | undefined;
const serverUrl = env().TEST_DATABASE_URL;
if (serverUrl) {
  providers.push(server("server", serverUrl));
} else {
  stopDocker = await startDockerTestServer();
  if (stopDocker && process.env.TEST_DATABASE_URL)
    providers.push(server("docker", process.env.TEST_DATABASE_URL));
  else console.log("(no TEST_DATABASE_URL and no Docker engine: server providers skipped)");
}

const lines: string[] = [];
for (const provider of providers) {
  // Warm-up: builds the template / snapshot once, as the first test file of a run does.
  await (await provider.clone()).dispose();
  const clone: number[] = [];
  const fresh: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    let db: TestDatabase | undefined;
    clone.push(
      await time(async () => {
        db = await provider.clone();
        await db.db.execute("select 1");
      }),
    );
    await db?.dispose();
    fresh.push(await time(provider.fresh));
  }
  const cloneMs = median(clone);
  const freshMs = median(fresh);
  console.log(
    `${provider.name}: clone ${cloneMs.toFixed(1)} ms, migrate from scratch ${freshMs.toFixed(1)} ms (median of ${ROUNDS}, interleaved) -> ${(freshMs / cloneMs).toFixed(1)}x`,
  );
  lines.push(
    `bench testdb_clone_ms_${provider.name}=${cloneMs.toFixed(1)}`,
    `bench testdb_fresh_ms_${provider.name}=${freshMs.toFixed(1)}`,
    `bench testdb_speedup_${provider.name}=${(freshMs / cloneMs).toFixed(1)}`,
  );
}
await stopDocker?.();
console.log(lines.join("\n"));
