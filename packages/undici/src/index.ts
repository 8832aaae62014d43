export type { OutboundHttpHandle } from './instrument.js';
export { instrumentOutboundHttp, outboundHttpIntegration } from './instrument.js';
export type { OutboundHttpOptions } from './options.js';
