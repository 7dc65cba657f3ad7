// Cucumber configuration for the conformance suite. `npm run conformance` (src/cli.ts) runs it,
// choosing the seed and the adapter; `npx cucumber-js` works too.
export default {
  import: ['steps/support/register-tsx.mjs', 'steps/**/*.ts'],
  strict: true,
  format: [
    'pretty',
    'allure-cucumberjs/reporter:reports/allure-formatter.out', // only one formatter may own stdout
    'junit:reports/junit.xml',
    'message:reports/cucumber-messages.ndjson',
  ],
  formatOptions: {
    resultsDir: 'reports/allure-results',
    links: {
      requirement: { pattern: [/@req=(.*)/], urlTemplate: 'docs/requirements.md#%s' },
    },
  },
};
