/**
 * TensorBoard's smoothing: an exponential moving average debiased like Adam's moment estimates, so the first
 * points are not pulled towards zero. `weight` 0 leaves the values as they are; 0.99 smooths hard. Non-finite
 * values pass through and do not enter the average; a constant series stays constant. Pure.
 */
export function debiasedEma(values: readonly (number | null)[], weight: number): (number | null)[] {
  const w = Math.min(Math.max(weight, 0), 0.999);
  if (w === 0) return values.slice();
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (finite.length > 0 && finite.every((v) => v === finite[0])) return values.slice();
  let last = 0;
  let n = 0;
  return values.map((v) => {
    if (v === null || !Number.isFinite(v)) return v;
    last = last * w + (1 - w) * v;
    n++;
    return last / (1 - w ** n);
  });
}
