// The XY plot's dots, written as pixels: thousands of small squares drawn as canvas paths
// cost tens of milliseconds at a device pixel ratio of 2 (23–42 ms for 6,000 in headless
// Chromium), written into an ImageData and put on the plot at once about 2 ms. The layer is
// the plot area at the device's pixels; a dot is a square DOT CSS px wide, opaque.

/** A dot's side, CSS px. */
export const DOT = 2;

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export class Dots {
  constructor() {
    this.canvas = document.createElement('canvas');
    this.g = this.canvas.getContext('2d');
    this.image = null;
    this.px = new Uint32Array(0);
    this.dpr = 1;
    /** Colour string → its pixel, as the canvas reads the string (any CSS colour). */
    this.colours = new Map();
  }

  /** A clear layer of `width` × `height` CSS px at `dpr`. */
  begin(width, height, dpr) {
    const w = Math.max(1, Math.round(width * dpr));
    const h = Math.max(1, Math.round(height * dpr));
    if (this.image === null || this.image.width !== w || this.image.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
      this.image = this.g.createImageData(w, h);
      this.px = new Uint32Array(this.image.data.buffer);
    } else {
      this.px.fill(0);
    }
    this.dpr = dpr;
    this.side = Math.max(1, Math.round(DOT * dpr));
  }

  /** The pixel of a CSS colour, opaque. */
  pixel(colour) {
    let p = this.colours.get(colour);
    if (p !== undefined) return p;
    this.g.fillStyle = '#000';
    this.g.fillStyle = colour;
    const hex = /^#([0-9a-f]{6})$/i.exec(this.g.fillStyle)?.[1] ?? '808080';
    const r = parseInt(hex.slice(0, 2), 16);
    const gr = parseInt(hex.slice(2, 4), 16);
    const b = parseInt(hex.slice(4, 6), 16);
    p = LITTLE_ENDIAN ? ((255 << 24) | (b << 16) | (gr << 8) | r) >>> 0 : ((r << 24) | (gr << 16) | (b << 8) | 255) >>> 0;
    this.colours.set(colour, p);
    return p;
  }

  /** A dot centred on (x, y) CSS px of the layer, in `pixel` (from `pixel()`); the part outside is cut. */
  dot(x, y, pixel) {
    const { width: w, height: h } = this.image;
    const s = this.side;
    const left = Math.round(x * this.dpr - s / 2);
    const top = Math.round(y * this.dpr - s / 2);
    const x0 = Math.max(0, left);
    const y0 = Math.max(0, top);
    const x1 = Math.min(w, left + s);
    const y1 = Math.min(h, top + s);
    const px = this.px;
    for (let yy = y0; yy < y1; yy++) {
      const row = yy * w;
      for (let xx = x0; xx < x1; xx++) px[row + xx] = pixel;
    }
  }

  /** Puts the layer on `g` with its top left at (left, top) CSS px. */
  end(g, left, top) {
    this.g.putImageData(this.image, 0, 0);
    g.drawImage(this.canvas, left, top, this.image.width / this.dpr, this.image.height / this.dpr);
  }
}
