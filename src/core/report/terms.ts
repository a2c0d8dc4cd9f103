// The report names the head like the panel does (../head/headTerms). The stages' explanations have one source,
// ../present/stageText.ts, which both the panel and the report render (this report: richText.ts).
import { headTerms, type HeadTerms } from '../head/headTerms';

/** The report names the head like the panel does. */
export type ReportTerms = HeadTerms;
export const reportTerms = headTerms;
