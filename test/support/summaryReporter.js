// Prints the plain closing line CI reads ("N passed, N failed, N skipped") as jest's very last output:
// jest's own summary comes after reporters' onRunComplete, so the line is written on process exit.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const line = `tests: ${results.numPassedTests} passed, ${failed} failed, ${results.numPendingTests} skipped`;
    process.once('exit', () => process.stderr.write(`\n${line}\n`));
  }
}
module.exports = SummaryReporter;
