import betaVae from './presets/beta-vae.json' with { type: 'json' };
import caeBnPool from './presets/cae-bn-pool.json' with { type: 'json' };
import celebaCvae from './presets/celeba-cvae.json' with { type: 'json' };
import linearVae from './presets/linear-vae.json' with { type: 'json' };
import mnistCvae from './presets/mnist-cvae.json' with { type: 'json' };
import svhnCvae from './presets/svhn-cvae.json' with { type: 'json' };
import type { ArchitectureSpec } from './spec.ts';

export interface Preset {
  name: string;
  /** The data set it is meant for. */
  dataset: string;
  description: string;
  spec: ArchitectureSpec;
}

// The first three are the reference presets of ../shared/presets (kept identical; a test checks).
export const PRESETS: Preset[] = [
  { name: 'mnist-cvae', dataset: 'mnist', spec: mnistCvae as ArchitectureSpec,
    description: 'Convolutional VAE for 28×28 digits: two stride-2 4×4 convolutions (32, 64) and a 256-unit layer, latent 16, Bernoulli likelihood.' },
  { name: 'cae-bn-pool', dataset: 'mnist', spec: caeBnPool as ArchitectureSpec,
    description: 'Convolutional autoencoder with batch norm; max pools in the encoder paired with max unpools in the decoder (the code is a 32×7×7 map), Gaussian (squared-error) likelihood.' },
  { name: 'linear-vae', dataset: 'mnist', spec: linearVae as ArchitectureSpec,
    description: 'The classic fully connected VAE of Kingma & Welling: 784-400-20, Bernoulli likelihood.' },
  { name: 'beta-vae', dataset: 'mnist', spec: betaVae as ArchitectureSpec,
    description: 'β-VAE (Higgins et al.): mnist-cvae with β = 4 and latent 10, trading reconstruction for a more disentangled, more active-unit-sparse code.' },
  { name: 'svhn-cvae', dataset: 'svhn', spec: svhnCvae as ArchitectureSpec,
    description: 'Convolutional VAE for 32×32 colour house numbers: three stride-2 convolutions with batch norm and leaky ReLU (32-64-128), latent 128, mirrored transposed convolutions.' },
  { name: 'celeba-cvae', dataset: 'celeba', spec: celebaCvae as ArchitectureSpec,
    description: 'Convolutional VAE for 64×64 faces: four stride-2 convolutions (32-256) with batch norm, latent 128, Gaussian likelihood with a sigmoid output.' },
];

export function findPreset(name: string): Preset {
  const p = PRESETS.find((x) => x.name === name);
  if (!p) throw new Error(`unknown preset '${name}' (presets: ${PRESETS.map((x) => x.name).join(', ')})`);
  return p;
}
