// Must be the first `import` entry in cucumber.mjs: lets Node load the TypeScript step files.
import { register } from 'tsx/esm/api';

register();
