/** A free TCP port on loopback, for tests that must listen before they know their URL. */
export { freePort } from '../../src/dev/local-redis.js'
