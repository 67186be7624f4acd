export * from './HarnessProvider';
export * from './BundleStore';
export * from './PolicyResolver';
export * from './extensionPoints';
