/**
 * The wine training as odahuflowctl 1.6 sends it (its wire capture, reference §1.7): every field present, unset
 * ones as explicit `null`. Its connections and toolchain are `${prefix}repo`, `${prefix}wine` and
 * `${prefix}mlflow`, the objects the server tests' `seed` creates.
 */
export function cliTraining(id: string, prefix = ''): Record<string, unknown> {
  return {
    kind: 'ModelTraining',
    createdAt: null,
    id,
    spec: {
      algorithmSource: { objectStorage: null, vcs: { connection: `${prefix}repo`, reference: null } },
      args: null,
      data: [
        { connection: `${prefix}wine`, localPath: 'mlflow/sklearn/wine/wine-quality.csv', remotePath: null },
      ],
      entrypoint: 'main',
      envs: null,
      hyperParameters: { alpha: '1.0' },
      image: null,
      model: { artifactNameTemplate: null, name: 'wine', version: '1.0' },
      nodeSelector: null,
      outputConnection: null,
      resources: {
        limits: { cpu: '4', gpu: null, memory: '4Gi' },
        requests: { cpu: '2', gpu: null, memory: '2Gi' },
      },
      toolchain: `${prefix}mlflow`,
      workDir: 'mlflow/sklearn/wine',
    },
    status: null,
    updatedAt: null,
  };
}
