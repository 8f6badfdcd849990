// The names a new table's pieces get, all derived from its SQL name and domain, following the
// schema's conventions (research_plan -> researchPlan, its child's column plan_id).

/** Postgres identifiers stop at 63 bytes; the longest derived one adds "_tenant_select". */
export const MAX_TABLE_NAME = 40;

export const TABLE_NAME = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;

export const camel = (snake: string) =>
  snake.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());

export const pascal = (snake: string) => {
  const name = camel(snake);
  return name.charAt(0).toUpperCase() + name.slice(1);
};

export function plural(word: string): string {
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(word)) return `${word}es`;
  return `${word}s`;
}

/** The table's name without its domain's prefix: research_plan in research -> plan. */
export function shortName(table: string, domain: string | undefined): string {
  const prefix = `${domain}_`;
  return domain && table.startsWith(prefix) && table.length > prefix.length
    ? table.slice(prefix.length)
    : table;
}
