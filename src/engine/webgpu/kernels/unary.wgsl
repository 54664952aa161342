// unary: y[i] = f(x[i]) for the activation `kind` (numbering in unary.ts), `param` its slope or alpha.
// Dispatch: 1-D over the elements, 256 threads per workgroup, the grid folded into 2-D (see fill.wgsl).

struct Params { len: u32, kind: u32, param: f32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

// #include "_math.wgsl"

// exp(v) - 1 without losing small v (Kahan's trick); WGSL has no expm1.
fn expm1_(v: f32) -> f32 {
  if (abs(v) < 1e-5) { return v + 0.5 * v * v; }
  return exp(v) - 1.0;
}

fn f(kind: u32, param: f32, v: f32) -> f32 {
  switch kind {
    case 0u: { return select(0.0, v, v > 0.0); }                       // relu
    case 1u: { return select(v * param, v, v > 0.0); }                 // leaky_relu
    case 2u: {                                                         // sigmoid
      if (v >= 0.0) { return 1.0 / (1.0 + exp(-v)); }
      let e = exp(v);
      return e / (1.0 + e);
    }
    case 3u: { return tanh(clamp(v, -15.0, 15.0)); }                  // tanh (saturated past ±15 in f32)
    case 4u: { return select(param * expm1_(v), v, v > 0.0); }         // elu
    case 5u: { return 0.5 * v * (1.0 + erf_(v * 0.7071067811865476)); } // gelu
    case 6u: { return select(log1p_(exp(v)), v, v > 20.0); }           // softplus (threshold 20)
    case 7u: { return exp(v); }
    default: { return -v; }                                            // neg
  }
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
  let i = (wg.y * groups.x + wg.x) * 256u + t;
  if (i < p.len) { y[i] = f(p.kind, p.param, x[i]); }
}
