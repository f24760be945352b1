// Non-text contrast of the walkthrough's spotlight ring, measured on the rendered page (WCAG 2.2
// success criterion 1.4.11: 3:1 against the adjacent colours). A screenshot's pixels are read
// across the ring at the middle of its left, right and top edges (the tooltip sits below the
// target): the ring's bands (its border, and what is drawn just outside it unless that is the
// dimmed page itself) and the colours beside it on either side — inside, the page around the
// target (where the app draws its own focus ring), outside, the dimmed page. The ring stands out
// when, against each of those neighbours, one of its bands reaches 3:1 (a two-colour indicator,
// technique C40). A single blue ring next to an app's blue focus ring does not.
import { inflateSync } from 'node:zlib';

/** Decodes an 8-bit, non-interlaced RGB or RGBA PNG (what Chromium's screenshots are). */
export function decodePng(buf) {
  const sig = '89504e470d0a1a0a';
  if (buf.subarray(0, 8).toString('hex') !== sig) throw new Error('not a PNG');
  let off = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat = [];
  while (off < buf.length) {
    const len = buf.readUInt32BE(off);
    const type = buf.subarray(off + 4, off + 8).toString('latin1');
    const data = buf.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const depth = data[8];
      const colour = data[9];
      const interlace = data[12];
      if (depth !== 8 || interlace !== 0 || (colour !== 2 && colour !== 6)) throw new Error(`unsupported PNG (depth ${depth}, colour type ${colour}, interlace ${interlace})`);
      channels = colour === 6 ? 4 : 3;
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    off += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const px = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = px.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? px.subarray((y - 1) * stride, y * stride) : null;
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? out[i - channels] : 0;
      const b = prev ? prev[i] : 0;
      const c = prev && i >= channels ? prev[i - channels] : 0;
      let v = line[i];
      if (filter === 1) v += a;
      else if (filter === 2) v += b;
      else if (filter === 3) v += (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      out[i] = v & 0xff;
    }
  }
  return {
    width,
    height,
    at(x, y) {
      const i = (Math.round(y) * width + Math.round(x)) * channels;
      return [px[i], px[i + 1], px[i + 2]];
    },
  };
}

/** WCAG relative luminance of an sRGB colour [r, g, b] (0–255). */
export function luminance([r, g, b]) {
  const lin = (v) => {
    const c = v / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

export function contrast(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

const hex = (c) => `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;

/**
 * The ring's contrast at three edges. `spot` is the spotlight's border box in CSS pixels with its
 * border width (harness `overlay().spot`); `scale` the screenshot's pixels per CSS pixel. Returns,
 * per edge, the colours read and the ring's best contrast against the inside and the outside
 * neighbour; `worst` is the lowest of those.
 */
export function ringContrast(png, spot, scale = 1) {
  const bw = spot.borderWidth;
  const left = spot.x;
  const right = spot.x + spot.width;
  const top = spot.y;
  const midY = spot.y + spot.height / 2;
  const midX = spot.x + spot.width / 2;
  // Offsets in CSS pixels along the normal of each edge, chosen to land wholly inside each band
  // whatever the fractional position: the border [edge, edge + bw), just outside it
  // [edge - 2, edge), the page just inside the ring, the dimmed page well outside it.
  const edges = [
    { edge: 'left', at: (d) => [Math.floor(left) + d, midY], inner: 1, outer: -1, inside: Math.ceil(bw) + 2, outside: -12 },
    { edge: 'right', at: (d) => [Math.ceil(right) - 1 - d, midY], inner: 1, outer: -1, inside: Math.ceil(bw) + 2, outside: -12 },
    { edge: 'top', at: (d) => [midX, Math.floor(top) + d], inner: 1, outer: -1, inside: Math.ceil(bw) + 2, outside: -12 },
  ];
  const read = (xy) => png.at(xy[0] * scale, xy[1] * scale);
  const out = edges.map((e) => {
    const inner = read(e.at(e.inner));
    const outer = read(e.at(e.outer));
    const inside = read(e.at(e.inside));
    const outside = read(e.at(e.outside));
    // Just outside the border is a band of the ring only where it is not the dimmed page (a
    // single ring has none).
    const outerIsBand = Math.max(...outer.map((v, k) => Math.abs(v - outside[k]))) > 6;
    const bands = outerIsBand ? [inner, outer] : [inner];
    const vsInside = Math.max(...bands.map((b) => contrast(b, inside)));
    const vsOutside = Math.max(...bands.map((b) => contrast(b, outside)));
    const r2 = (x) => Math.round(x * 100) / 100;
    return { edge: e.edge, inner: hex(inner), outer: outerIsBand ? hex(outer) : null, inside: hex(inside), outside: hex(outside), vsInside: r2(vsInside), vsOutside: r2(vsOutside) };
  });
  return { edges: out, worst: Math.min(...out.flatMap((e) => [e.vsInside, e.vsOutside])) };
}
