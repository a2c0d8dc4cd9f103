// Reading a Markdown report back the way a person sees it: rendered by markdown-it (the engine of VS Code's
// Markdown preview) with raw HTML and linkify switched on (the most permissive setting), then parsed into a
// DOM by linkedom. SVGs are checked for well-formedness by sax in strict mode and queried through linkedom.
import assert from 'node:assert/strict';
import { DOMParser, parseHTML } from 'linkedom';
import type { Report } from '../../src/core/report/markdown';

// markdown-it and sax ship with @vscode/vsce (a devDependency); neither has type declarations here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const MarkdownIt = require('markdown-it') as new (opts: object) => { render(src: string): string };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sax = require('sax') as {
  parser(strict: boolean): {
    onerror: (e: Error) => void;
    onopentag: (t: { name: string; attributes: Record<string, string> }) => void;
    ontext: (t: string) => void;
    onclosetag: () => void;
    write(s: string): { close(): void };
  };
};

const md = new MarkdownIt({ html: true, linkify: true });

/** The report as HTML, parsed. */
export function rendered(report: Report): Document {
  const { document } = parseHTML(`<!DOCTYPE html><html><body>${md.render(report.markdown)}</body></html>`);
  return document as unknown as Document;
}

/** Throws unless `svg` is well-formed XML. */
export function assertWellFormed(svg: string, name: string): void {
  const p = sax.parser(true);
  p.onerror = (e: Error) => {
    throw new Error(`${name} is not well-formed XML: ${e.message}`);
  };
  p.write(svg).close();
}

/** Every element of an SVG as a strict XML parser decodes it (linkedom leaves entities in attributes encoded). */
export function svgElements(svg: string): { name: string; attributes: Record<string, string>; text: string }[] {
  const out: { name: string; attributes: Record<string, string>; text: string }[] = [];
  const p = sax.parser(true);
  p.onerror = (e: Error) => {
    throw e;
  };
  const open: { text: string }[] = [];
  p.onopentag = (t) => {
    const el = { name: t.name, attributes: t.attributes, text: '' };
    out.push(el);
    open.push(el);
  };
  p.onclosetag = () => void open.pop();
  p.ontext = (t) => {
    const el = open.at(-1);
    if (el) el.text += t;
  };
  p.write(svg).close();
  return out;
}

/** An SVG asset, checked for well-formedness and parsed. */
export function svgDoc(report: Report, fileName: string): Document {
  const asset = report.assets.find((a) => a.fileName === fileName);
  assert.ok(asset, `no asset ${fileName} in ${report.assets.map((a) => a.fileName).join(', ')}`);
  assertWellFormed(asset.content, fileName);
  return new DOMParser().parseFromString(asset.content, 'image/svg+xml') as unknown as Document;
}

/** The rows (cell texts) of the first table after the heading whose text equals `heading`. */
export function tableAfter(doc: Document, heading: string): string[][] {
  const hs = Array.from(doc.querySelectorAll('h1,h2,h3,h4'));
  const h = hs.find((e) => e.textContent === heading);
  assert.ok(h, `no heading "${heading}" among ${hs.map((e) => JSON.stringify(e.textContent)).join(', ')}`);
  let el: Element | null = h.nextElementSibling;
  while (el && el.tagName !== 'TABLE') {
    assert.ok(!/^H[1-4]$/.test(el.tagName), `no table under "${heading}"`);
    el = el.nextElementSibling;
  }
  assert.ok(el, `no table under "${heading}"`);
  return Array.from(el.querySelectorAll('tbody tr')).map((tr) =>
    Array.from(tr.querySelectorAll('td')).map((td) => td.textContent ?? ''),
  );
}

/** The text of the section that starts at heading `heading` and runs to the next heading of any level. */
export function textAfter(doc: Document, heading: string): string {
  const h = Array.from(doc.querySelectorAll('h1,h2,h3,h4')).find((e) => e.textContent === heading);
  assert.ok(h, `no heading "${heading}"`);
  const out: string[] = [];
  for (let el = h.nextElementSibling; el && !/^H[1-4]$/.test(el.tagName); el = el.nextElementSibling)
    out.push(el.textContent ?? '');
  return out.join('\n');
}

/** A printed number must equal the true value within half a unit of its last printed digit. */
export function assertPrinted(printed: string, value: number, what: string): void {
  const x = Number(printed.replace('−', '-').replace(/^\+/, ''));
  assert.ok(Number.isFinite(x), `${what}: "${printed}" is not a number`);
  const decimals = printed.includes('e') ? undefined : (printed.split('.')[1]?.length ?? 0);
  const tol = decimals === undefined ? Math.abs(value) * 5e-4 : 0.5 * 10 ** -decimals + 1e-12;
  assert.ok(Math.abs(x - value) <= tol, `${what}: printed ${printed}, value ${value}`);
}
