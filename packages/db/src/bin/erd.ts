// `pnpm db:erd`: writes docs/erd.md. `--check`: fails when the file is stale (ci:check).
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { packageRoot } from "../connection/paths";
import { renderErd } from "../tooling/erd";
import { parseCli } from "./cli";

const { values } = parseCli(
  "usage: pnpm db:erd [--check]\n  Writes docs/erd.md from the schema.\n  --check  fail when docs/erd.md is stale instead of writing it",
  { check: { type: "boolean", default: false } },
);

const file = path.join(packageRoot, "docs/erd.md");
const expected = renderErd();

if (values.check) {
  const current = await readFile(file, "utf8").catch(() => "");
  if (current !== expected) {
    console.error(
      `${path.relative(process.cwd(), file)} is stale: the schema changed. Run \`pnpm db:erd\` and commit it.`,
    );
    process.exitCode = 1;
  } else {
    console.log("docs/erd.md is up to date.");
  }
} else {
  await writeFile(file, expected);
  console.log(`Wrote ${path.relative(process.cwd(), file)}`);
}
