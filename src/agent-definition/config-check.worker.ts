import { checkConfigText } from './config-check.js';

/** Runs in the parse worker pool (see config-check-pool.ts). */
export default checkConfigText;
