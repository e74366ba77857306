// Prints the plain closing line CI reads ("N passed, N failed, N skipped"), after jest's own summary.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const line = `tests: ${results.numPassedTests} passed, ${failed} failed, ${results.numPendingTests} skipped`;
    // jest prints its summary on stderr; the same line on both streams keeps it last wherever it is read.
    process.stderr.write(`\n${line}\n`);
    process.stdout.write(`${line}\n`);
  }
}
module.exports = SummaryReporter;
