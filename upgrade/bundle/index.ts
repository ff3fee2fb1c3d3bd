/**
 * @module upgrade/bundle
 * Signed bundles: the on-disk format, keys, creating, verifying and unpacking. The install
 * pipeline uses only what is exported here. Imports only node built-ins and confd/api.
 */
export {
  FORMAT_VERSION, MAX_FILES, MAX_MANIFEST_BYTES, MAX_PATH_BYTES,
  type BundleLayout, type FileMode, type Manifest, type ManifestFile,
} from './format.js';
export { generateKeyPair, keyId, loadKeyring, loadPrivateKey, loadPublicKey, type GeneratedKeyPair } from './keys.js';
export { pathProblem, requiredSpace, unpackedBytes } from './manifest.js';
export { createBundle, type BundleInputFile, type CreateBundleOptions, type CreatedBundle } from './create.js';
export { collectBuildFiles } from './collect.js';
export { verifyBundle, type VerifiedBundle, type VerifyOptions } from './verify.js';
export { extractBundle, verifyExtracted, type ExtractFaults, type ExtractOptions, type ExtractResult } from './extract.js';
export { inspectBundle, type BundleInspection } from './inspect.js';
export { currentPlatform, type Platform } from './platform.js';
