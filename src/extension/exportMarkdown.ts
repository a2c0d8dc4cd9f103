// "DistilBERT: Export as Markdown": the core builds the report (Markdown + SVG charts) of what the panel
// shows, an inspection or a comparison of two texts (reportSubject.ts decides); this writes `<name>.md` and the
// charts into the sibling folder `<name>-assets/`, each file atomically (atomicWrite.ts; remote file systems
// through vscode.workspace.fs). The save dialog confirms replacing the .md; replacing charts already in the assets
// folder is asked separately (a script's target gets a refusal instead), and nothing else is touched.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { comparisonReport } from '../core/report/comparisonReport';
import { inspectionReport } from '../core/report/inspectionReport';
import type { Report } from '../core/report/markdown';
import type { Inspection } from '../core/types';
import { writeFileAtomic } from './atomicWrite';
import type { Log } from './log';
import type { Notifier } from './notify';
import type { PanelSource } from '../shared/protocol';
import { chooseReportSubject, reportedTexts, type ReportSubject } from './reportSubject';
import { siblingFileUri } from './siblingUri';
import type { Session } from './session';

export type { ReportSubject } from './reportSubject';

/** Where a report goes: the Markdown file and the folder of its charts. */
export interface ReportTarget {
  markdown: vscode.Uri;
  assets: vscode.Uri;
}

/** `foo.md` -> `foo-assets` next to it (a name without extension works the same). */
export function reportTarget(markdown: vscode.Uri): ReportTarget {
  const base = path.posix.basename(markdown.path).replace(/\.[^.]*$/, '') || 'inspection';
  return {
    markdown,
    assets: markdown.with({ path: path.posix.join(path.posix.dirname(markdown.path), `${base}-assets`) }),
  };
}

export class MarkdownExport {
  constructor(
    private readonly subject: () => ReportSubject | undefined,
    private readonly notifier: Notifier,
    private readonly log: Log,
  ) {}

  /** Writes the report to `target` when given (scripts, tests), else where the user chooses. Returns the .md written. */
  async run(target?: vscode.Uri): Promise<vscode.Uri | undefined> {
    const subject = this.subject();
    if (!subject) {
      this.notifier.info(
        'There is nothing to export yet. Run "DistilBERT: Classify Selection" or "DistilBERT: Compare Two Texts..." first.',
      );
      return undefined;
    }
    const scripted = target instanceof vscode.Uri;
    const markdown = scripted ? target : await this.ask(subject);
    if (!markdown) return undefined;
    const where = reportTarget(markdown);
    const report = build(subject, path.posix.basename(where.assets.path));
    const clashes = await this.existing(where.assets, report);
    if (clashes.length > 0 && !(await this.mayReplace(where.assets, clashes, scripted))) return undefined;
    try {
      await this.write(where, report);
    } catch (err) {
      this.notifier.error(
        `Could not write the report to ${fsPathOf(markdown)}: ${errorText(err)}. Choose a writable location.`,
        err,
      );
      return undefined;
    }
    this.log.info(
      `Exported the ${subject.kind} as Markdown to ${markdown.toString()} with ${report.assets.length} charts in ${where.assets.toString()}.`,
    );
    if (!scripted) {
      this.notifier.info(
        `Saved the report to ${fsPathOf(markdown)} (charts in ${path.posix.basename(where.assets.path)}/).`,
        {
          title: 'Open Preview',
          run: () => vscode.commands.executeCommand('markdown.showPreview', markdown),
        },
      );
    }
    return markdown;
  }

  private async ask(subject: ReportSubject): Promise<vscode.Uri | undefined> {
    const defaultUri =
      subject.kind === 'inspection'
        ? siblingFileUri(subject.source?.uri, '.inspection.md')
        : defaultComparisonUri(subject.texts.map((t) => t.uri));
    return vscode.window.showSaveDialog({
      title: subject.kind === 'inspection' ? 'Export Inspection as Markdown' : 'Export Comparison as Markdown',
      ...(defaultUri ? { defaultUri } : {}),
      filters: { Markdown: ['md'] },
      saveLabel: 'Export',
    });
  }

  /** The report's chart files that already exist in the assets folder. */
  private async existing(folder: vscode.Uri, report: Report): Promise<string[]> {
    const found: string[] = [];
    for (const a of report.assets) {
      try {
        await vscode.workspace.fs.stat(vscode.Uri.joinPath(folder, a.fileName));
        found.push(a.fileName);
      } catch {
        // Not there: nothing to replace.
      }
    }
    return found;
  }

  private async mayReplace(folder: vscode.Uri, clashes: string[], scripted: boolean): Promise<boolean> {
    const what = `${fsPathOf(folder)} already holds ${clashes.length} of this report's charts (${clashes.slice(0, 3).join(', ')}${clashes.length > 3 ? ', ...' : ''})`;
    if (scripted) {
      this.notifier.warn(`Not exporting: ${what}. Choose another file name or remove that folder.`);
      return false;
    }
    const replace = 'Replace';
    const picked = await vscode.window.showWarningMessage(`${what}. Replace them?`, { modal: true }, replace);
    return picked === replace;
  }

  /** Charts first, then the Markdown, so a report on disk never points at charts that are not there; each file atomically. */
  private async write(where: ReportTarget, report: Report): Promise<void> {
    await vscode.workspace.fs.createDirectory(where.assets);
    for (const a of report.assets) {
      await writeFileAtomic(
        vscode.Uri.joinPath(where.assets, a.fileName),
        Buffer.from(a.content, 'utf8'),
        vscode.workspace.fs,
      );
    }
    await writeFileAtomic(where.markdown, Buffer.from(report.markdown, 'utf8'), vscode.workspace.fs);
  }
}

/** What an export writes now: the panel's comparison or inspection, else the newest of the two (reportSubject.ts). */
export function reportSubjectNow(session: Session): ReportSubject | undefined {
  const panel = session.panel();
  const shown = session.result();
  const inPanel = panel?.currentInspection();
  let inspection: { inspection: Inspection; text?: string; source?: PanelSource } | undefined;
  if (inPanel && inPanel !== shown?.inspection) {
    // A panel restored after a window reload shows an inspection the session never had: its source is known, its text is not.
    const source = panel?.currentSource();
    inspection = { inspection: inPanel, ...(source ? { source } : {}) };
  } else if (shown) {
    inspection = { inspection: shown.inspection, source: shown.source, text: shown.text };
  }
  const panelComparison = panel?.currentComparisonView();
  const lastComparison = session.lastComparison();
  return chooseReportSubject({
    panelShowsInspection: inPanel !== undefined,
    ...(panel ? { panelExplanations: panel.currentExplanations() } : {}),
    fullTexts: (c) => (lastComparison?.comparison === c ? lastComparison.fullTexts : undefined),
    ...(panelComparison ? { panelComparison } : {}),
    ...(inspection ? { inspection } : {}),
    ...(shown ? { lastInspectionId: shown.requestId } : {}),
    ...(lastComparison ? { lastComparison } : {}),
  });
}

/** The report of an inspection or of a comparison, its charts linked from `assetFolder`. */
function build(subject: ReportSubject, assetFolder: string): Report {
  if (subject.kind === 'comparison')
    return comparisonReport({ comparison: subject.comparison, texts: reportedTexts(subject) }, { assetFolder });
  return inspectionReport(
    {
      inspection: subject.inspection,
      ...(subject.text !== undefined ? { text: subject.text } : {}),
      ...(subject.source ? { source: { fileName: subject.source.fileName, selection: subject.source.selection } } : {}),
      ...(subject.explanations ? { explanations: subject.explanations } : {}),
    },
    { assetFolder },
  );
}

/** Next to the file a compared text came from (B's, else A's: foo.md -> foo.comparison.md); clipboard-only: the dialog's default. */
function defaultComparisonUri(uris: (string | undefined)[]): vscode.Uri | undefined {
  return siblingFileUri(uris[1], '.comparison.md') ?? siblingFileUri(uris[0], '.comparison.md');
}

function fsPathOf(uri: vscode.Uri): string {
  return uri.scheme === 'file' ? uri.fsPath : uri.toString();
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
