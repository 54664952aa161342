// im2col: x [N, C, H, W] -> col [C·KH·KW, N·OH·OW]; row r = (c, ki, kj), column = (n, oy, ox);
// zero where the tap falls in the padding.
// Dispatch: 1-D over col's elements i = r·cols + column, 256 threads per workgroup, the grid folded into
// 2-D (see fill.wgsl). Writes are contiguous; reads walk x along ox with the stride.

struct Params {
  n: u32, c: u32, h: u32, w: u32, kh: u32, kw: u32,
  strideH: i32, strideW: i32, padH: i32, padW: i32, dilationH: i32, dilationW: i32,
  oh: u32, ow: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> col: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
  let i = (wg.y * groups.x + wg.x) * 256u + t;
  let cols = p.n * p.oh * p.ow;
  if (i >= p.c * p.kh * p.kw * cols) { return; }
  let r = i / cols;
  let q = i - r * cols;
  let kj = r % p.kw;
  let ki = (r / p.kw) % p.kh;
  let ci = r / (p.kw * p.kh);
  let ox = q % p.ow;
  let oy = (q / p.ow) % p.oh;
  let ni = q / (p.ow * p.oh);
  let iy = i32(oy) * p.strideH - p.padH + i32(ki) * p.dilationH;
  let ix = i32(ox) * p.strideW - p.padW + i32(kj) * p.dilationW;
  var v = 0.0;
  if (iy >= 0 && iy < i32(p.h) && ix >= 0 && ix < i32(p.w)) {
    v = x[((ni * p.c + ci) * p.h + u32(iy)) * p.w + u32(ix)];
  }
  col[i] = v;
}
