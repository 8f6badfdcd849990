import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { packageRoot, repoRoot } from "../connection/paths";

export interface LintFinding {
  /** The migration file, e.g. "0005_add_column.sql". */
  readonly file: string;
  /** 1-based line of the statement. */
  readonly line: number;
  readonly rule: string;
  readonly message: string;
}

// squawk covers drops, type changes and NOT NULL without a default; these two need this
// project's conventions (RLS on tenant tables is the schema guard's: src/tooling/guard), and CREATE INDEX robustness is skipped by squawk inside a
// transaction (which is how our runner applies every migration).
const OWN_RULES = {
  "create-index-unguarded": "CREATE INDEX without IF NOT EXISTS: write CREATE INDEX IF NOT EXISTS.",
  "create-type-unguarded":
    "CREATE TYPE without a guard: wrap it in DO $$ BEGIN CREATE TYPE ...; EXCEPTION WHEN duplicate_object THEN NULL; END $$;",
  "lint-ignore-without-reason":
    "a lint-ignore comment needs a reason: -- lint-ignore: <rule> <reason>",
} as const;

const IGNORE = /^\s*--\s*lint-ignore(-file)?:\s*([a-z0-9-]+)\s*(.*)$/;

interface Statement {
  text: string;
  line: number;
  ignored: Set<string>;
}

/** Statements with their 1-based line and the rules a `-- lint-ignore:` line above them waives. */
function statements(sql: string): { list: Statement[]; fileIgnores: Set<string>; bad: number[] } {
  const list: Statement[] = [];
  const fileIgnores = new Set<string>();
  const bad: number[] = [];
  let pending = new Set<string>();
  let current: Statement | undefined;
  for (const [index, raw] of sql.split("\n").entries()) {
    const ignore = IGNORE.exec(raw);
    if (ignore) {
      if (!ignore[3]?.trim()) bad.push(index + 1);
      (ignore[1] ? fileIgnores : pending).add(ignore[2]!);
      continue;
    }
    const code = raw.replace(/--.*$/, "").trim();
    if (!code) continue;
    if (!current) {
      current = { text: "", line: index + 1, ignored: pending };
      pending = new Set();
    }
    current.text += `${raw}\n`;
    if (
      (/;\s*(--> statement-breakpoint)?\s*$/.test(raw) && !/^\s*DO\s+\$\$/i.test(current.text)) ||
      /END\s*\$\$\s*;/i.test(raw)
    ) {
      list.push(current);
      current = undefined;
    }
  }
  if (current) list.push(current);
  return { list, fileIgnores, bad };
}

function ownFindings(file: string, sql: string): LintFinding[] {
  const { list, fileIgnores, bad } = statements(sql);
  const findings: LintFinding[] = bad.map((line) => ({
    file,
    line,
    rule: "lint-ignore-without-reason",
    message: OWN_RULES["lint-ignore-without-reason"],
  }));
  const add = (statement: Statement, rule: keyof typeof OWN_RULES) => {
    if (statement.ignored.has(rule) || fileIgnores.has(rule)) return;
    findings.push({ file, line: statement.line, rule, message: OWN_RULES[rule] });
  };
  const texts = list.map((statement) => statement.text.replace(/--.*$/gm, "").trim());
  // A table this migration creates unguarded is new when the migration succeeds, and so are
  // its indexes: a guard on them could never fire (what drizzle-kit writes for a new table).
  const created = new Set(
    texts.flatMap((text) => {
      const table = /^CREATE\s+TABLE\s+(?!IF\s+NOT\s+EXISTS)(?:"?public"?\.)?"?(\w+)"?/i.exec(text);
      return table ? [table[1]!] : [];
    }),
  );
  for (const [i, statement] of list.entries()) {
    const text = texts[i]!;
    const indexed = /\sON\s+(?:ONLY\s+)?(?:"?public"?\.)?"?(\w+)"?/i.exec(text)?.[1];
    if (
      /^CREATE\s+(UNIQUE\s+)?INDEX\s+(?!IF\s+NOT\s+EXISTS)/i.test(text) &&
      !(indexed && created.has(indexed))
    )
      add(statement, "create-index-unguarded");
    if (/^CREATE\s+TYPE\s/i.test(text)) add(statement, "create-type-unguarded");
  }
  return findings;
}

interface SquawkFinding {
  file: string;
  line: number;
  rule_name: string;
  message: string;
  help: string | null;
}

/** Runs squawk over copies where `-- lint-ignore` comments are squawk's own ignore comments. */
async function squawkFindings(files: { file: string; sql: string }[]): Promise<LintFinding[]> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), "repo-db-lint-"));
  try {
    for (const { file, sql } of files) {
      const translated = sql
        .split("\n")
        .map((line) => {
          const ignore = IGNORE.exec(line);
          if (!ignore) return line;
          // Our own rules' waivers are not squawk's business (it would call them unused).
          if (ignore[2]! in OWN_RULES) return "--";
          return `-- squawk-ignore${ignore[1] ? "-file" : ""} ${ignore[2]}`;
        })
        .join("\n");
      await writeFile(path.join(scratch, file), translated);
    }
    const squawk = path.join(packageRoot, "node_modules/.bin/squawk");
    const args = [
      "--reporter",
      "json",
      "-c",
      path.join(repoRoot, ".squawk.toml"),
      ...files.map((f) => f.file),
    ];
    const output = await promisify(execFile)(squawk, args, {
      cwd: scratch,
      maxBuffer: 16 * 1024 * 1024,
    }).then(
      (r) => r.stdout,
      (error: { stdout?: string }) => error.stdout ?? "[]",
    );
    const parsed = JSON.parse(output.trim() || "[]") as SquawkFinding[];
    return parsed.map((f) => ({
      file: path.basename(f.file),
      line: f.line + 1,
      rule: f.rule_name,
      message: `${f.message}${f.help ? ` ${f.help}` : ""}`,
    }));
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Lints every .sql file of a migrations folder (or the named ones). */
export async function lintMigrations(
  folder: string,
  only?: readonly string[],
): Promise<LintFinding[]> {
  const names = (only ?? (await readdir(folder)).filter((name) => name.endsWith(".sql")))
    .slice()
    .sort();
  const files = await Promise.all(
    names.map(async (file) => ({ file, sql: await readFile(path.join(folder, file), "utf8") })),
  );
  const findings = [
    ...files.flatMap(({ file, sql }) => ownFindings(file, sql)),
    ...(await squawkFindings(files)),
  ];
  return findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}
