// What every db:* command shares: flags with --help (an unknown flag is one line plus the
// usage, never a stack) and failures as one line naming the root cause and what to do.
import { type ParseArgsConfig, parseArgs } from "node:util";
import { EnvError } from "../connection/env";
import { errorCode, rootCause } from "../connection/errors";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** Parses argv against `options`; prints `usage` and exits on --help (0) or a bad flag (2). */
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

/** One line: what failed, why, and what to do. */
export function describeFailure(error: unknown): string {
  if (error instanceof EnvError) return redactSecrets(error.message);
  const cause = rootCause(error);
  const code = errorCode(error);
  const message = cause.message.split("\n")[0] ?? "";
  const where = (cause as { address?: string; port?: number }).address
    ? ` (${(cause as { address?: string }).address}:${(cause as { port?: number }).port})`
    : "";
  let line: string;
  if (code === "28P01")
    line = `${message}: the password in DATABASE_URL is wrong; fix it in your shell or .env.`;
  else if (code === "28000" || code === "3D000")
    line = `${message}: check the user and database name in DATABASE_URL.`;
  else if (
    code === "ECONNREFUSED" ||
    code === "ENOTFOUND" ||
    code === "EAI_AGAIN" ||
    code === "ETIMEDOUT" ||
    code === "EHOSTUNREACH" ||
    code === "CONNECT_TIMEOUT"
  )
    line = `Cannot reach the database server${where} (${code}): is it running? Check the host and port in DATABASE_URL (or unset it to use the embedded database).`;
  else if (/extension "vector"/.test(message) || (code === "58P01" && /vector/.test(message)))
    line = `${message}: the server lacks pgvector; use the pgvector/pgvector image (docker compose up -d) or install postgresql-<version>-pgvector.`;
  else if (code === "42501" && /create role/i.test(message))
    line = `${message}: the owner in DATABASE_URL lacks CREATEROLE; run \`ALTER ROLE <owner> CREATEROLE\` as a superuser, or connect as one.`;
  else if (code === "42501")
    line = `${message}: the user in DATABASE_URL lacks a privilege this command needs; connect as the database owner.`;
  else
    line = `${cause.name === "Error" ? "" : `${cause.name}: `}${message}${code ? ` (${code})` : ""}`;
  return redactSecrets(line);
}

/** Prints a failure as one line on stderr and marks the process failed. */
export function reportFailure(error: unknown): void {
  process.exitCode = 1;
  console.error(describeFailure(error));
}
