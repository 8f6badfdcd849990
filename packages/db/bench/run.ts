// `pnpm bench [name ...]`: runs every bench/*.bench.ts (this package, then apps/*) in turn, or
// those whose file name contains one of the names, echoes its output, and writes
// bench/RESULTS.md with the `bench <name>=<value>` figures, the machine and the date of each
// run. A benchmark that is skipped here (no server) or not selected keeps its earlier section;
// a failed or missed target exits 1 unless --report-only.
import { spawn } from "node:child_process";
import { readdir, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { parseCli } from "../src/bin/cli";
import { openPglite } from "../src/connection/client";
import { env } from "../src/connection/env";
import { packageRoot, repoRoot } from "../src/connection/paths";

const { values: flags, positionals: selected } = parseCli(
  `usage: pnpm bench [--report-only] [name ...]
  Runs every bench/*.bench.ts (or those whose file name contains a name: pnpm bench rtt tenant)
  and writes bench/RESULTS.md, keeping the sections of the others; exits 1 when one fails or
  misses its target.
  --report-only  write the report but exit 0 whatever the figures`,
  { "report-only": { type: "boolean", default: false } },
  { allowPositionals: true },
);

const benchDir = path.join(packageRoot, "bench");
const resultsFile = path.join(benchDir, "RESULTS.md");

/** The sections of the current RESULTS.md by benchmark name, so a skipped run keeps its figures. */
async function previousSections(): Promise<Map<string, string[]>> {
  const text = await readFile(resultsFile, "utf8").catch(() => "");
  const sections = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of text.split("\n")) {
    const heading = /^## (\S+)/.exec(line);
    if (heading?.[1]) {
      current = [line];
      sections.set(heading[1], current);
    } else current?.push(line);
  }
  return sections;
}
const previous = await previousSections();

/** Every bench/*.bench.ts of this package and of each app, with the folder to run it in. */
async function benchmarks(): Promise<{ name: string; file: string; cwd: string }[]> {
  const apps = path.join(repoRoot, "apps");
  const entries = await readdir(apps, { withFileTypes: true }).catch(() => []);
  const folders = [
    packageRoot,
    ...entries.filter((e) => e.isDirectory()).map((e) => path.join(apps, e.name)),
  ];
  const found: { name: string; file: string; cwd: string }[] = [];
  for (const cwd of folders) {
    const files = await readdir(path.join(cwd, "bench")).catch(() => [] as string[]);
    for (const file of files.filter((f) => f.endsWith(".bench.ts")).sort()) {
      const full = path.join(cwd, "bench", file);
      found.push({ name: path.relative(repoRoot, full), file: full, cwd });
    }
  }
  return found;
}

/** node --import tsx, like the package scripts (the tsx binary would start a second process). */
function runBench(file: string, cwd: string): Promise<{ output: string; code: number }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", file], {
      cwd,
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

const sections: string[] = [];
let failed = false;
const all = await benchmarks();
const unknown = selected.filter(
  (want) => !all.some(({ name }) => path.basename(name).includes(want)),
);
if (unknown.length > 0) {
  console.error(
    `pnpm bench: no benchmark named ${unknown.join(", ")}; there are ${all.map(({ name }) => path.basename(name, ".bench.ts")).join(", ")}`,
  );
  process.exit(2);
}
const runDate = new Date().toISOString();
for (const { name, file, cwd } of all) {
  const kept = previous.get(name);
  if (selected.length > 0 && !selected.some((want) => path.basename(name).includes(want))) {
    if (kept) sections.push(...kept);
    continue;
  }
  console.log(`\n== ${name}`);
  const { output, code } = await runBench(file, cwd);
  failed ||= code !== 0;
  const lines = output.split("\n");
  const figures = lines.filter((line) => line.startsWith("bench "));
  const skipped = lines.find((line) => line.includes("skipped"));
  if (figures.length === 0 && skipped && kept) {
    console.log(`(skipped here: RESULTS.md keeps the earlier figures of ${name})`);
    sections.push(...kept);
    continue;
  }
  failed ||= lines.some((line) => /misses its target/.test(line));
  sections.push(
    `## ${name}${code === 0 ? "" : ` (FAILED, exit ${code})`}`,
    "",
    `Run ${runDate}.`,
    "",
    "```text",
    ...(figures.length > 0 ? figures : [skipped ?? "(no figures)"]),
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
  `- written: ${runDate}${selected.length > 0 ? ` (this run: ${selected.join(", ")}; each section says when it ran)` : ""}`,
  `- machine: ${cpus.length} cores (${cpus[0]?.model.trim()}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.release()}`,
  `- node: ${process.version}`,
  ...(await postgresVersions()).map((line) => `- ${line}`),
  "",
  ...sections,
].join("\n");
await writeFile(resultsFile, report);
console.log("\nWrote bench/RESULTS.md");
if (failed && !flags["report-only"]) process.exitCode = 1;
