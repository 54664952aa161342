// unaryBackward: dx[i] = f'(x[i]) · dy[i], with y = f(x) given for kinds whose derivative is cheapest from it
// (numbering in unary.ts).
// Dispatch: 1-D over the elements, 256 threads per workgroup, the grid folded into 2-D (see fill.wgsl).

struct Params { len: u32, kind: u32, param: f32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<f32>;
@group(0) @binding(3) var<storage, read> dy: array<f32>;
@group(0) @binding(4) var<storage, read_write> dx: array<f32>;

// #include "_math.wgsl"

fn derivative(kind: u32, param: f32, v: f32, out: f32) -> f32 {
  switch kind {
    case 0u: { return select(0.0, 1.0, v > 0.0); }           // relu
    case 1u: { return select(param, 1.0, v > 0.0); }         // leaky_relu
    case 2u: { return out * (1.0 - out); }                   // sigmoid
    case 3u: { return 1.0 - out * out; }                     // tanh
    case 4u: { return select(out + param, 1.0, v > 0.0); }   // elu
    case 5u: {                                               // gelu
      return 0.5 * (1.0 + erf_(v * 0.7071067811865476)) + v * 0.3989422804014327 * exp(-0.5 * v * v);
    }
    case 6u: { return select(1.0 / (1.0 + exp(-v)), 1.0, v > 20.0); } // softplus
    case 7u: { return out; }                                 // exp
    default: { return -1.0; }                                // neg
  }
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
  let i = (wg.y * groups.x + wg.x) * 256u + t;
  if (i < p.len) { dx[i] = derivative(p.kind, p.param, x[i], y[i]) * dy[i]; }
}
