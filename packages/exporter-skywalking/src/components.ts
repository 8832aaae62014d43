/**
 * Component ids from SkyWalking's component library
 * (apache/skywalking `oap-server/server-starter/src/main/resources/component-libraries.yml`).
 * The OAP maps them to names and icons; an id it does not know shows as Unknown.
 */
export const COMPONENT = {
  Unknown: 0,
  /** `HttpClient` (Java, C#, Node.js): what the official Node agent uses for outbound HTTP. */
  HttpClient: 2,
  Mysql: 5,
  Redis: 7,
  MongoDB: 9,
  PostgreSQL: 22,
  /**
   * `HttpServer` (Node.js range 4000–5000): inbound HTTP without a framework of its own in the
   * library — node:http, Fastify and NestJS. (The official Node agent files a bare http server
   * under the generic `http`, 49; 4001 names the Node.js server specifically.)
   */
  HttpServer: 4001,
  Express: 4002,
  Koa: 4004,
} as const;

/** Entry span component from the server span's `framework` tag (set by the adapters). */
export function serverComponent(framework: string | undefined): number {
  switch (framework) {
    case 'express':
      return COMPONENT.Express;
    case 'koa':
      return COMPONENT.Koa;
    default:
      return COMPONENT.HttpServer;
  }
}

/** Exit span component for a database client, from `db.system` (OTel) or `db.type`. */
export function databaseComponent(system: string | undefined): number {
  switch (system?.toLowerCase()) {
    case 'mysql':
    case 'mariadb':
      return COMPONENT.Mysql;
    case 'postgresql':
    case 'postgres':
    case 'pg':
      return COMPONENT.PostgreSQL;
    case 'redis':
      return COMPONENT.Redis;
    case 'mongodb':
      return COMPONENT.MongoDB;
    default:
      return COMPONENT.Unknown;
  }
}
