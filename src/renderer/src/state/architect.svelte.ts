// The architecture being designed: a spec edited in place; shapes, counts and the first problem are derived
// on every change with the same inference the trainer uses.
import { type ArchitectureSpec, inferSpecPartial, type LayerSpec, type LayerType } from '../../../experiments/spec.ts';

export type Part = 'encoder' | 'decoder';

export const PALETTE_GROUPS: { name: string; types: LayerType[] }[] = [
  { name: 'Convolution', types: ['conv2d', 'conv_transpose2d'] },
  { name: 'Dense & shape', types: ['linear', 'flatten', 'reshape'] },
  { name: 'Pooling', types: ['maxpool2d', 'maxunpool2d'] },
  { name: 'Regularisation', types: ['batchnorm', 'dropout'] },
  { name: 'Activation', types: ['relu', 'leaky_relu', 'sigmoid', 'tanh', 'elu', 'gelu', 'softplus'] },
];

export const LAYER_LABELS: Record<LayerType, string> = {
  conv2d: 'Conv 2D', conv_transpose2d: 'Conv transpose 2D', linear: 'Linear', flatten: 'Flatten', reshape: 'Reshape',
  maxpool2d: 'Max pool', maxunpool2d: 'Max unpool', batchnorm: 'Batch norm', dropout: 'Dropout', relu: 'ReLU',
  leaky_relu: 'Leaky ReLU', sigmoid: 'Sigmoid', tanh: 'Tanh', elu: 'ELU', gelu: 'GELU', softplus: 'Softplus',
};

export function defaultLayer(type: LayerType, input: number[]): LayerSpec {
  switch (type) {
    case 'conv2d': return { type, out: 32, kernel: 3, stride: 1, padding: 1 };
    case 'conv_transpose2d': return { type, out: 32, kernel: 4, stride: 2, padding: 1 };
    case 'linear': return { type, out: 64 };
    case 'maxpool2d': return { type, kernel: 2 };
    case 'maxunpool2d': return { type, kernel: 2 };
    case 'reshape': return { type, shape: [...input] };
    case 'dropout': return { type, p: 0.1 };
    case 'leaky_relu': return { type, negative_slope: 0.2 };
    default: return { type } as LayerSpec;
  }
}

export const BLANK_SPEC: ArchitectureSpec = { kind: 'vae', input: [1, 28, 28], latent: 8, likelihood: 'bernoulli', encoder: [], decoder: [] };

class ArchitectState {
  spec = $state<ArchitectureSpec>(structuredClone(BLANK_SPEC));
  /** Where the spec came from (a preset name, a file, or 'custom'). */
  origin = $state('blank');
  analysis = $derived(inferSpecPartial($state.snapshot(this.spec)));

  load(spec: ArchitectureSpec, origin: string): void {
    this.spec = structuredClone(spec);
    this.origin = origin;
  }

  insert(part: Part, index: number, layer: LayerSpec): void {
    this.spec[part].splice(index, 0, layer);
  }

  remove(part: Part, index: number): void {
    this.spec[part].splice(index, 1);
  }

  /** Moves a layer (also between encoder and decoder); `to` is the index before the removal. */
  move(from: Part, fromIndex: number, to: Part, toIndex: number): void {
    const [layer] = this.spec[from].splice(fromIndex, 1);
    if (!layer) return;
    const at = from === to && toIndex > fromIndex ? toIndex - 1 : toIndex;
    this.spec[to].splice(at, 0, layer);
  }

  clear(): void {
    this.spec.encoder = [];
    this.spec.decoder = [];
    this.origin = 'custom';
  }
}

export const architect = new ArchitectState();
