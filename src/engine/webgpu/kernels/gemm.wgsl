// gemm: C = alpha · op(A) · op(B) + beta · C, row-major; op(A) is M×K, op(B) is K×N.
// Overrides TRANS_A (A stored K×M) and TRANS_B (B stored N×K) give the four transpose variants.
//
// Dispatch: workgroup (x, y, z) computes the 64×64 tile of C at rows 64·y.., columns 64·x.., summing over
// k in [z·kChunk, min(K, (z+1)·kChunk)). Without split-K there is one z and kChunk ≥ K. With split-K
// (few tiles, long K) each z writes its raw sum (alpha 1, beta 0) into slice z of a [splits, M, N]
// partial buffer that gemmSplitK.wgsl reduces.
// 256 threads as 16×16: thread (tx, ty) owns rows ty + 16·r (r < 4) and columns 4·tx .. 4·tx + 3 of the
// tile, 16 accumulators in 4 vec4 registers. Each step stages a 64×16 tile of op(A) and a 16×64 tile of
// op(B) in workgroup memory, k-major, so the inner loop reads one vec4 of B and 4 scalars of A per k.
// `gemm_vec4` loads A and B and stores C as vec4 (needs N, and the contiguous dimensions of A and B, to be
// multiples of 4); `gemm_scalar` takes any shape, with bounds checks on every element.

override TRANS_A: bool = false;
override TRANS_B: bool = false;

struct Params { m: u32, n: u32, k: u32, kChunk: u32, alpha: f32, beta: f32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
@group(0) @binding(1) var<storage, read> a4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> b4: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> c4: array<vec4<f32>>;

const TM = 64u;
const TN = 64u;
const TK = 16u;

var<workgroup> As: array<f32, 1024>;      // [TK][TM]
var<workgroup> Bs: array<vec4<f32>, 256>; // [TK][TN / 4]
var<private> acc: array<vec4<f32>, 4>;

fn multiplyTile(tx: u32, ty: u32) {
  for (var kk = 0u; kk < TK; kk++) {
    let bv = Bs[kk * 16u + tx];
    let base = kk * TM + ty;
    acc[0] = fma(vec4<f32>(As[base]), bv, acc[0]);
    acc[1] = fma(vec4<f32>(As[base + 16u]), bv, acc[1]);
    acc[2] = fma(vec4<f32>(As[base + 32u]), bv, acc[2]);
    acc[3] = fma(vec4<f32>(As[base + 48u]), bv, acc[3]);
  }
}

fn loadScalar(t: u32, m0: u32, n0: u32, k0: u32, kEnd: u32) {
  for (var e = 0u; e < 4u; e++) {
    let idx = t + 256u * e;
    // A: consecutive threads walk the stored matrix's contiguous dimension.
    var mi: u32;
    var ka: u32;
    if (TRANS_A) { ka = idx / TM; mi = idx % TM; } else { mi = idx / TK; ka = idx % TK; }
    let gm = m0 + mi;
    let gka = k0 + ka;
    var av = 0.0;
    if (gm < p.m && gka < kEnd) {
      if (TRANS_A) { av = a[gka * p.m + gm]; } else { av = a[gm * p.k + gka]; }
    }
    As[ka * TM + mi] = av;
    // B
    var ni: u32;
    var kb: u32;
    if (TRANS_B) { ni = idx / TK; kb = idx % TK; } else { kb = idx / TN; ni = idx % TN; }
    let gn = n0 + ni;
    let gkb = k0 + kb;
    var bv = 0.0;
    if (gn < p.n && gkb < kEnd) {
      if (TRANS_B) { bv = b[gn * p.k + gkb]; } else { bv = b[gkb * p.n + gn]; }
    }
    Bs[kb * 16u + ni / 4u][ni % 4u] = bv;
  }
}

// Every bound below is a multiple of 4 (K, M or N as needed, kChunk a multiple of 16), so a vec4 is
// either wholly inside or wholly outside.
fn loadVec4(t: u32, m0: u32, n0: u32, k0: u32, kEnd: u32) {
  if (TRANS_A) {
    let ka = t / 16u;
    let mq = t % 16u;
    let gk = k0 + ka;
    let gm = m0 + 4u * mq;
    var v = vec4<f32>(0.0);
    if (gk < kEnd && gm < p.m) { v = a4[(gk * p.m + gm) / 4u]; }
    let base = ka * TM + 4u * mq;
    As[base] = v.x; As[base + 1u] = v.y; As[base + 2u] = v.z; As[base + 3u] = v.w;
  } else {
    let mi = t / 4u;
    let kq = t % 4u;
    let gm = m0 + mi;
    let gk = k0 + 4u * kq;
    var v = vec4<f32>(0.0);
    if (gm < p.m && gk < kEnd) { v = a4[(gm * p.k + gk) / 4u]; }
    let base = 4u * kq * TM + mi;
    As[base] = v.x; As[base + TM] = v.y; As[base + 2u * TM] = v.z; As[base + 3u * TM] = v.w;
  }
  if (TRANS_B) {
    let ni = t / 4u;
    let kq = t % 4u;
    let gn = n0 + ni;
    let gk = k0 + 4u * kq;
    var v = vec4<f32>(0.0);
    if (gn < p.n && gk < kEnd) { v = b4[(gn * p.k + gk) / 4u]; }
    let col = ni / 4u;
    let lane = ni % 4u;
    let kb = 4u * kq;
    Bs[kb * 16u + col][lane] = v.x;
    Bs[(kb + 1u) * 16u + col][lane] = v.y;
    Bs[(kb + 2u) * 16u + col][lane] = v.z;
    Bs[(kb + 3u) * 16u + col][lane] = v.w;
  } else {
    let kb = t / 16u;
    let nq = t % 16u;
    let gk = k0 + kb;
    let gn = n0 + 4u * nq;
    var v = vec4<f32>(0.0);
    if (gk < kEnd && gn < p.n) { v = b4[(gk * p.n + gn) / 4u]; }
    Bs[kb * 16u + nq] = v;
  }
}

@compute @workgroup_size(16, 16)
fn gemm_scalar(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let tx = lid.x;
  let ty = lid.y;
  let t = ty * 16u + tx;
  let m0 = wg.y * TM;
  let n0 = wg.x * TN;
  let kBegin = wg.z * p.kChunk;
  let kEnd = min(p.k, kBegin + p.kChunk);
  for (var r = 0u; r < 4u; r++) { acc[r] = vec4<f32>(0.0); }
  for (var k0 = kBegin; k0 < kEnd; k0 += TK) {
    loadScalar(t, m0, n0, k0, kEnd);
    workgroupBarrier();
    multiplyTile(tx, ty);
    workgroupBarrier();
  }
  let slice = wg.z * p.m * p.n;
  for (var r = 0u; r < 4u; r++) {
    let row = m0 + ty + 16u * r;
    if (row >= p.m) { continue; }
    for (var q = 0u; q < 4u; q++) {
      let col = n0 + 4u * tx + q;
      if (col >= p.n) { continue; }
      let i = slice + row * p.n + col;
      var v = p.alpha * acc[r][q];
      if (p.beta != 0.0) { v += p.beta * c[i]; }
      c[i] = v;
    }
  }
}

@compute @workgroup_size(16, 16)
fn gemm_vec4(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let tx = lid.x;
  let ty = lid.y;
  let t = ty * 16u + tx;
  let m0 = wg.y * TM;
  let n0 = wg.x * TN;
  let kBegin = wg.z * p.kChunk;
  let kEnd = min(p.k, kBegin + p.kChunk);
  for (var r = 0u; r < 4u; r++) { acc[r] = vec4<f32>(0.0); }
  for (var k0 = kBegin; k0 < kEnd; k0 += TK) {
    loadVec4(t, m0, n0, k0, kEnd);
    workgroupBarrier();
    multiplyTile(tx, ty);
    workgroupBarrier();
  }
  let slice = wg.z * p.m * p.n;
  let col = n0 + 4u * tx;
  if (col >= p.n) { return; }
  for (var r = 0u; r < 4u; r++) {
    let row = m0 + ty + 16u * r;
    if (row >= p.m) { continue; }
    let i = (slice + row * p.n + col) / 4u;
    var v = p.alpha * acc[r];
    if (p.beta != 0.0) { v += p.beta * c4[i]; }
    c4[i] = v;
  }
}
