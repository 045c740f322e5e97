import * as tf from '@tensorflow/tfjs-core';
import type {
  Conv2DBackpropInputAttrs,
  KernelConfig,
  KernelFunc,
  Tensor4D,
  TensorInfo,
} from '@tensorflow/tfjs-core';

/**
 * The input gradient of a stride-1 2-D convolution as an ordinary convolution: the output gradient, padded so
 * every input pixel sees every filter tap, correlated with the filter flipped in space and with its in/out
 * channels swapped.
 *
 * Why: wasm 4.22 has a `Conv2DBackpropInput` kernel, but it is a plain loop; on the seed's convnet it took 490 of
 * 950 ms per 5 batches of 64, while the same work as a forward `conv2d` runs on XNNPACK (`bench/mnist-train.ts`).
 * Strides above 1 would need a zero-dilated gradient, which no op offers, so they keep the stock kernel.
 */
export function conv2dBackpropInput(
  dy: Tensor4D,
  filter: Tensor4D,
  attrs: Pick<Conv2DBackpropInputAttrs, 'pad' | 'dimRoundingMode' | 'inputShape'>,
): Tensor4D {
  const [fh, fw] = filter.shape;
  const info = tf.backend_util.computeConv2DInfo(
    attrs.inputShape,
    filter.shape,
    1,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { top, bottom, left, right } = info.padInfo;
  return tf.tidy(() => {
    const padded = tf.pad(dy, [
      [0, 0],
      [fh - 1 - top, fh - 1 - bottom],
      [fw - 1 - left, fw - 1 - right],
      [0, 0],
    ]);
    // [fh,fw,Ci,Co] → flipped in space → [fh,fw,Co,Ci].
    const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]);
    return tf.conv2d(padded, flipped, 1, 'valid', 'NHWC');
  });
}

/** True when {@link conv2dBackpropInput} covers these attributes (stride 1, NHWC, no negative padding). */
export function composedInputGradientApplies(
  attrs: Conv2DBackpropInputAttrs,
  filterShape: readonly number[],
): boolean {
  const strides = typeof attrs.strides === 'number' ? [attrs.strides, attrs.strides] : attrs.strides;
  if (attrs.dataFormat !== 'NHWC' || strides[0] !== 1 || strides[1] !== 1) return false;
  const [fh = 0, fw = 0] = filterShape;
  const info = tf.backend_util.computeConv2DInfo(
    attrs.inputShape,
    filterShape as [number, number, number, number],
    1,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { top, bottom, left, right } = info.padInfo;
  return Math.max(top, bottom) <= fh - 1 && Math.max(left, right) <= fw - 1;
}

/**
 * The kernel registration for `backendName`: the composed gradient where it applies, `fallback` (the backend's
 * stock kernel) otherwise.
 */
export function conv2dBackpropInputKernel(backendName: string, fallback: KernelFunc): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { inputs, attrs } = args;
    const a = attrs as unknown as Conv2DBackpropInputAttrs;
    const dy = inputs['dy'];
    const filter = inputs['filter'];
    if (dy === undefined || filter === undefined || !composedInputGradientApplies(a, filter.shape)) {
      return fallback(args);
    }
    const asTensor = (t: TensorInfo): Tensor4D =>
      t instanceof tf.Tensor ? (t as Tensor4D) : (tf.engine().makeTensorFromTensorInfo(t) as Tensor4D);
    return conv2dBackpropInput(asTensor(dy), asTensor(filter), a);
  };
  return { kernelName: tf.Conv2DBackpropInput, backendName, kernelFunc };
}
