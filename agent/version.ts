import pkg from "../package.json";

/** The agent's version, announced to control and shown by --version. */
export const AGENT_VERSION: string = pkg.version;
