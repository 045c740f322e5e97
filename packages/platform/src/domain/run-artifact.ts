/** An artifact a run published: what the executor reports and the store records on the run. */
export interface RunArtifact {
  runId: string;
  artifactName: string;
  commitID: string;
}
