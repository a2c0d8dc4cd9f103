// Chart colours come from the active VS Code theme's `--vscode-*` variables (read with getComputedStyle), so
// light, dark and high-contrast themes all work; the fallbacks only matter outside VS Code (unit tests).

export interface Palette {
  /** Positive values, "toward" a label. */
  positive: string;
  /** Negative values, "against" a label. */
  negative: string;
  /** Neutral marks (bias, totals, zero lines). */
  neutral: string;
  background: string;
  /** High-contrast themes draw outlines around marks. */
  outline: string | undefined;
}

function cssVar(style: CSSStyleDeclaration | undefined, name: string, fallback: string): string {
  const v = style?.getPropertyValue(name).trim();
  return v ? v : fallback;
}

export function readPalette(): Palette {
  const style =
    typeof getComputedStyle === 'function' && document.documentElement
      ? getComputedStyle(document.documentElement)
      : undefined;
  // The stylesheet's --pos/--neg (on body) already pick two distinct hues per theme kind (Light High Contrast
  // gives charts.orange and charts.blue the same blue); the theme variables are the fallback outside it.
  const body = typeof getComputedStyle === 'function' && document.body ? getComputedStyle(document.body) : undefined;
  const contrast = cssVar(style, '--vscode-contrastBorder', '');
  return {
    // Blue/orange stays distinguishable for the common colour-vision deficiencies, unlike green/red.
    positive: cssVar(body, '--pos', cssVar(style, '--vscode-charts-blue', '#3794ff')),
    negative: cssVar(body, '--neg', cssVar(style, '--vscode-charts-orange', '#d18616')),
    neutral: cssVar(style, '--vscode-charts-foreground', cssVar(style, '--vscode-foreground', '#888888')),
    background: cssVar(style, '--vscode-editor-background', '#1e1e1e'),
    outline: contrast || undefined,
  };
}
