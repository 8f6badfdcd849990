/** Longest chunk, in characters: a paragraph or a few, about one passage to embed. */
export const CHUNK_CHARS = 500;

const SENTENCE_END = /(?<=[.!?])\s+/;

/** Splits text longer than `max` at sentence ends, then at spaces, then anywhere. */
function split(text: string, max: number): string[] {
  if (text.length <= max) return [text];
  for (const separator of [SENTENCE_END, /\s+/]) {
    const parts = text.split(separator).filter((part) => part.length > 0);
    if (parts.length > 1)
      return pack(
        parts.flatMap((part) => split(part, max)),
        max,
        " ",
      );
  }
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += max) pieces.push(text.slice(i, i + max));
  return pieces;
}

/** Joins consecutive parts while the result stays within `max`. */
function pack(parts: readonly string[], max: number, glue: string): string[] {
  const chunks: string[] = [];
  let current = "";
  for (const part of parts) {
    if (current && current.length + glue.length + part.length <= max) {
      current += glue + part;
    } else {
      if (current) chunks.push(current);
      current = part;
    }
  }
  if (current) chunks.push(current);
  return chunks;
}

/**
 * Paragraphs (blank-line separated), short neighbours merged and long ones split at sentence
 * ends, so every chunk has at most `max` characters and none is blank.
 */
export function chunkText(text: string, max = CHUNK_CHARS): string[] {
  const paragraphs = text
    .replace(/\r\n?/g, "\n")
    .split(/\n[ \t]*\n/)
    .map((paragraph) => paragraph.trim())
    .filter((paragraph) => paragraph.length > 0);
  return pack(
    paragraphs.flatMap((paragraph) => split(paragraph, max)),
    max,
    "\n\n",
  );
}
