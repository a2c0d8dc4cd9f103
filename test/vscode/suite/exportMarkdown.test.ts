// "DistilBERT: Export as Markdown" in a real VS Code: the report and its charts land on disk through
// workspace.fs and agree with the current inspection; existing charts are never replaced without asking (a
// script's target gets a refusal), and an unwritable target gets a message naming it.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  api,
  classifyFile,
  classifySelection,
  closeAll,
  messagesSince,
  openEditor,
  workspaceUri,
  type TestingApi,
} from './helpers';

const exportMarkdown = (target: vscode.Uri): Thenable<vscode.Uri | undefined> =>
  vscode.commands.executeCommand<vscode.Uri | undefined>('distilbertInspector.exportMarkdown', target);

/** The rows of the Markdown table under `## heading` (cells trimmed, header and rule skipped). */
function table(markdown: string, heading: string): string[][] {
  const at = markdown.indexOf(`\n## ${heading}\n`);
  assert.ok(at >= 0, `no "## ${heading}" in the report`);
  const lines = markdown.slice(at).split('\n');
  const start = lines.findIndex((l) => l.startsWith('| '));
  const rows: string[][] = [];
  for (let i = start + 2; i < lines.length && lines[i]!.startsWith('| '); i++)
    rows.push(lines[i]!.slice(2, -2).split(' | '));
  return rows;
}

const plain = (cell: string): string => cell.replace(/\*\*/g, '').replace(/\\(.)/g, '$1');

/** Within half a unit of the last printed digit. */
function near(printed: string, value: number, what: string): void {
  const decimals = printed.split('.')[1]?.length ?? 0;
  assert.ok(
    Math.abs(Number(printed) - value) <= 0.5 * 10 ** -decimals + 1e-12,
    `${what}: printed ${printed}, inspection ${value}`,
  );
}

suite('export Markdown', () => {
  let a: TestingApi;
  let tmp: string;

  suiteSetup(async () => {
    a = await api();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dbi-report-'));
  });
  setup(closeAll);
  suiteTeardown(async () => {
    await closeAll();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('writes the .md and its charts, agreeing with the inspection on show', async () => {
    const editor = await openEditor('review.md');
    const line = editor.document.lineAt(2);
    editor.selection = new vscode.Selection(line.range.start, line.range.end);
    const r = await classifySelection();
    assert.ok(r, 'a result');
    assert.equal(a.panelInspection(), r.inspection, 'the panel shows this result');
    const target = vscode.Uri.file(path.join(tmp, 'review report.md'));
    const written = await exportMarkdown(target);
    assert.equal(written?.toString(), target.toString());
    const md = fs.readFileSync(target.fsPath, 'utf8');
    const ins = r.inspection;

    // The result table: label, probability, logit in the model's label order.
    const rows = table(md, 'Result');
    assert.deepEqual(
      rows.map((x) => plain(x[0]!)),
      ins.model.labels,
    );
    rows.forEach((x, i) => {
      const label = ins.model.labels[i]!;
      near(x[1]!, ins.aggregate.probabilities[label]!, `p(${label})`);
      near(x[2]!, ins.aggregate.logits[i]!, `logit ${label}`);
    });
    assert.ok(md.includes(`Selection in review\\.md: label **${ins.aggregate.label}**`), md.slice(0, 300));
    // The selected text, verbatim, in the excerpt.
    assert.ok(md.includes(`\n${line.text}\n`), 'the excerpt holds the selected line');

    // Every image link points at a chart that exists, and every chart is linked.
    const assets = path.join(tmp, 'review report-assets');
    // Alt texts contain escaped brackets (\[CLS\]), so match the destination: it is percent-encoded, no `)` inside.
    const links = [...md.matchAll(/^!\[.*\]\(([^()\s]+\.svg)\)$/gm)].map((m) => decodeURIComponent(m[1]!));
    const files = fs.readdirSync(assets).sort();
    assert.deepEqual(
      links.map((l) => path.relative(path.join(tmp, 'review report-assets'), path.join(tmp, l))).sort(),
      files,
    );
    assert.ok(
      files.includes('logits.svg') && files.includes('w1-activation.svg') && files.includes('w1-layers.svg'),
      files.join(', '),
    );
    const logits = fs.readFileSync(path.join(assets, 'logits.svg'), 'utf8');
    const values = [...logits.matchAll(/class="bar" data-label="[^"]*" data-value="([^"]+)"/g)].map((m) =>
      Number(m[1]),
    );
    assert.deepEqual(values, ins.aggregate.logits);
    const relu = fs.readFileSync(path.join(assets, 'w1-activation.svg'), 'utf8');
    assert.equal([...relu.matchAll(/class="cell"/g)].length, ins.model.dim);
  });

  test('refuses to replace charts it did not write without asking; the earlier report stays as it was', async () => {
    const editor = await openEditor('short.txt');
    editor.selection = new vscode.Selection(0, 0, 0, editor.document.lineAt(0).text.length);
    assert.ok(await classifySelection());
    const target = vscode.Uri.file(path.join(tmp, 'again.md'));
    assert.ok(await exportMarkdown(target));
    const before = fs.readFileSync(target.fsPath, 'utf8');
    const logitsBefore = fs.readFileSync(path.join(tmp, 'again-assets', 'logits.svg'), 'utf8');
    // A different result, exported to the same name by a script: no dialog can confirm, so it is refused.
    editor.selection = new vscode.Selection(0, 0, 0, 4);
    assert.ok(await classifySelection());
    const from = a.messages().length;
    assert.equal(await exportMarkdown(target), undefined);
    const said = messagesSince(a, from);
    assert.ok(
      said.some((m) => m.level === 'warning' && m.text.includes('again-assets') && m.text.includes('logits.svg')),
      JSON.stringify(said),
    );
    assert.equal(fs.readFileSync(target.fsPath, 'utf8'), before);
    assert.equal(fs.readFileSync(path.join(tmp, 'again-assets', 'logits.svg'), 'utf8'), logitsBefore);
  });

  test('a long file: the windows table lists every window; an unwritable target gets an error naming it', async () => {
    const r = await classifyFile(workspaceUri('long.txt'));
    assert.ok(r && r.inspection.windows.length > 1, 'several windows');
    const target = vscode.Uri.file(path.join(tmp, 'long.md'));
    assert.ok(await exportMarkdown(target));
    const md = fs.readFileSync(target.fsPath, 'utf8');
    const rows = table(md, 'Windows');
    assert.equal(rows.length, r.inspection.windows.length);
    rows.forEach((x, i) => {
      const w = r.inspection.windows[i]!;
      assert.equal(x[1], `${w.start}–${w.end}`);
      near(x[4]!, w.probabilities[w.label]!, `window ${i + 1}`);
    });
    const from = a.messages().length;
    const bad = vscode.Uri.file(path.join(target.fsPath, 'nested.md')); // its "folder" is a file
    assert.equal(await exportMarkdown(bad), undefined);
    assert.ok(
      messagesSince(a, from).some((m) => m.level === 'error' && m.text.includes(bad.fsPath)),
      JSON.stringify(messagesSince(a, from)),
    );
  });

  test('exports replace a file atomically: a new file renamed over the old one, no temporary file left behind', async () => {
    const editor = await openEditor('short.txt');
    editor.selection = new vscode.Selection(0, 0, 0, editor.document.lineAt(0).text.length);
    assert.ok(await classifySelection());
    const dir = fs.mkdtempSync(path.join(tmp, 'atomic-'));
    const json = path.join(dir, 'result.json');
    const md = path.join(dir, 'result.md');
    for (const f of [json, md]) fs.writeFileSync(f, 'an earlier export\n', { mode: 0o640 });
    // A reader that opened the earlier file keeps reading it whole: an in-place write would truncate it under them.
    const inodes = [json, md].map((f) => fs.statSync(f).ino);
    assert.ok(await vscode.commands.executeCommand('distilbertInspector.exportJson', vscode.Uri.file(json)));
    assert.ok(await exportMarkdown(vscode.Uri.file(md)));
    [json, md].forEach((f, i) => {
      const st = fs.statSync(f);
      assert.notEqual(st.ino, inodes[i], `${path.basename(f)} was rewritten in place, not replaced by a rename`);
      assert.equal(st.mode & 0o777, 0o640, `${path.basename(f)} keeps its permissions`);
    });
    assert.doesNotThrow(() => JSON.parse(fs.readFileSync(json, 'utf8')));
    assert.ok(fs.readFileSync(md, 'utf8').startsWith('# '));
    assert.deepEqual(fs.readdirSync(dir).sort(), ['result-assets', 'result.json', 'result.md'], 'no temporary files');
    assert.ok(
      fs.readdirSync(path.join(dir, 'result-assets')).every((f) => f.endsWith('.svg')),
      'only charts in the assets folder',
    );
  });
});
