// `pnpm bench`: runs every bench/*.bench.ts in turn, echoes its output, and writes
// bench/RESULTS.md with the `bench <name>=<value>` figures, the machine and the date.
import { spawn } from "node:child_process";
import { readdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { openPglite } from "../src/client";
import { env } from "../src/env";
import { packageRoot } from "../src/paths";

const benchDir = path.join(packageRoot, "bench");
const tsx = path.join(packageRoot, "node_modules/.bin/tsx");

function runBench(file: string): Promise<{ output: string; code: number }> {
  return new Promise((resolve) => {
    const child = spawn(tsx, [path.join(benchDir, file)], {
      cwd: packageRoot,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      process.stdout.write(chunk);
      output += chunk.toString();
    });
    child.on("exit", (code) => resolve({ output, code: code ?? 1 }));
  });
}

async function postgresVersions(): Promise<string[]> {
  const pglite = openPglite();
  const embedded = await pglite.query<{ v: string }>(
    "select current_setting('server_version') as v",
  );
  const vector = await pglite.query<{ v: string }>(
    "select default_version as v from pg_available_extensions where name = 'vector'",
  );
  await pglite.close();
  const versions = [
    `embedded: PGlite, Postgres ${embedded.rows[0]?.v}, pgvector ${vector.rows[0]?.v}`,
  ];
  const url = env().TEST_DATABASE_URL;
  if (url) {
    const sql = postgres(url, { max: 1 });
    const [server] =
      await sql`select current_setting('server_version') as v, (select default_version from pg_available_extensions where name = 'vector') as vector`;
    await sql.end();
    versions.push(`server: Postgres ${server?.v}, pgvector ${server?.vector}`);
  } else {
    versions.push("server: none (TEST_DATABASE_URL unset)");
  }
  return versions;
}

const files = (await readdir(benchDir)).filter((file) => file.endsWith(".bench.ts")).sort();
const sections: string[] = [];
let failed = false;
for (const file of files) {
  console.log(`\n== ${file}`);
  const { output, code } = await runBench(file);
  failed ||= code !== 0;
  const figures = output.split("\n").filter((line) => line.startsWith("bench "));
  sections.push(
    `## ${file}${code === 0 ? "" : ` (FAILED, exit ${code})`}`,
    "",
    "```text",
    ...figures,
    "```",
    "",
  );
}

const cpus = os.cpus();
const report = [
  "# Benchmark results",
  "",
  "Written by `pnpm bench`; the `bench <name>=<value>` lines are the machine-readable form.",
  "",
  `- date: ${new Date().toISOString()}`,
  `- machine: ${cpus.length} cores (${cpus[0]?.model.trim()}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.release()}`,
  `- node: ${process.version}`,
  ...(await postgresVersions()).map((line) => `- ${line}`),
  "",
  ...sections,
].join("\n");
await writeFile(path.join(benchDir, "RESULTS.md"), report);
console.log("\nWrote bench/RESULTS.md");
if (failed) process.exitCode = 1;
