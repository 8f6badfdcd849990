import { getTableColumns, type Table } from "drizzle-orm";
import { z } from "zod";
import { EMBEDDING_DIMENSIONS } from "../schema/search";

// Field refinements shared by the table schemas. Each is a function, so drizzle-zod still adds
// the column's nullable/optional wrappers around the result (a plain schema would replace
// them). They validate and never transform: what parses is what gets written.

/** Text that is not empty, nor only whitespace. */
export const nonBlank = (schema: z.ZodString) =>
  schema.refine((value) => value.trim().length > 0, { message: "Must not be blank" });

export const email = () => z.email();

/** Lowercase words joined by single hyphens, e.g. "acme-labs". */
export const slug = (schema: z.ZodString) =>
  nonBlank(schema).regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, {
    message: "Must be lowercase letters and digits joined by single hyphens",
  });

/** A non-negative integer column (counts, tokens), within drizzle-zod's int32 bounds. */
export const count = (schema: z.ZodInt) => schema.min(0);

/**
 * A Postgres numeric: drizzle reads and writes it as a string, so amounts stay exact.
 * Non-negative, plain decimal notation (no sign, exponent or thousands separator).
 */
export const decimalString = (schema: z.ZodString) =>
  schema.regex(/^\d+(\.\d+)?$/, { message: "Must be a non-negative decimal, e.g. 0.0012" });

/** Lowercase hex sha256, the only form of a token that is stored. */
export const sha256Hex = (schema: z.ZodString) =>
  schema.regex(/^[0-9a-f]{64}$/, { message: "Must be a lowercase hex sha256 (64 characters)" });

/** A jsonb column typed as an object in the schema: drizzle-zod alone accepts any JSON. */
export const jsonObject = () => z.record(z.string(), z.unknown());

/** Largest finite halfvec component; pgvector rejects anything beyond it. */
const HALFVEC_MAX = 65504;

/** Exactly EMBEDDING_DIMENSIONS finite numbers (zod 4 numbers reject NaN and Infinity). */
export const embedding = () =>
  z.array(z.number().min(-HALFVEC_MAX).max(HALFVEC_MAX)).length(EMBEDDING_DIMENSIONS);

/** Columns an insert may leave out: nullable ones, and those with a default. */
type OptionalOnInsert<TTable extends Table> = {
  [K in keyof TTable["_"]["columns"]]: TTable["_"]["columns"][K]["_"]["notNull"] extends true
    ? TTable["_"]["columns"][K]["_"]["hasDefault"] extends true
      ? K
      : never
    : K;
}[keyof TTable["_"]["columns"]];

type WithOptionalOnInsert<TTable extends Table, TShape extends z.core.$ZodShape> = {
  [K in keyof TShape]: K extends OptionalOnInsert<TTable>
    ? TShape[K] extends z.ZodOptional
      ? TShape[K]
      : z.ZodOptional<TShape[K]>
    : TShape[K];
};

/**
 * drizzle-zod 0.8.3 types a function-refined column as required in an insert schema even when
 * the column is nullable or has a default, while at runtime it is optional. This makes the
 * type say what the runtime does (and what `$inferInsert` says); the parsing is unchanged.
 */
export function insertOptionality<TTable extends Table, TShape extends z.core.$ZodShape>(
  table: TTable,
  schema: z.ZodObject<TShape>,
) {
  const optional: Record<string, z.ZodOptional> = {};
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    const field = schema.shape[key];
    if (field && !(field instanceof z.ZodOptional) && (!column.notNull || column.hasDefault)) {
      optional[key] = z.optional(field);
    }
  }
  return schema.extend(optional) as unknown as z.ZodObject<WithOptionalOnInsert<TTable, TShape>>;
}
