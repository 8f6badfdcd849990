// What every db:* command shares: flags with --help (an unknown flag is one line plus the
// usage, never a stack) and failures as one line naming the root cause and what to do.
import { type ParseArgsConfig, parseArgs } from "node:util";
import { EnvError, loadEnvFile } from "../connection/env";
import { errorCode, rootCause } from "../connection/errors";

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * Parses argv against `options`; prints `usage` and exits on --help (0) or a bad flag (2).
 * Then loads .env: every db:* command starts here.
 */
export function parseCli<T extends Options>(
  usage: string,
  options: T,
  { allowPositionals = false }: { allowPositionals?: boolean } = {},
) {
  try {
    const parsed = parseArgs({
      options: { ...options, help: { type: "boolean", short: "h" } },
      allowPositionals,
      strict: true,
    });
    if ((parsed.values as { help?: boolean }).help) {
      console.log(usage);
      process.exit(0);
    }
    loadEnvFile();
    return parsed;
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    process.exit(2);
  }
}

/** Hides the password of every postgres:// URL in `text`. */
export function redactSecrets(text: string): string {
  return text.replace(/(postgres(?:ql)?:\/\/[^:/@\s]*:)[^@\s]*@/g, "$1***@");
}

const unreachable = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "CONNECT_TIMEOUT",
]);

/** What to do about `error`, when its root cause is one we recognise. */
export function hintFor(error: unknown): string | undefined {
  const code = errorCode(error);
  const message = rootCause(error).message;
  if (code === "28P01")
    return "the password in DATABASE_URL is wrong; fix it in your shell or .env";
  if (code === "28000" || code === "3D000")
    return "check the user and database name in DATABASE_URL";
  if (code && unreachable.has(code))
    return "is the server running? Check the host and port in DATABASE_URL (or unset it to use the embedded database)";
  if (/extension "vector"|vector\.control/.test(message))
    return "the server lacks pgvector; use the pgvector/pgvector image (`docker compose up -d`) or install postgresql-<version>-pgvector";
  if (code === "42501" && /create role|admin option on role/i.test(message))
    return "the owner in DATABASE_URL lacks CREATEROLE; run `ALTER ROLE <owner> CREATEROLE` as a superuser, or migrate as one";
  if (code === "42501")
    return "the user in DATABASE_URL lacks a privilege this command needs; connect as the database owner";
  if (code === "42P01") return "the database is not migrated; run `pnpm db:migrate` first";
  return undefined;
}

/** One line: what failed, why, and what to do. */
export function describeFailure(error: unknown): string {
  if (error instanceof EnvError) return redactSecrets(error.message);
  const cause = rootCause(error);
  const code = errorCode(error);
  const address = (cause as { address?: string; port?: number }).address;
  const where = address ? ` at ${address}:${(cause as { port?: number }).port}` : "";
  const what =
    code && unreachable.has(code)
      ? `Cannot reach the database server${where} (${code})`
      : `${cause.name === "Error" ? "" : `${cause.name}: `}${cause.message.split("\n")[0]}${code ? ` (${code})` : ""}`;
  const hint = hintFor(error);
  return redactSecrets(hint ? `${what}: ${hint}.` : what);
}

/** Prints a failure as one line on stderr and marks the process failed. */
export function reportFailure(error: unknown): void {
  process.exitCode = 1;
  console.error(describeFailure(error));
}
