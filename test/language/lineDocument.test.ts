// The server's line-based document behaves as vscode-languageserver-textdocument's: after each of
// thousands of seeded random changes (line breaks of every kind among them, ranges past the ends,
// backwards ranges, whole-text replacements) its text is what the library's document has, and its
// lines, positions, offsets and ranges are those of a document freshly made of that text.

import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LineDocument } from '../../src/language/lineDocument';
import { int, pick, rng } from '../isa/generate';

const PIECES = ['a', 'bc', ' ', '\n', '\r', '\r\n', '\n\r', 'x\ny', 'p\r\nq', '', 'é😀', '\n\n', '\r\r'];

describe('language: line document', () => {
  it('agrees with TextDocument after 5,000 random changes', () => {
    const r = rng(41);
    let ours = new LineDocument('file:///x', 'pgasm', 1, 'start: nop\r\n  fill vram:0, 4, 0\n\rend\n');
    let theirs = TextDocument.create('file:///x', 'pgasm', 1, ours.getText());
    const randomPosition = (doc: TextDocument) => ({ line: int(r, -1, doc.lineCount + 1), character: int(r, -1, 12) });
    for (let step = 0; step < 5000; step++) {
      const version = step + 2;
      if (r() < 0.01) {
        const text = Array.from({ length: int(r, 0, 20) }, () => pick(r, PIECES)).join('');
        ours = new LineDocument('file:///x', 'pgasm', version, text);
        theirs = TextDocument.create('file:///x', 'pgasm', version, text);
      } else {
        const changes = Array.from({ length: r() < 0.1 ? 2 : 1 }, () => ({
          range: { start: randomPosition(theirs), end: randomPosition(theirs) },
          text: Array.from({ length: int(r, 0, 3) }, () => pick(r, PIECES)).join(''),
        }));
        ours.update(changes, version);
        // The reference applies each change to a document freshly made of the text before it.
        for (const change of changes) {
          const before = TextDocument.create('file:///x', 'pgasm', version, theirs.getText());
          TextDocument.update(before, [change], version);
          theirs = before;
        }
      }
      const label = `step ${step}: ${JSON.stringify(theirs.getText())}`;
      assert.equal(ours.getText(), theirs.getText(), label);
      // Lines and positions as a document freshly made of the text has them. (The library's own
      // document, updated change after change, drifts from that in rare cases of \r\n formed across
      // edits: its line count can exceed the text's.)
      const truth = TextDocument.create('file:///x', 'pgasm', version, theirs.getText());
      assert.equal(ours.lineCount, truth.lineCount, label);
      assert.equal(ours.version, theirs.version, label);
      for (let k = 0; k < 4; k++) {
        const p = randomPosition(theirs);
        assert.equal(ours.offsetAt(p), truth.offsetAt(p), `${label} offsetAt ${JSON.stringify(p)}`);
        const o = int(r, -2, theirs.getText().length + 2);
        assert.deepEqual(ours.positionAt(o), truth.positionAt(o), `${label} positionAt ${o}`);
        const range = { start: randomPosition(theirs), end: randomPosition(theirs) };
        // A fresh document answers getText(range) from its lines rather than from the joined text.
        const fresh = new LineDocument('file:///x', 'pgasm', 1, '');
        fresh.update([{ text: theirs.getText() }], 1);
        assert.equal(fresh.getText(range), truth.getText(range), `${label} getText ${JSON.stringify(range)}`);
        assert.equal(ours.getText(range), truth.getText(range), `${label} getText ${JSON.stringify(range)}`);
        const line = int(r, -1, truth.lineCount);
        assert.deepEqual(ours.getLineRange(line), truth.getLineRange(line), `${label} getLineRange ${line}`);
        assert.equal(ours.getEOLCharacters(line), truth.getEOLCharacters(line), `${label} getEOLCharacters ${line}`);
      }
    }
  });
});
