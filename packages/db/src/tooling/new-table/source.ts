// Small text edits of TypeScript and markdown sources, for `pnpm db:new-table`. Each either
// makes its edit or throws a ScaffoldError naming the file and the anchor it could not find:
// nothing is written until every edit of a scaffold has succeeded.

/** A refusal or a missing anchor: one line, what happened and what to do. */
export class ScaffoldError extends Error {
  override name = "ScaffoldError";
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The source with `names` imported from `module` (added to its import, or a new import). */
export function ensureImport(
  source: string,
  module: string,
  names: string[],
  { typeOnly = false } = {},
): string {
  const existing = new RegExp(`import (type )?\\{([^}]*)\\} from "${escapeRegExp(module)}";`).exec(
    source,
  );
  if (existing) {
    const present = existing[2]!
      .split(",")
      .map((name) => name.trim())
      .filter(Boolean);
    const missing = names.filter((name) => !present.includes(name));
    if (missing.length === 0) return source;
    const all = [...present, ...missing].sort((a, b) => a.localeCompare(b));
    const keyword = existing[1] && !typeOnly ? "" : (existing[1] ?? "");
    const line = `import ${keyword}{ ${all.join(", ")} } from "${module}";`;
    return source.replace(existing[0], line);
  }
  const line = `import ${typeOnly ? "type " : ""}{ ${names.join(", ")} } from "${module}";\n`;
  const imports = [...source.matchAll(/^import [\s\S]*? from "[^"]+";\n/gm)];
  const last = imports.at(-1);
  const at = last ? last.index + last[0].length : 0;
  return source.slice(0, at) + line + source.slice(at);
}

/** `block` inserted on the line before the first line containing `anchor`. */
export function insertBeforeLine(
  source: string,
  anchor: string,
  block: string,
  file: string,
): string {
  const at = source.indexOf(anchor);
  if (at === -1) throw new ScaffoldError(`${file} has no line "${anchor}": restore it there`);
  const lineStart = source.lastIndexOf("\n", at) + 1;
  return source.slice(0, lineStart) + block + source.slice(lineStart);
}

/**
 * `line` inserted as the last element of the array or call that `opener` starts, before the
 * first `closer` after it (e.g. opener "export const X = [", closer "\n];").
 */
export function insertBeforeCloser(
  source: string,
  opener: string,
  closer: string,
  line: string,
  file: string,
): string {
  const start = source.indexOf(opener);
  if (start === -1) throw new ScaffoldError(`${file} has no "${opener}": restore it there`);
  const end = source.indexOf(closer, start + opener.length);
  if (end === -1)
    throw new ScaffoldError(`${file}: "${opener}" is not closed by "${closer.trim()}"`);
  return `${source.slice(0, end)}\n${line}${source.slice(end)}`;
}

/** The source with `block` after its last line, separated by one blank line. */
export function append(source: string, block: string): string {
  return `${source.trimEnd()}\n\n${block.trimEnd()}\n`;
}

/**
 * A `relations(table, ({ one, many }) => ({` block of relations.ts with `line` as its first
 * entry, `many` added to its helpers; undefined when `table` has no relations block.
 */
export function addManyRelation(
  source: string,
  tableExport: string,
  key: string,
  line: string,
): string | undefined {
  const header = new RegExp(
    `relations\\(${escapeRegExp(tableExport)}, \\(\\{ ([^}]*) \\}\\) => \\(\\{\\n`,
  ).exec(source);
  if (!header) return undefined;
  const body = source.slice(header.index + header[0].length, source.indexOf("}));", header.index));
  if (new RegExp(`^\\s+${escapeRegExp(key)}:`, "m").test(body)) return undefined;
  const helpers = header[1]!.split(",").map((helper) => helper.trim());
  if (!helpers.includes("many")) helpers.push("many");
  const replaced = header[0].replace(header[1]!, helpers.join(", "));
  return (
    source.slice(0, header.index) +
    replaced +
    `  ${line}\n` +
    source.slice(header.index + header[0].length)
  );
}

/** The keys a relations block of `tableExport` already has (empty when none). */
export function relationKeys(source: string, tableExport: string): Set<string> {
  const header = new RegExp(`relations\\(${escapeRegExp(tableExport)}, `).exec(source);
  if (!header) return new Set();
  const body = source.slice(header.index, source.indexOf("}));", header.index));
  return new Set([...body.matchAll(/^ {2}(\w+):/gm)].map((match) => match[1]!));
}

/** The markdown with `item` appended to the list under `heading` (a "## " section). */
export function appendToSectionList(
  markdown: string,
  heading: string,
  item: string,
  file: string,
): string {
  const lines = markdown.split("\n");
  const start = lines.findIndex((line) => line.trim() === heading);
  if (start === -1) throw new ScaffoldError(`${file} has no "${heading}" section: restore it`);
  let last = -1;
  for (let i = start + 1; i < lines.length && !lines[i]!.startsWith("## "); i++) {
    const line = lines[i]!;
    if (line.startsWith("- ") || (last === i - 1 && /^\s+\S/.test(line))) last = i;
  }
  if (last === -1) throw new ScaffoldError(`${file}: "${heading}" has no list to add to`);
  lines.splice(last + 1, 0, item);
  return lines.join("\n");
}
