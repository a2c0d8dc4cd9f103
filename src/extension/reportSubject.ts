// What "Export ... as Markdown" writes: what the panel shows (a comparison of two texts, or an inspection), and
// when the panel shows neither (closed, running, an error), the newer of the last inspection and the last
// comparison. Free of `vscode`, so the rule is unit-tested in plain Node; extension.ts feeds it the live objects.
import type { AttributionResult } from '../core/attribution/explain';
import type { TextComparison } from '../core/compare/textCompare';
import type { ReportedText } from '../core/report/comparisonReport';
import type { Inspection } from '../core/types';
import type { ComparedText, PanelSource } from '../shared/protocol';

/** An inspection, with its text and origin while the host still knows them. */
export interface InspectionSubject {
  kind: 'inspection';
  inspection: Inspection;
  text?: string;
  source?: PanelSource;
  /** The explanations the panel shows under this inspection (only when the panel shows it). */
  explanations?: AttributionResult[];
}

/** A "Compare Two Texts" result, with the whole texts while the host still has them (else the panel's excerpts). */
export interface ComparisonSubject {
  kind: 'comparison';
  comparison: TextComparison;
  texts: [ComparedText, ComparedText];
  fullTexts?: [string, string];
}

export type ReportSubject = InspectionSubject | ComparisonSubject;

/** The facts the choice depends on, read from the panel and the two commands at the moment of export. */
export interface SubjectSources {
  /** The comparison the panel shows, if it shows one. */
  panelComparison?: { comparison: TextComparison; texts: [ComparedText, ComparedText] };
  /** True when the panel shows an inspection (a result). */
  panelShowsInspection: boolean;
  /** The finished explanations under the panel's inspection. */
  panelExplanations?: AttributionResult[];
  /** The inspection to report: the panel's, else the session's result on show (reportSubjectNow). */
  inspection?: Omit<InspectionSubject, 'kind'>;
  /** Request id of the session's result on show (request ids grow across all commands). */
  lastInspectionId?: number;
  /** The last finished comparison. */
  lastComparison?: { requestId: number; comparison: TextComparison; texts: [ComparedText, ComparedText] };
  /** The whole texts of a comparison, if the session still has them (it keeps the last comparison's). */
  fullTexts(comparison: TextComparison): [string, string] | undefined;
}

function comparisonSubject(
  c: { comparison: TextComparison; texts: [ComparedText, ComparedText] },
  src: SubjectSources,
): ComparisonSubject {
  const full = src.fullTexts(c.comparison);
  return { kind: 'comparison', comparison: c.comparison, texts: c.texts, ...(full ? { fullTexts: full } : {}) };
}

/** The panel's content first; with nothing exportable on show, the most recent of the two kinds; else undefined. */
export function chooseReportSubject(src: SubjectSources): ReportSubject | undefined {
  if (src.panelComparison) return comparisonSubject(src.panelComparison, src);
  const inspection = src.inspection
    ? ({ kind: 'inspection', ...src.inspection } satisfies InspectionSubject)
    : undefined;
  if (src.panelShowsInspection && inspection)
    return src.panelExplanations?.length ? { ...inspection, explanations: src.panelExplanations } : inspection;
  const last = src.lastComparison;
  if (last && (!inspection || src.lastInspectionId === undefined || last.requestId > src.lastInspectionId))
    return comparisonSubject(last, src);
  return inspection;
}

/** The texts as the report quotes them: whole when known, else the panel's excerpts (the report says how much). */
export function reportedTexts(s: ComparisonSubject): [ReportedText, ReportedText] {
  const one = (i: 0 | 1): ReportedText => ({
    what: s.texts[i].what,
    text: s.fullTexts?.[i] ?? s.texts[i].excerpt,
    length: s.texts[i].length,
  });
  return [one(0), one(1)];
}
