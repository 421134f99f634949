/**
 * The data-testids of a test button, its verdict and its failure, so one component serves both Settings and
 * the setup wizard (whose end-to-end test names its own).
 */
export interface TestIds {
  button: string;
  result: string;
  error: string;
}
