/** A container status as the kubelet writes it once the container has exited: what the tests play back to the executor. */
export const terminated = (name: string, exitCode: number, message?: string) => ({
  name,
  image: name,
  imageID: '',
  ready: false,
  restartCount: 0,
  state: { terminated: { exitCode, ...(message ? { message } : {}) } },
});
