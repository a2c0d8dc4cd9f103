// The one message protocol between the extension host (InspectorPanel) and the inspector webview; both ends
// import it. Every message and state is declared once, as a schema (src/shared/schema.ts): its TypeScript type
// is inferred from the schema and its run-time guard is the schema's check, so the two cannot drift (a webview
// message is untrusted input to the host, and persisted webview state may come from an older version). The
// core's results are checked by schemas pinned to the core's types at compile time.
// The parts, in protocol/: messages.ts (host <-> webview messages), viewState.ts (what the panel shows, what the
// webview persists), reduce.ts (the stale-result rule), cards.ts and attribution.ts (the cards under a result),
// inspection.ts and results.ts (schemas of the core's results).
export { assertNever, reduce } from './protocol/reduce';
export * from './protocol/messages';
export * from './protocol/viewState';
export * from './protocol/cards';
export * from './protocol/attribution';
export { isInspection, inspectionSchema } from './protocol/inspection';
export { isOcclusionResult, isTextComparison, occlusionResultSchema, textComparisonSchema } from './protocol/results';
