/** True for URLs on a loopback host: plain http keeps the key off the network, gzip saves nothing. */
export function isLoopbackHost(url: string): boolean {
  try {
    const h = new URL(url).hostname;
    return h === 'localhost' || h === '[::1]' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
  } catch {
    return false;
  }
}
