export * from './catalogue.js';
export { downloadFile, isUnreachableError, type DownloadFileOptions, type DownloadProgress } from './download.js';
export { hashFile } from './hash-file.js';
export { locateAsset, type AssetLocationOptions, type AssetPlacement } from './locate.js';
export { DEFAULT_MIRROR, pullAsset, type AssetProgress, type PullAssetOptions, type PulledAsset } from './pull.js';
export { resolveAsset, type ResolveAssetOptions, type ResolvedAsset } from './resolve.js';
export { verifyAsset, type AssetVerification, type FileVerification } from './verify.js';
