// Entry point for browsers and bundlers: the wasm file is fetched next to this module.
import init, { Sdk } from './tim_wasm.js';
import { makeTIM } from './tim.js';

export default makeTIM(() => init().then(() => ({ Sdk })));
