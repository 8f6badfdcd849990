const HEADING = "## Non-Tenant Tables";

/** A list item naming a table: "- `name`: reason" (the reason may be empty or missing). */
const ITEM = /^[-*]\s+`([^`]+)`\s*:?\s*(.*)$/;

/**
 * The "## Non-Tenant Tables" section of packages/db/CLAUDE.md as table name -> reason. An
 * item's reason runs on over its indented continuation lines; the section ends at the next
 * "## " heading. A table listed without a reason maps to "".
 */
export function readNonTenantTables(markdown: string): Map<string, string> {
  const tables = new Map<string, string>();
  const lines = markdown.split(/\r?\n/);
  const start = lines.findIndex((line) => line.trim() === HEADING);
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
