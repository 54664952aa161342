import type { ConvGeometry } from '../backend.ts';
import type { Tensor } from '../tensor.ts';

export interface Conv2dOptions {
  stride?: [number, number];
  padding?: [number, number];
  dilation?: [number, number];
}

export interface ConvTranspose2dOptions extends Conv2dOptions {
  outputPadding?: [number, number];
}

/** Output size of a convolution along one axis. */
export function convOutSize(size: number, kernel: number, stride: number, pad: number, dilation: number): number {
  return Math.floor((size + 2 * pad - dilation * (kernel - 1) - 1) / stride) + 1;
}

/** Output size of a transposed convolution along one axis. */
export function convTransposeOutSize(size: number, kernel: number, stride: number, pad: number, dilation: number, outputPadding: number): number {
  return (size - 1) * stride - 2 * pad + dilation * (kernel - 1) + outputPadding + 1;
}

function geometry(n: number, c: number, h: number, w: number, kh: number, kw: number, o: Conv2dOptions, oh: number, ow: number): ConvGeometry {
  const [strideH, strideW] = o.stride ?? [1, 1];
  const [padH, padW] = o.padding ?? [0, 0];
  const [dilationH, dilationW] = o.dilation ?? [1, 1];
  return { n, c, h, w, kh, kw, strideH, strideW, padH, padW, dilationH, dilationW, oh, ow };
}

/**
 * conv2d as im2col + GEMM: x [N, C, H, W], w [O, C, KH, KW] ->
 * col [C·KH·KW, N·OH·OW]; y' [O, N·OH·OW] = w · col; y = y' as [N, O, OH, OW].
 */
export function conv2d(x: Tensor, w: Tensor, b: Tensor | null, o: Conv2dOptions = {}): Tensor {
  const e = x.engine;
  const [n, c, h, wd] = x.shape;
  const [outC, inC, kh, kw] = w.shape;
  if (x.shape.length !== 4) throw new Error(`conv2d: input must be [N, C, H, W], got [${x.shape}]`);
  if (inC !== c) throw new Error(`conv2d: input has ${c} channels, weight [${w.shape}] expects ${inC}`);
  const [sh, sw] = o.stride ?? [1, 1], [ph, pw] = o.padding ?? [0, 0], [dh, dw] = o.dilation ?? [1, 1];
  const oh = convOutSize(h, kh, sh, ph, dh), ow = convOutSize(wd, kw, sw, pw, dw);
  if (oh < 1 || ow < 1) throw new Error(`conv2d: a ${kh}×${kw} kernel leaves no output on a ${h}×${wd} input`);
  const g = geometry(n, c, h, wd, kh, kw, o, oh, ow);
  const rows = c * kh * kw, cols = n * oh * ow;

  const col = e.empty([rows, cols]);
  e.k.im2col(g, x.buffer, col.buffer);
  const yT = e.empty([outC, n, oh * ow]);
  e.k.gemm({ m: outC, n: cols, k: rows, transA: false, transB: false, alpha: 1, beta: 0 }, w.buffer, col.buffer, yT.buffer);
  const y = e.empty([n, outC, oh, ow]);
  e.k.transpose021(yT.buffer, y.buffer, outC, n, oh * ow);
  yT.release();
  if (b) e.k.biasAdd(y.buffer, b.buffer, y.buffer, n, outC, oh * ow);

  const inputs = b ? [x, w, b] : [x, w];
  e.record(y, 'conv2d', inputs, (gy) => {
    const gT = e.empty([outC, n * oh * ow]); // dy as [O, N·OH·OW]
    e.k.transpose021(gy.buffer, gT.buffer, n, outC, oh * ow);
    let dx: Tensor | null = null, dwt: Tensor | null = null, db: Tensor | null = null;
    if (w.requiresGrad) {
      dwt = e.empty(w.shape); // dy' [O, cols] · colᵀ [cols, rows]
      e.k.gemm({ m: outC, n: rows, k: cols, transA: false, transB: true, alpha: 1, beta: 0 }, gT.buffer, col.buffer, dwt.buffer);
    }
    if (x.requiresGrad) {
      const dcol = e.empty([rows, cols]); // wᵀ [rows, O] · dy' [O, cols]
      e.k.gemm({ m: rows, n: cols, k: outC, transA: true, transB: false, alpha: 1, beta: 0 }, w.buffer, gT.buffer, dcol.buffer);
      dx = e.empty(x.shape);
      e.k.col2im(g, dcol.buffer, dx.buffer);
      dcol.release();
    }
    if (b?.requiresGrad) {
      db = e.empty(b.shape);
      e.k.channelSum(gy.buffer, db.buffer, n, outC, oh * ow, false);
    }
    gT.release();
    return b ? [dx, dwt, db] : [dx, dwt];
  });
  if (!y.node) col.release(); // kept only for the backward pass
  return y;
}

/**
 * conv_transpose2d, the adjoint of conv2d: x [N, Cin, H, W], w [Cin, Cout, KH, KW] ->
 * x' [Cin, N·H·W]; col [Cout·KH·KW, N·H·W] = wᵀ · x'; y [N, Cout, OH, OW] = col2im(col).
 */
export function convTranspose2d(x: Tensor, w: Tensor, b: Tensor | null, o: ConvTranspose2dOptions = {}): Tensor {
  const e = x.engine;
  if (x.shape.length !== 4) throw new Error(`conv_transpose2d: input must be [N, C, H, W], got [${x.shape}]`);
  const [n, c, h, wd] = x.shape;
  const [inC, outC, kh, kw] = w.shape;
  if (inC !== c) throw new Error(`conv_transpose2d: input has ${c} channels, weight [${w.shape}] expects ${inC}`);
  const [sh, sw] = o.stride ?? [1, 1], [ph, pw] = o.padding ?? [0, 0], [dh, dw] = o.dilation ?? [1, 1];
  const [oph, opw] = o.outputPadding ?? [0, 0];
  const oh = convTransposeOutSize(h, kh, sh, ph, dh, oph), ow = convTransposeOutSize(wd, kw, sw, pw, dw, opw);
  if (oh < 1 || ow < 1) throw new Error(`conv_transpose2d: output would be ${oh}×${ow}`);
  // The matching conv2d maps y [N, Cout, OH, OW] back to x's H×W grid.
  const g = geometry(n, outC, oh, ow, kh, kw, o, h, wd);
  const rows = outC * kh * kw, cols = n * h * wd;

  const xT = e.empty([c, cols]);
  e.k.transpose021(x.buffer, xT.buffer, n, c, h * wd);
  const col = e.empty([rows, cols]);
  e.k.gemm({ m: rows, n: cols, k: c, transA: true, transB: false, alpha: 1, beta: 0 }, w.buffer, xT.buffer, col.buffer);
  const y = e.empty([n, outC, oh, ow]);
  e.k.col2im(g, col.buffer, y.buffer);
  col.release();
  if (b) e.k.biasAdd(y.buffer, b.buffer, y.buffer, n, outC, oh * ow);

  const inputs = b ? [x, w, b] : [x, w];
  e.record(y, 'conv_transpose2d', inputs, (gy) => {
    const gcol = e.empty([rows, cols]);
    e.k.im2col(g, gy.buffer, gcol.buffer);
    let dx: Tensor | null = null, dwt: Tensor | null = null, db: Tensor | null = null;
    if (w.requiresGrad) {
      dwt = e.empty(w.shape); // x' [Cin, cols] · gcolᵀ [cols, rows]
      e.k.gemm({ m: c, n: rows, k: cols, transA: false, transB: true, alpha: 1, beta: 0 }, xT.buffer, gcol.buffer, dwt.buffer);
    }
    if (x.requiresGrad) {
      const dxT = e.empty([c, n, h * wd]); // w [Cin, rows] · gcol [rows, cols]
      e.k.gemm({ m: c, n: cols, k: rows, transA: false, transB: false, alpha: 1, beta: 0 }, w.buffer, gcol.buffer, dxT.buffer);
      dx = e.empty(x.shape);
      e.k.transpose021(dxT.buffer, dx.buffer, c, n, h * wd);
      dxT.release();
    }
    if (b?.requiresGrad) {
      db = e.empty(b.shape);
      e.k.channelSum(gy.buffer, db.buffer, n, outC, oh * ow, false);
    }
    gcol.release();
    return b ? [dx, dwt, db] : [dx, dwt];
  });
  if (!y.node) xT.release(); // kept only for the backward pass
  return y;
}
