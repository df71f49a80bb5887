// Links from diagnostics (codeDescription) to the pgasm documentation: docs/pgasm.md, at the heading
// of the opcode or directive the rule belongs to. The headings are read from the file itself, so a
// reworded heading moves the link instead of breaking it.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** GitHub-style heading anchor, which VS Code's Markdown preview also uses. */
export function slugify(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

export class DocsLinks {
  private readonly anchors = new Map<string, string>();

  /** `docsUri`: where docs/pgasm.md is; found next to the server (dist/.. or src/language/../..) if not given. */
  constructor(readonly docsUri: string | undefined = findDocs()) {
    if (!docsUri) return;
    let text = '';
    try {
      if (docsUri.startsWith('file:')) text = readFileSync(fileURLToPath(docsUri), 'utf8');
    } catch {
      text = '';
    }
    for (const line of text.split(/\r?\n/)) {
      const m = /^#{1,6}\s+(.*)$/.exec(line);
      if (!m) continue;
      const slug = slugify(m[1]);
      // The first backquoted word of a heading names its topic (`copy`, `.equ`, `PGA001`).
      for (const t of m[1].matchAll(/`([^`]+)`/g)) {
        const key = t[1].trim().split(/\s+/)[0].toLowerCase();
        if (!this.anchors.has(key)) this.anchors.set(key, slug);
      }
    }
  }

  /** The link for a topic (mnemonic, directive or diagnostic code), or the document itself. */
  href(...topics: (string | undefined)[]): string | undefined {
    if (!this.docsUri) return undefined;
    for (const t of topics) {
      const slug = t && this.anchors.get(t.toLowerCase());
      if (slug) return `${this.docsUri}#${slug}`;
    }
    return this.docsUri;
  }
}

function findDocs(): string | undefined {
  let dir = __dirname;
  for (let i = 0; i < 4; i++) {
    const p = join(dir, 'docs', 'pgasm.md');
    if (existsSync(p)) return pathToFileURL(p).toString();
    dir = dirname(dir);
  }
  // Not shipped (yet): link to where it will be, next to the package root.
  return undefined;
}
