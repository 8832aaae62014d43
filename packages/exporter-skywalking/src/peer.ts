const MAX_PEER = 255;
const HAS_PORT = /:\d{1,5}$/;

function defaultPort(url: string | undefined): string {
  return url?.startsWith('https:') ? '443' : '80';
}

function hostOfUrl(url: string): string | undefined {
  const i = url.indexOf('//');
  if (i === -1) return undefined;
  let end = url.length;
  for (let j = i + 2; j < url.length; j++) {
    const c = url.charCodeAt(j);
    // '/', '?', '#'
    if (c === 47 || c === 63 || c === 35) {
      end = j;
      break;
    }
  }
  const host = url.slice(i + 2, end);
  const at = host.lastIndexOf('@');
  return at === -1 ? host : host.slice(at + 1);
}

/**
 * The address an outbound span called, as `host:port` (the default port filled in, like
 * SkyWalking's agents): the Exit span's `peer` and `sw8`'s target-address field. Read from
 * `server.address` (+ `server.port`), else the host of `http.url`, else `net.peer.name`.
 * Empty when unknown.
 */
export function peerOf(tags: Readonly<Record<string, string>> | undefined): string {
  if (!tags) return '';
  const url = tags['http.url'];
  let host =
    tags['server.address'] ?? (url !== undefined ? hostOfUrl(url) : undefined) ?? tags['net.peer.name'];
  if (host === undefined || host === '') return '';
  if (!HAS_PORT.test(host)) {
    const port =
      tags['server.port'] ?? tags['net.peer.port'] ?? (url !== undefined ? defaultPort(url) : undefined);
    if (port !== undefined && port !== '') host = `${host}:${port}`;
  }
  return host.length > MAX_PEER ? host.slice(0, MAX_PEER) : host;
}
