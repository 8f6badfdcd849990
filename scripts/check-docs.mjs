// Doc-update detection (part of `pnpm ci:check`): a change to packages/db/src/schema/ or
// packages/db/src/migrations/ must come with a change to the hand-written database docs
// (packages/db/CLAUDE.md, packages/db/docs/ except the generated erd.md), or a commit message
// saying `docs-reviewed`. Before committing, `DOCS_REVIEWED=<anything> pnpm ci:check` says the
// same for the working tree (outside CI only: there the commit message is what counts). Base:
// the previous commit in CI, else the merge-base with origin/main (or main); uncommitted and
// untracked files count as changed.
import { execFileSync } from "node:child_process";

const git = (...args) => {
  try {
    return execFileSync("git", args, {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return "";
  }
};

function baseRevision() {
  if (process.env.DOCS_BASE) return process.env.DOCS_BASE;
  if (process.env.CI) return git("rev-parse", "--verify", "--quiet", "HEAD~1");
  for (const branch of ["origin/main", "main"]) {
    const base = git("merge-base", "HEAD", branch);
    if (base && base !== git("rev-parse", "HEAD")) return base;
  }
  return git("rev-parse", "--verify", "--quiet", "HEAD~1");
}

const base = baseRevision();
if (!base) {
  console.log("check-docs: no base revision (first commit): nothing to compare.");
  process.exit(0);
}

const changed = new Set(
  [git("diff", "--name-only", base), git("ls-files", "--others", "--exclude-standard")]
    .join("\n")
    .split("\n")
    .filter(Boolean),
);
const triggers = [...changed].filter((file) =>
  /^packages\/db\/src\/(schema|migrations)\//.test(file),
);
const docs = [...changed].filter(
  (file) =>
    file === "packages/db/CLAUDE.md" ||
    (file.startsWith("packages/db/docs/") && file !== "packages/db/docs/erd.md"),
);

if (triggers.length === 0 || docs.length > 0) {
  console.log(
    triggers.length === 0
      ? "check-docs: no schema or migration change."
      : `check-docs: schema/migrations changed and docs changed too (${docs.join(", ")}).`,
  );
  process.exit(0);
}

if (!process.env.CI && process.env.DOCS_REVIEWED?.trim()) {
  console.log(
    "check-docs: schema/migrations changed without doc changes; DOCS_REVIEWED is set. Say docs-reviewed in the commit message too: CI reads only that.",
  );
  process.exit(0);
}

const messages = git("log", "--format=%B", `${base}..HEAD`);
if (/\bdocs-reviewed\b/.test(messages)) {
  console.log(
    "check-docs: schema/migrations changed without doc changes; a commit says docs-reviewed.",
  );
  process.exit(0);
}

const pages = [
  "packages/db/CLAUDE.md: Non-Tenant Tables (a new global table and its reason), Adding a table, Migrations",
  ...git("ls-files", "packages/db/docs")
    .split("\n")
    .filter((file) => file && file !== "packages/db/docs/erd.md"),
  "README.md: Database commands (if a command or its output changed)",
];
console.error(
  `check-docs: these changed since ${base.slice(0, 12)} without any change to the database docs:\n` +
    triggers.map((file) => `  ${file}`).join("\n") +
    "\nReview these pages and update what is out of date:\n" +
    pages.map((page) => `  ${page}`).join("\n") +
    "\nIf nothing needs to change, say so with `docs-reviewed` in the commit message (before committing: DOCS_REVIEWED=1 pnpm ci:check).",
);
process.exit(1);
