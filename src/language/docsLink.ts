// Links from diagnostics (codeDescription) to the pgasm documentation: docs/pgasm.md, at the heading
// of the opcode or directive the rule belongs to. The headings are read from the file itself, so a
// reworded heading moves the link instead of breaking it. A link into the file names the heading's
// line (`#L256`), which is what VS Code's editor jumps to when it opens a file link; heading slugs
// are used only when the file cannot be read and the rendered reference stands in for it.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { opcodeReferenceMarkdown } from '../isa/reference';

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
  /** Plain headings by their lower-case text, for section-level links. */
  private readonly sections: [string, string][] = [];

  /** `docsUri`: where docs/pgasm.md is; by default in the package the server runs from. */
  constructor(readonly docsUri: string | undefined = findDocs()) {
    if (!docsUri) return;
    // docs/pgasm.md renders its opcode section with the same function, so without the file
    // (a checkout that has not generated it yet) the opcode headings are still known.
    let text = opcodeReferenceMarkdown();
    let fromFile = false;
    try {
      if (docsUri.startsWith('file:')) {
        text = readFileSync(fileURLToPath(docsUri), 'utf8');
        fromFile = true;
      }
    } catch {
      // Keep the rendered reference.
    }
    const lines = text.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      const m = /^#{1,6}\s+(.*)$/.exec(lines[i]);
      if (!m) continue;
      const slug = fromFile ? `L${i + 1}` : slugify(m[1]);
      this.sections.push([m[1].toLowerCase(), slug]);
      // The first backquoted word of a heading names its topic (`copy`, `.equ`, `PGA001`).
      for (const t of m[1].matchAll(/`([^`]+)`/g)) {
        const key = t[1].trim().split(/\s+/)[0].toLowerCase();
        if (!this.anchors.has(key)) this.anchors.set(key, slug);
      }
    }
  }

  /**
   * The link for the first topic (mnemonic, directive or diagnostic code) with a heading; failing
   * that, the first section whose heading contains `section`; failing that, the document itself.
   */
  href(topics: (string | undefined)[], section?: string): string | undefined {
    if (!this.docsUri) return undefined;
    for (const t of topics) {
      const slug = t && this.anchors.get(t.toLowerCase());
      if (slug) return `${this.docsUri}#${slug}`;
    }
    const s = section && this.sections.find(([text]) => text.includes(section));
    return s ? `${this.docsUri}#${s[1]}` : this.docsUri;
  }
}

/** docs/pgasm.md of the package this file is part of (dist/.. or src/language/../..). */
function findDocs(): string | undefined {
  let dir = __dirname;
  for (let i = 0; i < 4; i++) {
    if (existsSync(join(dir, 'package.json'))) return pathToFileURL(join(dir, 'docs', 'pgasm.md')).toString();
    dir = dirname(dir);
  }
  return undefined;
}
