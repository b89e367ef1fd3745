/** The worker's workflowsPath: every workflow of the project, one per file. */
export { livenessInvestigation } from './investigation';
