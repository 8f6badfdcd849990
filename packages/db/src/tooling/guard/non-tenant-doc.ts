/** A list item naming a table: "- `name`: reason" (the reason may be empty or missing). */
const ITEM = /^[-*]\s+`([^`]+)`\s*:?\s*(.*)$/;

/** The "## Non-Tenant Tables" section of packages/db/CLAUDE.md as table name -> reason. */
export const readNonTenantTables = (markdown: string) =>
  readListSection(markdown, "## Non-Tenant Tables");

/** The "## RLS Bypasses" section of packages/db/CLAUDE.md as function or policy -> reason. */
export const readRlsBypasses = (markdown: string) => readListSection(markdown, "## RLS Bypasses");

/**
 * A "## ..." section of a markdown file as name -> reason, from items "- `name`: reason". An
 * item's reason runs on over its indented continuation lines; the section ends at the next
 * "## " heading. A name listed without a reason maps to "".
 */
function readListSection(markdown: string, heading: string): Map<string, string> {
  const tables = new Map<string, string>();
  const lines = markdown.split(/\r?\n/);
  const start = lines.findIndex((line) => line.trim() === heading);
  if (start === -1) return tables;
  let current: string | undefined;
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith("## ")) break;
    const item = ITEM.exec(line);
    if (item) {
      current = item[1]!;
      tables.set(current, item[2]!.trim());
    } else if (current !== undefined && /^\s+\S/.test(line)) {
      tables.set(current, `${tables.get(current)} ${line.trim()}`.trim());
    } else {
      current = undefined;
    }
  }
  return tables;
}
