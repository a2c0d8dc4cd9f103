// The report composer: a Markdown document built from independent sections, plus the SVG files its images
// point to. A section is a function of a ReportContext, so a new kind of content (an occlusion attribution, a
// comparison of two texts) is one more function in the list, with no change to the others.
import { mdPath, mdText } from './escape';

/** One file written next to the Markdown (in its assets folder). */
export interface ReportAsset {
  fileName: string;
  content: string;
}

/** A finished report: the Markdown text and the files its relative image links point to. */
export interface Report {
  markdown: string;
  assets: ReportAsset[];
}

/** What a section can do besides returning Markdown: add a chart and get the image that shows it. */
export interface ReportContext {
  /**
   * Stores `svg` as `fileName` in the assets folder and returns a Markdown image linking to it. `fileName` is
   * chosen by the section (not by the document or the model), must be a plain name ending in .svg, and must be
   * unique within the report: sections prefix theirs (e.g. `w1-`, `comparison-`).
   */
  image(fileName: string, svg: string, alt: string): string;
}

/** One part of a report: Markdown blocks (joined by blank lines), or undefined to leave itself out. */
export type Section = (ctx: ReportContext) => string | undefined;

export interface ComposeOptions {
  /** The folder the assets are written to, relative to the Markdown file (e.g. `review-assets`). */
  assetFolder: string;
}

const SAFE_ASSET = /^[A-Za-z0-9][A-Za-z0-9._-]*\.svg$/;

/** Runs the sections in order and collects their images; throws on a bad or repeated asset name (a bug). */
export function composeReport(sections: Section[], opts: ComposeOptions): Report {
  const assets: ReportAsset[] = [];
  const names = new Set<string>();
  const ctx: ReportContext = {
    image(fileName, svg, alt) {
      if (!SAFE_ASSET.test(fileName))
        throw new Error(`Report asset name ${JSON.stringify(fileName)} is not a plain .svg file name.`);
      if (names.has(fileName)) throw new Error(`Report asset ${fileName} was added twice.`);
      names.add(fileName);
      assets.push({ fileName, content: svg });
      return `![${mdText(alt)}](${mdPath(opts.assetFolder, fileName)})`;
    },
  };
  const blocks = sections.map((s) => s(ctx)).filter((b): b is string => b !== undefined && b.trim() !== '');
  return { markdown: `${blocks.join('\n\n')}\n`, assets };
}

/** A GFM table. Cells are Markdown already (escape untrusted text with mdText first); `right` marks number columns. */
export function mdTable(head: string[], rows: string[][], right: boolean[] = []): string {
  const align = head.map((_, i) => (right[i] ? '---:' : '---'));
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [line(head), line(align), ...rows.map(line)].join('\n');
}
