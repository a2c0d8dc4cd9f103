// "Compare Two Texts", then "Export ... as Markdown", in a real VS Code: the report of the comparison on show lands
// on disk with its charts, and its numbers are the comparison's and those of each text classified on its own; the
// export follows what the panel shows (comparison or inspection) and, with the panel closed, whichever ran last;
// hostile and long texts are quoted whole and verbatim inside a fence none of their lines can close.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CompareTextsArgs, TextComparisonOutcome } from '../../../src/extension/textCompareCommand';
import { api, classifySelection, closeAll, openEditor, type TestingApi } from './helpers';

const compare = (args: CompareTextsArgs): Promise<TextComparisonOutcome | undefined> =>
  Promise.resolve(
    vscode.commands.executeCommand<TextComparisonOutcome | undefined>('distilbertInspector.compareTexts', args),
  );
const exportMarkdown = (target: vscode.Uri): Promise<vscode.Uri | undefined> =>
  Promise.resolve(vscode.commands.executeCommand<vscode.Uri | undefined>('distilbertInspector.exportMarkdown', target));

/** The rows of the first Markdown table after the line `heading` (cells trimmed, header and rule skipped). */
function table(markdown: string, heading: string): string[][] {
  const at = markdown.indexOf(`\n${heading}\n`);
  assert.ok(at >= 0, `no "${heading}" in the report`);
  const lines = markdown.slice(at).split('\n');
  const start = lines.findIndex((l) => l.startsWith('| '));
  const rows: string[][] = [];
  for (let i = start + 2; i < lines.length && lines[i]!.startsWith('| '); i++)
    rows.push(lines[i]!.slice(2, -2).split(' | '));
  return rows;
}

/** Within half a unit of the last printed digit (+ `extra`). */
function near(printed: string, value: number, what: string, extra = 0): void {
  const decimals = printed.split('.')[1]?.length ?? 0;
  assert.ok(
    Math.abs(Number(printed) - value) <= 0.5 * 10 ** -decimals + 1e-12 + extra,
    `${what}: printed ${printed}, value ${value}`,
  );
}

/** Image links in the report (decoded), relative to its folder. */
const links = (md: string): string[] =>
  [...md.matchAll(/^!\[.*\]\(([^()\s]+\.svg)\)$/gm)].map((m) => decodeURIComponent(m[1]!));

/** The values of a chart's bars (or waterfall steps), as the SVG carries them for hovering. */
function chartValues(file: string, cls: 'bar' | 'step'): number[] {
  const svg = fs.readFileSync(file, 'utf8');
  return [...svg.matchAll(new RegExp(`class="${cls}"[^>]*data-value="([^"]+)"`, 'g'))].map((m) => Number(m[1]));
}

suite('export a comparison as Markdown', () => {
  let a: TestingApi;
  let tmp: string;

  suiteSetup(async () => {
    a = await api();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dbi-cmp-report-'));
  });
  setup(closeAll);
  suiteTeardown(async () => {
    await closeAll();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test("two selections compared, then exported: the .md and its charts hold the comparison's numbers and each text's own", async () => {
    const editor = await openEditor('review.md');
    const line = (n: number): vscode.Selection => new vscode.Selection(n, 0, n, editor.document.lineAt(n).text.length);
    editor.selections = [line(2), line(5)];
    const r = await compare({ source: 'selections' });
    assert.ok(r, JSON.stringify(a.messages().slice(-2)));
    assert.equal(a.panelComparison(), r.comparison, 'the panel shows the comparison');
    const c = r.comparison;
    const target = vscode.Uri.file(path.join(tmp, 'review comparison.md'));
    assert.equal((await exportMarkdown(target))?.toString(), target.toString());
    const md = fs.readFileSync(target.fsPath, 'utf8');

    assert.ok(md.startsWith(`# DistilBERT Inspector comparison: A ${c.a.label}, B ${c.b.label}\n`), md.slice(0, 200));
    assert.ok(
      md.includes('A is selection 1 in review\\.md \\(line 3\\); B is selection 2 in review\\.md \\(line 6\\).'),
      md.slice(0, 400),
    );
    const [textA, textB] = [editor.document.lineAt(2).text, editor.document.lineAt(5).text];
    assert.ok(
      md.includes(`\n\`\`\`text\n${textA}\n\`\`\`\n`) && md.includes(`\n\`\`\`text\n${textB}\n\`\`\`\n`),
      'both lines quoted verbatim',
    );

    const rows = table(md, '## Labels and logits');
    assert.deepEqual(
      rows.map((x) => x[0]),
      c.model.labels,
    );
    rows.forEach((x, i) => {
      const l = c.model.labels[i]!;
      near(x[1]!, c.a.logits[i]!, `logit A ${l}`);
      near(x[2]!, c.b.logits[i]!, `logit B ${l}`);
      near(x[3]!, c.logitDelta[i]!, `Δ logit ${l}`);
      near(x[4]!, c.a.probabilities[l]!, `p A ${l}`);
      near(x[5]!, c.b.probabilities[l]!, `p B ${l}`);
    });
    const stages = table(md, '## How far apart each stage is');
    assert.equal(stages.length, c.model.nLayers + 3);
    stages.forEach((x, i) => {
      const d = c.stages[i]!;
      if (d.cosine === null) assert.equal(x[1], '—');
      else near(x[1]!, d.cosine, `cosine ${x[0]}`);
      near(x[4]!, d.distance, `‖B − A‖ ${x[0]}`);
    });

    // Every link points at a chart on disk and every chart is linked; the charts carry the exact values.
    const assets = path.join(tmp, 'review comparison-assets');
    const files = fs.readdirSync(assets).sort();
    assert.deepEqual(
      links(md)
        .map((l) => path.relative(assets, path.join(tmp, l)))
        .sort(),
      files,
    );
    assert.deepEqual(chartValues(path.join(assets, 'comparison-logit-delta.svg'), 'bar'), c.logitDelta);
    assert.deepEqual(
      chartValues(path.join(assets, 'comparison-cosine.svg'), 'bar'),
      c.stages.map((d) => d.cosine ?? 0),
    );
    c.model.labels.forEach((_, i) => {
      const steps = chartValues(path.join(assets, `comparison-contribution-${i}.svg`), 'step');
      assert.equal(steps[0], c.a.logits[i]);
      assert.equal(steps.at(-1), c.b.logits[i]);
      assert.ok(
        Math.abs(steps.slice(0, -1).reduce((s, v) => s + v, 0) - c.b.logits[i]!) <= 1e-4,
        `waterfall ${i} adds up to B's logit`,
      );
    });

    // Second route: each line through "Classify Selection" (float32 twice on one text: 1e-6 apart at most).
    editor.selection = line(2);
    const one = await classifySelection();
    editor.selection = line(5);
    const two = await classifySelection();
    assert.ok(one && two);
    rows.forEach((x, i) => {
      near(x[1]!, one.inspection.aggregate.logits[i]!, `logit A vs Classify Selection`, 1e-6);
      near(x[2]!, two.inspection.aggregate.logits[i]!, `logit B vs Classify Selection`, 1e-6);
    });
  });

  test('the export follows the panel: its inspection after a comparison, its comparison after an inspection, the newer with the panel closed', async () => {
    const editor = await openEditor('review.md');
    const line = (n: number): vscode.Selection => new vscode.Selection(n, 0, n, editor.document.lineAt(n).text.length);
    const title = async (name: string): Promise<string> => {
      const target = vscode.Uri.file(path.join(tmp, `${name}.md`));
      assert.ok(await exportMarkdown(target), JSON.stringify(a.messages().slice(-2)));
      return fs.readFileSync(target.fsPath, 'utf8').split('\n')[0]!;
    };
    assert.ok(await compare({ texts: ['a wonderful, moving film', 'a dull, tedious mess'] }));
    assert.match(await title('first-comparison'), /^# DistilBERT Inspector comparison: /);
    editor.selection = line(2);
    const r = await classifySelection();
    assert.ok(r && a.panelInspection() === r.inspection);
    assert.equal(await title('then-inspection'), `# DistilBERT Inspector report: ${r.inspection.aggregate.label}`);
    assert.ok(await compare({ texts: ['a wonderful, moving film', 'a dull, tedious mess'] }));
    assert.match(await title('then-comparison'), /^# DistilBERT Inspector comparison: /);
    // The panel closed: no panel to follow, so the newer of the two (the comparison).
    await closeAll();
    assert.equal(a.panelComparison(), undefined);
    assert.match(await title('panel-closed'), /^# DistilBERT Inspector comparison: /);
  });

  test("hostile and long texts: quoted whole (not the panel's 600-character excerpt) inside a fence none of their lines can close", async () => {
    const hostile = 'Fine. </details><script>alert(1)</script>\n```\n| a | b |\n`` ` ```` [x](javascript:alert(2))';
    const long = `${'A slow, careful and rewarding film. '.repeat(40)}END`;
    const r = await compare({ texts: [hostile, long], names: ['evil <i>name</i> | `x`', 'the long one'] });
    assert.ok(r, JSON.stringify(a.messages().slice(-2)));
    assert.ok(r.texts[1].excerpt.length < long.length, 'the panel holds an excerpt only');
    const target = vscode.Uri.file(path.join(tmp, 'hostile.md'));
    assert.ok(await exportMarkdown(target));
    const md = fs.readFileSync(target.fsPath, 'utf8');
    // The longest backtick run in the hostile text is 4, so its fence has 5; the long text is whole.
    assert.ok(
      md.includes(`\n\`\`\`\`\`text\n${hostile}\n\`\`\`\`\`\n`),
      'the hostile text verbatim in a 5-backtick fence',
    );
    assert.ok(md.includes(`\n\`\`\`text\n${long}\n\`\`\`\n`), 'the long text whole');
    assert.ok(md.includes(`${long.length.toLocaleString('en-US')} characters`));
    // Outside the fences nothing of it is raw: the name is escaped, no tag survives.
    const outside = md.replace(/^(`{3,})text\n[\s\S]*?\n\1$/gm, '');
    assert.ok(!/<script|<\/details|<i>/.test(outside), outside.slice(0, 600));
    assert.ok(
      outside.includes('A is evil &lt;i&gt;name&lt;\\/i&gt; &#124; \\`x\\`; B is the long one.'),
      outside.slice(0, 400),
    );
  });
});
