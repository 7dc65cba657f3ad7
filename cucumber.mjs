// Cucumber configuration for the conformance suite. `npm run conformance` (src/cli.ts) runs it,
// choosing the seed, the adapter, the role passes and the formatters (pretty on stdout; Allure,
// JUnit and Cucumber messages under reports/).
export default {
  import: ['steps/support/register-tsx.mjs', 'steps/**/*.ts'],
  strict: true,
  formatOptions: {
    // allure-cucumberjs: a `@req=R-ONCE-1` tag becomes a link to the requirement.
    links: {
      requirement: { pattern: [/@req=(.*)/], urlTemplate: (id) => `docs/requirements.md#${id.toLowerCase()}` },
    },
  },
};
