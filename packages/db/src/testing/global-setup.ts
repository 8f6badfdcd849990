// vitest globalSetup of this package (apps can point theirs at a file like this one).
export { startDockerTestServer as default } from "./docker";
