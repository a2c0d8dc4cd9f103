// The projection's canvas: thousands of points panned with the mouse (drag) or the arrow keys, zoomed with the
// wheel or +/-. Kept smooth at 10,000 points by drawing each colour as one path of little squares (one fill
// per colour, no per-point state change), at the screen's pixel density, and only in the frame after a change.

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
const HOVER_CSS_PX = 8;

export class Scatter {
  readonly canvas: HTMLCanvasElement;
  /** Draws done since creation (the benchmark reads it to check that frames really redrew). */
  draws = 0;
  private readonly groups: Int32Array[];
  private readonly bounds: { x0: number; y0: number; sx: number; sy: number };
  private scheduled = false;
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
    // One index list per colour: a frame is then one path and one fill per colour.
    const counts = new Array<number>(data.palette.length).fill(0);
    for (let i = 0; i < data.colour.length; i++) counts[data.colour[i]!]! += 1;
    this.groups = counts.map((n) => new Int32Array(n));
    const fill = new Array<number>(data.palette.length).fill(0);
    for (let i = 0; i < data.colour.length; i++) {
      const k = data.colour[i]!;
      this.groups[k]![fill[k]!++] = i;
    }
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (let i = 0; i < data.x.length; i++) {
      x0 = Math.min(x0, data.x[i]!), x1 = Math.max(x1, data.x[i]!);
      y0 = Math.min(y0, data.y[i]!), y1 = Math.max(y1, data.y[i]!);
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
    const bx = pad + (this.data.x[i]! - x0) * sx, by = this.cssHeight - pad - (this.data.y[i]! - y0) * sy;
    return [(bx - this.cssWidth / 2) * zoom + this.cssWidth / 2 + panX, (by - this.cssHeight / 2) * zoom + this.cssHeight / 2 + panY];
  }

  /** The point nearest to (mx, my) in CSS pixels, within the hover radius; -1 if none. */
  nearest(mx: number, my: number): number {
    let best = -1, bestD = HOVER_CSS_PX ** 2;
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
    const ox = this.cssWidth / 2 + this.camera.panX, oy = this.cssHeight / 2 + this.camera.panY;
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
    const w = Math.round(this.cssWidth * dpr), h = Math.round(this.cssHeight * dpr);
    if (c.width !== w || c.height !== h) [c.width, c.height] = [w, h];
    const ctx = c.getContext('2d');
    if (!ctx) return;
    this.draws++;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, w, h);
    ctx.globalAlpha = 0.75;
    const s = POINT_CSS_PX * dpr, half = s / 2;
    const { x0, y0, sx, sy } = this.bounds;
    const { zoom, panX, panY } = this.camera;
    const pad = 12, W = this.cssWidth, H = this.cssHeight;
    // screen = a + data * b, folded once per frame so the loop is two multiply-adds per point.
    const bx = sx * zoom * dpr, ax = ((pad - x0 * sx - W / 2) * zoom + W / 2 + panX) * dpr - half;
    const by = -sy * zoom * dpr, ay = ((H - pad + y0 * sy - H / 2) * zoom + H / 2 + panY) * dpr - half;
    const X = this.data.x, Y = this.data.y;
    this.groups.forEach((idx, k) => {
      if (!idx.length) return;
      ctx.fillStyle = this.data.palette[k]!;
      ctx.beginPath();
      for (let n = 0; n < idx.length; n++) {
        const i = idx[n]!;
        const px = ax + X[i]! * bx, py = ay + Y[i]! * by;
        if (px > -s && py > -s && px < w && py < h) ctx.rect(px, py, s, s);
      }
      ctx.fill();
    });
  }

  private local(ev: MouseEvent): [number, number] {
    const r = this.canvas.getBoundingClientRect();
    return [((ev.clientX - r.left) / (r.width || 1)) * this.cssWidth, ((ev.clientY - r.top) / (r.height || 1)) * this.cssHeight];
  }

  private listen(): void {
    const c = this.canvas;
    c.addEventListener('pointerdown', (ev) => {
      this.drag = { x: ev.clientX, y: ev.clientY, moved: false };
      c.setPointerCapture?.(ev.pointerId);
      c.style.cursor = 'grabbing';
    });
    c.addEventListener('pointermove', (ev) => {
      if (this.drag) {
        const dx = ev.clientX - this.drag.x, dy = ev.clientY - this.drag.y;
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
    c.addEventListener('wheel', (ev) => {
      ev.preventDefault();
      this.zoomAt(Math.exp(-ev.deltaY * 0.0015), ...this.local(ev));
    }, { passive: false });
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
