import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClientConfig } from "../client-config";
import { httpClient, resultValue } from "./harness";

// `pnpm dev` as a user runs it (its own embedded database, free ports): the client config it
// prints is parsed and used as printed, one MCP client per organization.

const devScript = path.resolve(import.meta.dirname, "../../../api/scripts/dev.ts");
const READY = "Ctrl-C stops the servers";

let dev: ChildProcess;
let dataDir: string;
let config: ClientConfig;

/** The JSON block dev prints after "Client config": from the first "{" line to its closing "}". */
function printedConfig(output: string): ClientConfig {
  const lines = output.split("\n");
  const start = lines.findIndex(
    (line, i) => line === "{" && /Client config/.test(lines[i - 1] ?? ""),
  );
  const end = lines.indexOf("}", start);
  if (start < 0 || end < 0) throw new Error(`dev printed no client config:\n${output}`);
  return JSON.parse(lines.slice(start, end + 1).join("\n")) as ClientConfig;
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "repo-dev-"));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PGLITE_DATA_DIR: dataDir,
    PORT: "0",
    MCP_PORT: "0",
  };
  for (const key of ["DATABASE_URL", "APP_DATABASE_URL", "TEST_DATABASE_URL", "TEST_POOLER_URL"]) {
    delete env[key];
  }
  dev = spawn(process.execPath, ["--import", "tsx", devScript], {
    cwd: path.dirname(path.dirname(devScript)),
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    dev.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(READY)) resolve();
    });
    dev.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    dev.once("exit", (code) => reject(new Error(`pnpm dev exited (${code}):\n${output}`)));
  });
  config = printedConfig(output);
}, 240_000);

afterAll(async () => {
  if (dev && dev.exitCode === null) {
    const exited = new Promise((resolve) => dev.once("exit", resolve));
    dev.kill("SIGINT");
    await exited;
  }
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}, 60_000);

describe("pnpm dev's client config", () => {
  it("can connect an MCP client per organization with the printed values, each seeing its own plans only", async () => {
    const servers = Object.entries(config.mcpServers);
    expect(servers.map(([name]) => name).sort()).toEqual([
      "research-acme",
      "research-globex",
      "research-initech",
    ]);
    for (const [name, server] of servers) {
      const token = server.headers.Authorization.replace(/^Bearer /, "");
      const client: Client = await httpClient(server.url, token);
      try {
        const page = resultValue<{ data: { organizationId: string }[] }>(
          await client.callTool({ name: "list_research_plans", arguments: { limit: 100 } }),
        );
        expect(page.data.length, name).toBeGreaterThan(0);
        const organization = `org_${name.replace(/^research-/, "")}`;
        expect(new Set(page.data.map((plan) => plan.organizationId))).toEqual(
          new Set([organization]),
        );
      } finally {
        await client.close();
      }
    }
  });
});
