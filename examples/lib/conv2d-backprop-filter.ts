import * as tf from '@tensorflow/tfjs-core';
import type {
  Conv2DBackpropFilterAttrs,
  KernelConfig,
  KernelFunc,
  Tensor4D,
  TensorInfo,
} from '@tensorflow/tfjs-core';

/**
 * The filter gradient of a 2-D convolution, composed of ops every backend has (pad, transpose, conv2d, slice).
 *
 * Why: `@tensorflow/tfjs-backend-wasm` 4.22 has no `Conv2DBackpropFilter` kernel (tensorflow/tfjs#8474), so
 * any conv net fails at its first backward pass on wasm. The gradient of a convolution with respect to its filter is
 * itself a convolution: correlate the (padded) input with the output gradient, using the forward strides as the
 * dilation rate. Batch becomes the channel axis of that convolution, so it is a sum over samples for free.
 *
 * Layout NHWC, dilation 1 (all TF.js layers use these by default).
 */
export function conv2dBackpropFilter(
  x: Tensor4D,
  dy: Tensor4D,
  attrs: Pick<Conv2DBackpropFilterAttrs, 'strides' | 'pad' | 'dimRoundingMode' | 'filterShape'>,
): Tensor4D {
  const [fh, fw, ci, co] = attrs.filterShape;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape,
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  return tf.tidy(() => {
    const { top, bottom, left, right } = info.padInfo;
    const padded =
      top + bottom + left + right === 0
        ? x
        : tf.pad(x, [
            [0, 0],
            [top, bottom],
            [left, right],
            [0, 0],
          ]);
    // [N,H,W,Ci] → [Ci,H,W,N]: the input channels become the "batch", the samples the "channels".
    const xT = tf.transpose(padded, [3, 1, 2, 0]);
    // [N,Oh,Ow,Co] → [Oh,Ow,N,Co]: a filter of size Oh×Ow mapping N "channels" to Co.
    const dyT = tf.transpose(dy, [1, 2, 0, 3]);
    const grad = tf.conv2d(xT, dyT, 1, 'valid', 'NHWC', [info.strideHeight, info.strideWidth]);
    // The correlation can run past the filter when the input has rows the forward pass never reached.
    const cropped = tf.slice(grad, [0, 0, 0, 0], [ci, fh, fw, co]);
    return tf.transpose(cropped, [1, 2, 0, 3]);
  });
}

/** The kernel registration for `backendName`; {@link conv2dBackpropFilter} does the work. */
export function conv2dBackpropFilterKernel(backendName: string): KernelConfig {
  const kernelFunc: KernelFunc = ({ inputs, attrs }) => {
    // The gradient of conv2d passes real tensors; wrap bare TensorInfos in case another caller does not.
    const asTensor = (t: TensorInfo | undefined, name: string): Tensor4D => {
      if (t === undefined) throw new Error(`Conv2DBackpropFilter on ${backendName}: missing input ${name}`);
      return t instanceof tf.Tensor ? (t as Tensor4D) : (tf.engine().makeTensorFromTensorInfo(t) as Tensor4D);
    };
    const x = asTensor(inputs['x'], 'x');
    const dy = asTensor(inputs['dy'], 'dy');
    const a = attrs as unknown as Conv2DBackpropFilterAttrs;
    if (a.dataFormat !== 'NHWC') {
      throw new Error(`Conv2DBackpropFilter on ${backendName}: only NHWC is supported, got ${a.dataFormat}`);
    }
    return conv2dBackpropFilter(x, dy, a);
  };
  return { kernelName: tf.Conv2DBackpropFilter, backendName, kernelFunc };
}
