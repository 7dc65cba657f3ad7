// Cucumber configuration for the conformance suite. `npm run conformance` (src/cli.ts) runs it,
// choosing the seed, the adapter, the role passes and the formatters (pretty on stdout; Allure,
// JUnit and Cucumber messages under reports/).
export default {
  import: ['steps/support/register-tsx.mjs', 'steps/**/*.ts'],
  strict: true,
  formatOptions: {
    // allure-cucumberjs: a `@req=R-ONCE-1` tag becomes a `requirement` label (the tag as written), not a tag.
    // The World adds the link, named by the requirement's words, to the page `npm run report`
    // writes beside the report (src/report/requirements.ts: relative, it opens offline).
    labels: [{ name: 'requirement', pattern: [/@req=(.*)/] }],
  },
};
