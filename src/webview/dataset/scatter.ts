// The projection's canvas: thousands of points panned with the mouse (drag) or the arrow keys, zoomed with the
// wheel or +/-. Kept smooth at 10,000 points by writing the points' pixels into one ImageData and putting it
// once per frame (measured in headless Chromium's software canvas, `bench/projectionFps.ts`: two to three
// times the frames of one path per colour, whose anti-aliased rasterisation dominated), at the screen's pixel
// density, and only in the frame after a change.

/** Points to draw: coordinates in data units, and each point's index into `palette`. */
export interface ScatterData {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  colour: Uint8Array;
  palette: string[];
}

/** Pan and zoom: screen = centre + (data - origin) * scale; kept by the caller across re-renders. */
export interface ScatterCamera {
  zoom: number;
  panX: number;
  panY: number;
}

const POINT_CSS_PX = 3;
/** Opacity of one point (of 256): overlapping points show as denser colour. */
const ALPHA = 191;
const HOVER_CSS_PX = 8;

export class Scatter {
  readonly canvas: HTMLCanvasElement;
  private readonly bounds: { x0: number; y0: number; sx: number; sy: number };
  private scheduled = false;
  private image: ImageData | undefined;
  /** The palette as little-endian RGBA words at ALPHA, ready to write into the ImageData. */
  private rgba: number[] = [];
  private drag: { x: number; y: number; moved: boolean } | undefined;

  constructor(
    private readonly data: ScatterData,
    readonly camera: ScatterCamera,
    private readonly cssWidth: number,
    private readonly cssHeight: number,
    private readonly on: { hover(i: number): void; pick(i: number): void; moved(): void },
  ) {
    const c = document.createElement('canvas');
    this.canvas = c;
    c.tabIndex = 0;
    c.style.width = `${cssWidth}px`;
    c.style.height = `${cssHeight}px`;
    c.style.cursor = 'grab';
    let x0 = Infinity,
      x1 = -Infinity,
      y0 = Infinity,
      y1 = -Infinity;
    for (let i = 0; i < data.x.length; i++) {
      x0 = Math.min(x0, data.x[i]!);
      x1 = Math.max(x1, data.x[i]!);
      y0 = Math.min(y0, data.y[i]!);
      y1 = Math.max(y1, data.y[i]!);
    }
    const pad = 12;
    this.bounds = { x0, y0, sx: (cssWidth - 2 * pad) / (x1 - x0 || 1), sy: (cssHeight - 2 * pad) / (y1 - y0 || 1) };
    this.listen();
    this.request();
  }

  /** Screen position (CSS pixels) of point i under the current camera. */
  screen(i: number): [number, number] {
    const { x0, y0, sx, sy } = this.bounds;
    const { zoom, panX, panY } = this.camera;
    const pad = 12;
    const bx = pad + (this.data.x[i]! - x0) * sx,
      by = this.cssHeight - pad - (this.data.y[i]! - y0) * sy;
    return [
      (bx - this.cssWidth / 2) * zoom + this.cssWidth / 2 + panX,
      (by - this.cssHeight / 2) * zoom + this.cssHeight / 2 + panY,
    ];
  }

  /** The point nearest to (mx, my) in CSS pixels, within the hover radius; -1 if none. */
  nearest(mx: number, my: number): number {
    let best = -1,
      bestD = HOVER_CSS_PX ** 2;
    for (let i = 0; i < this.data.x.length; i++) {
      const [px, py] = this.screen(i);
      const d = (px - mx) ** 2 + (py - my) ** 2;
      if (d < bestD) [best, bestD] = [i, d];
    }
    return best;
  }

  pan(dx: number, dy: number): void {
    this.camera.panX += dx;
    this.camera.panY += dy;
    this.changed();
  }

  /** Zooms by `factor` keeping the point under (cx, cy) in place. */
  zoomAt(factor: number, cx: number, cy: number): void {
    const z = Math.min(64, Math.max(0.25, this.camera.zoom * factor));
    const f = z / this.camera.zoom;
    const ox = this.cssWidth / 2 + this.camera.panX,
      oy = this.cssHeight / 2 + this.camera.panY;
    this.camera.panX += (cx - ox) * (1 - f);
    this.camera.panY += (cy - oy) * (1 - f);
    this.camera.zoom = z;
    this.changed();
  }

  reset(): void {
    Object.assign(this.camera, { zoom: 1, panX: 0, panY: 0 });
    this.changed();
  }

  private changed(): void {
    this.on.moved();
    this.request();
  }

  /** Draws in the next animation frame; many changes within one frame cost one draw. */
  private request(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      this.draw();
    });
  }

  private draw(): void {
    const dpr = window.devicePixelRatio || 1;
    const c = this.canvas;
    const w = Math.round(this.cssWidth * dpr),
      h = Math.round(this.cssHeight * dpr);
    if (c.width !== w || c.height !== h) [c.width, c.height] = [w, h];
    const ctx = c.getContext('2d');
    if (!ctx) return;
    if (!this.image || this.image.width !== w || this.image.height !== h) {
      this.rgba = this.data.palette.map((colour) => packedColour(ctx, colour));
      this.image = ctx.createImageData(w, h);
    }
    const px32 = new Uint32Array(this.image.data.buffer);
    px32.fill(0);
    const s = Math.max(1, Math.round(POINT_CSS_PX * dpr)),
      half = s / 2;
    const { x0, y0, sx, sy } = this.bounds;
    const { zoom, panX, panY } = this.camera;
    const pad = 12,
      W = this.cssWidth,
      H = this.cssHeight;
    // screen = a + data * b, folded once per frame so the loop is two multiply-adds per point.
    const bx = sx * zoom * dpr,
      ax = ((pad - x0 * sx - W / 2) * zoom + W / 2 + panX) * dpr - half;
    const by = -sy * zoom * dpr,
      ay = ((H - pad + y0 * sy - H / 2) * zoom + H / 2 + panY) * dpr - half;
    const X = this.data.x,
      Y = this.data.y,
      colour = this.data.colour,
      rgba = this.rgba;
    for (let i = 0; i < X.length; i++) {
      const left = Math.round(ax + X[i]! * bx),
        top = Math.round(ay + Y[i]! * by);
      if (left <= -s || top <= -s || left >= w || top >= h) continue;
      const v = rgba[colour[i]!]!;
      for (let yy = Math.max(0, top); yy < Math.min(h, top + s); yy++) {
        for (let o = yy * w + Math.max(0, left), end = yy * w + Math.min(w, left + s); o < end; o++) {
          const old = px32[o]!;
          px32[o] = old === 0 ? v : over(old, v);
        }
      }
    }
    ctx.putImageData(this.image, 0, 0);
  }

  /** The event's position in the drawing's CSS pixels (inside the canvas's border, whatever its shown size). */
  private local(ev: MouseEvent): [number, number] {
    const c = this.canvas,
      r = c.getBoundingClientRect();
    return [
      ((ev.clientX - r.left - c.clientLeft) / (c.clientWidth || 1)) * this.cssWidth,
      ((ev.clientY - r.top - c.clientTop) / (c.clientHeight || 1)) * this.cssHeight,
    ];
  }

  private listen(): void {
    const c = this.canvas;
    c.addEventListener('pointerdown', (ev) => {
      this.drag = { x: ev.clientX, y: ev.clientY, moved: false };
      try {
        c.setPointerCapture(ev.pointerId); // keeps the drag when the pointer leaves the canvas
      } catch {
        // a pointer that is already gone cannot be captured; the drag still works inside the canvas
      }
      c.style.cursor = 'grabbing';
    });
    c.addEventListener('pointermove', (ev) => {
      if (this.drag) {
        const dx = ev.clientX - this.drag.x,
          dy = ev.clientY - this.drag.y;
        if (this.drag.moved || Math.abs(dx) + Math.abs(dy) > 3) {
          this.drag = { x: ev.clientX, y: ev.clientY, moved: true };
          this.pan(dx, dy);
        }
        return;
      }
      this.on.hover(this.nearest(...this.local(ev)));
    });
    c.addEventListener('pointerup', (ev) => {
      const d = this.drag;
      this.drag = undefined;
      c.style.cursor = 'grab';
      if (d && !d.moved) {
        const i = this.nearest(...this.local(ev));
        if (i >= 0) this.on.pick(i);
      }
    });
    c.addEventListener(
      'wheel',
      (ev) => {
        ev.preventDefault();
        this.zoomAt(Math.exp(-ev.deltaY * 0.0015), ...this.local(ev));
      },
      { passive: false },
    );
    c.addEventListener('dblclick', () => this.reset());
    c.addEventListener('keydown', (ev) => {
      const step = 40;
      const keys: Record<string, () => void> = {
        ArrowLeft: () => this.pan(step, 0),
        ArrowRight: () => this.pan(-step, 0),
        ArrowUp: () => this.pan(0, step),
        ArrowDown: () => this.pan(0, -step),
        '+': () => this.zoomAt(1.25, this.cssWidth / 2, this.cssHeight / 2),
        '=': () => this.zoomAt(1.25, this.cssWidth / 2, this.cssHeight / 2),
        '-': () => this.zoomAt(0.8, this.cssWidth / 2, this.cssHeight / 2),
        '0': () => this.reset(),
      };
      const f = keys[ev.key];
      if (f) {
        ev.preventDefault();
        f();
      }
    });
  }
}

/** A CSS colour (theme variables may hold any syntax) as an RGBA word, read back from a 1-pixel fill. */
function packedColour(ctx: CanvasRenderingContext2D, colour: string): number {
  ctx.clearRect(0, 0, 1, 1);
  ctx.fillStyle = colour;
  ctx.fillRect(0, 0, 1, 1);
  const [r, g, b] = ctx.getImageData(0, 0, 1, 1).data;
  return ((ALPHA << 24) | (b! << 16) | (g! << 8) | r!) >>> 0;
}

/** `top` painted at ALPHA over `under` (both RGBA words): colours mix 3:1, opacity adds up. */
function over(under: number, top: number): number {
  const mix = (shift: number) => ((((top >>> shift) & 0xff) * 3 + ((under >>> shift) & 0xff)) >> 2) << shift;
  const a = under >>> 24;
  return ((Math.min(255, a + (((255 - a) * 3) >> 2)) << 24) | mix(16) | mix(8) | mix(0)) >>> 0;
}
