// Smoke test in a real VS Code: the packaged extension is installed and active, a .pgasm file opens
// in the Paging Assembly language mode with grammar colours, and the contributed command shows the
// opcode reference. Checks only what a user sees on screen.

import assert from 'node:assert/strict';
import { openSession, Session } from './harness';
import pkg from '../../package.json';

const languageAliases: string[] = pkg.contributes.languages.find((l) => l.id === 'pgasm')?.aliases ?? [];

describe('Paging Lab in VS Code (code-server)', function () {
  let session: Session | undefined;

  before(async function () {
    session = await openSession({ fixture: 'smoke', name: 'smoke' });
    await session.screenshot('workspace-open');
  });

  after(async function () {
    await session?.close();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await session?.screenshot(`failed-${this.currentTest.title}`).catch(() => undefined);
  });

  it('opens hello.pgasm in the Paging Assembly language mode', async function () {
    const wb = session!.workbench;
    await wb.openFile('hello.pgasm');
    const mode = await wb.languageMode();
    await session!.screenshot('pgasm-open');
    assert.ok(languageAliases.length > 0, 'package.json names the pgasm language');
    assert.equal(mode, languageAliases[0], `status bar language mode is "${mode}"`);
  });

  it('colours the mnemonic, the number and the comment by the pgasm grammar', async function () {
    const wb = session!.workbench;
    // The first coloured render can come before every line is: wait (up to the same minute) until the
    // mnemonic, the number and the comment each have their own colour, then check it.
    const byText = (tokens: { text: string; color: string }[], text: (s: string) => boolean) => tokens.find((t) => text(t.text.trim()))?.color;
    const tokens = await wb.poll(
      () => wb.waitForColouredTokens(),
      (ts) => {
        const colours = [byText(ts, (s) => s === 'fill'), byText(ts, (s) => s === '0xDEADBEEF'), byText(ts, (s) => s.startsWith('; clear the first page'))];
        return colours.every(Boolean) && new Set(colours).size === 3;
      },
      60_000,
    );
    await session!.screenshot('pgasm-tokens');
    const find = (pred: (text: string) => boolean, what: string) => {
      const t = tokens.find((tok) => pred(tok.text.trim()));
      assert.ok(t, `no rendered token for ${what}; tokens: ${JSON.stringify(tokens.map((x) => x.text))}`);
      return t;
    };
    const mnemonic = find((s) => s === 'fill', 'the mnemonic `fill`');
    const number = find((s) => s === '0xDEADBEEF', 'the number `0xDEADBEEF`');
    const comment = find((s) => s.startsWith('; clear the first page'), 'the comment');
    const plain = find((s) => s === ',', 'the separator `,`');
    // Without a grammar the whole line is one plain token; with it each scope gets the theme's colour.
    assert.notEqual(mnemonic.className, plain.className, 'mnemonic styled apart from plain text');
    assert.notEqual(mnemonic.color, comment.color, 'mnemonic and comment in different colours');
    assert.notEqual(number.color, comment.color, 'number and comment in different colours');
    assert.notEqual(mnemonic.color, plain.color, 'mnemonic and plain text in different colours');
  });

  it('runs "Paging Lab: Show Paging Opcode Reference" from the command palette', async function () {
    const wb = session!.workbench;
    await wb.runCommand('Paging Lab: Show Paging Opcode Reference');
    const preview = wb.activeWebview();
    const heading = preview.locator('h1', { hasText: 'Paging opcodes' });
    await heading.waitFor({ state: 'visible', timeout: 30_000 }).catch(async (err: Error) => {
      throw new Error(`the opcode reference did not appear (notifications: ${JSON.stringify(await wb.notifications())}): ${err.message}`);
    });
    // One section per opcode, rendered from the opcode table.
    const sections = await preview.locator('h3').allInnerTexts();
    await session!.screenshot('opcode-reference');
    assert.ok(sections.some((s) => s.startsWith('copy')), `a section for copy; sections: ${JSON.stringify(sections)}`);
    assert.ok(sections.some((s) => s.startsWith('fill')), `a section for fill; sections: ${JSON.stringify(sections)}`);
  });
});
